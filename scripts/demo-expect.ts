/**
 * What `npm run demo` expects of its two deploys, as lists of what went otherwise (empty: as expected).
 * Pure: the demo prints them and fails on any.
 */
import type { ActionRun } from './run-action.js'

type Run = Pick<ActionRun, 'exitCode' | 'errors' | 'outputs' | 'output'>

/** Deploy #1, a good commit: exit 0, no error annotation, a deployment id. */
export function greenProblems(run: Run): string[] {
  return [
    ...(run.exitCode !== 0 ? [`exit code ${run.exitCode}`] : []),
    ...(run.errors.length ? [`${run.errors.length} error annotation(s)`] : []),
    ...(!run.outputs['deployment-id'] ? ['no deployment-id output'] : [])
  ]
}

/**
 * Deploy #2, a version that exits 3 on start: red, the cause annotated, the action's own rollback
 * reported, and the service (its task definition now: `serviceOn`) back on the good revision.
 */
export function redProblems(run: Run, serviceOn: string | undefined, goodArn: string): string[] {
  return [
    ...(run.exitCode === 0 ? ['it exited with code 0'] : []),
    // The first cause travels in the one "Deployment failed" error; any other cause has its own.
    ...(!run.errors.some(e => /exited with code 3/.test(`${e.title ?? ''} ${e.message}`))
      ? ['no "container exited with code 3" annotation']
      : []),
    ...(!/^Rolling back /m.test(run.output) || !run.errors.some(e => /Rolled back to /.test(e.message))
      ? ['no rollback reported']
      : []),
    ...(serviceOn !== goodArn ? [`the service is on ${serviceOn ?? '?'}, not back on ${goodArn}`] : [])
  ]
}

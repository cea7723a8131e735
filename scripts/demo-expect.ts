/**
 * What `npm run demo` expects of its deploys, as lists of what went otherwise (empty: as expected).
 * Pure: the demo prints them and fails on any.
 */
import type { ServiceDeployment } from '@aws-sdk/client-ecs'
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

/** What the demo saw of a blue/green deploy beside the action (scripts/demo-bluegreen.ts). */
export interface Seen {
  /** Containers running in Docker when the bake began, by task definition ARN. */
  atBake?: Map<string, string[]>
  /** The service deployment as ECS showed it after the run. */
  last?: Pick<ServiceDeployment, 'status' | 'targetServiceRevision' | 'sourceServiceRevisions'>
  error?: string
}

const production = (r?: { requestedProductionTrafficWeight?: number }) => r?.requestedProductionTrafficWeight
const running = (seen: Seen, arn: string | undefined) => (arn ? (seen.atBake?.get(arn)?.length ?? 0) : 0)

/** What the demo's own watch met and what Docker ran during the bake: blue beside green. */
function bakeProblems(seen: Seen, blue: string, greenArn: string | undefined): string[] {
  if (seen.error) return [`the demo could not follow the service deployment: ${seen.error}`]
  if (!seen.atBake) return ['the demo never saw the bake (lifecycle stage BAKE_TIME)']
  return [
    ...(running(seen, blue) === 0 ? ['no blue task was running in Docker during the bake'] : []),
    ...(running(seen, greenArn) === 0 ? ['no green task was running in Docker during the bake'] : [])
  ]
}

/**
 * Deploy #3, a good commit on the BLUE_GREEN service: green (exit 0, no error) only after the bake — the
 * service deployment SUCCESSFUL by the time the run ended, production traffic 100% on green — with blue's
 * and green's containers both running during the bake, and the service on the new revision.
 */
export function blueGreenProblems(
  run: Run,
  seen: Seen,
  serviceOn: string | undefined,
  blue: string
): string[] {
  const greenArn = run.outputs['task-definition-arn']
  const weight = production(seen.last?.targetServiceRevision)
  return [
    ...greenProblems(run),
    ...bakeProblems(seen, blue, greenArn),
    ...(seen.last?.status !== 'SUCCESSFUL'
      ? [`the service deployment was ${seen.last?.status ?? '?'} when the run ended, not SUCCESSFUL`]
      : []),
    ...(weight !== 100 ? [`production traffic on green is ${weight ?? '?'}%, not 100%`] : []),
    ...(!greenArn || serviceOn !== greenArn
      ? [`the service is on ${serviceOn ?? '?'}, not ${greenArn ?? '?'}`]
      : [])
  ]
}

/**
 * Deploy #4, the alarm set to ALARM during the bake: red, an error annotation naming the alarm, the
 * service deployment ROLLBACK_SUCCESSFUL with production traffic back on blue (green 0%, blue 100%),
 * and the service still on blue's revision (deploy #3's).
 */
export function alarmProblems(
  run: Run,
  seen: Seen,
  serviceOn: string | undefined,
  blue: string,
  alarm: string
): string[] {
  const greenWeight = production(seen.last?.targetServiceRevision)
  const blueWeight = production(seen.last?.sourceServiceRevisions?.[0])
  return [
    ...(run.exitCode === 0 ? ['it exited with code 0'] : []),
    ...(!run.errors.some(e => `${e.title ?? ''} ${e.message}`.includes(`"${alarm}"`))
      ? [`no error annotation naming the alarm "${alarm}"`]
      : []),
    ...bakeProblems(seen, blue, run.outputs['task-definition-arn']),
    ...(seen.last?.status !== 'ROLLBACK_SUCCESSFUL'
      ? [`the service deployment ended ${seen.last?.status ?? '?'}, not ROLLBACK_SUCCESSFUL`]
      : []),
    ...(greenWeight !== 0 || blueWeight !== 100
      ? [`production traffic is ${greenWeight ?? '?'}% green / ${blueWeight ?? '?'}% blue, not back on blue`]
      : []),
    ...(serviceOn !== blue ? [`the service is on ${serviceOn ?? '?'}, not still on ${blue}`] : [])
  ]
}

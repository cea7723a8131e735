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

/** What the demo saw of the scaling act beside the action (scripts/demo-act-scaling.ts). */
export interface ScalingSeen {
  /** The service's desired count when the demo first looked, and the most it saw. */
  startDesired?: number
  peakDesired: number
  /** The most of the service's tasks running in Docker at once after the load was on. */
  peakInDocker: number
  /** The scaling activities (DescribeScalingActivities) of the service, oldest first. */
  activities: Array<{ description?: string; statusCode?: string }>
  /** When (ms since the epoch) the demo put the load on a task, and took it off. */
  loadOnAt?: number
  loadOffAt?: number
  error?: string
}

/** The summary's Auto scaling row of the scalable target: its before and after cells. */
function scalableTargetRow(summary: string): { before: string; after: string } | undefined {
  const m = /^\| Scalable target \| ([^|]*) \| ([^|]*) \|$/m.exec(summary)
  return m ? { before: m[1].trim(), after: m[2].trim() } : undefined
}

/**
 * Deploy #5, auto scaling on CPU with load on the app during the watch: green, the load put on, a
 * successful scale-out activity, ≥ 2 of the service's tasks really running in Docker, and the summary
 * with the CPU and memory chart (Mermaid xychart) and the scalable target before → after (the bounds).
 */
export function scalingProblems(
  run: Run,
  seen: ScalingSeen,
  summary: string,
  bounds: { min: number; max: number }
): string[] {
  const row = scalableTargetRow(summary)
  const wanted = `${bounds.min}–${bounds.max} tasks`
  const scaledOut = seen.activities.some(
    a =>
      a.statusCode === 'Successful' && /^Setting desired count to ([2-9]|\d\d+)\./.test(a.description ?? '')
  )
  return [
    ...greenProblems(run),
    ...(seen.error ? [`the demo could not follow the service: ${seen.error}`] : []),
    ...(!seen.loadOnAt ? ['the demo never put load on a task of the new revision'] : []),
    ...(!scaledOut ? ['no successful scale-out activity (DescribeScalingActivities)'] : []),
    ...(seen.peakInDocker < 2
      ? [`at most ${seen.peakInDocker} of the service's tasks ran in Docker under load, not ≥ 2`]
      : []),
    ...(!/^```mermaid\n(%%\{.*\}%%\n)?xychart-beta$/m.test(summary)
      ? ['the summary has no CPU and memory chart (xychart-beta)']
      : []),
    ...(!row || row.after !== wanted || row.before === row.after
      ? [
          `the Auto scaling section does not show the scalable target before → after ${wanted} (${row ? `${row.before} → ${row.after}` : 'no row'})`
        ]
      : [])
  ]
}

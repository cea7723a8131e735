/**
 * What the run waits for after its UpdateService, each in its phase: the deployment (as the plan's watch policy
 * says), the window after it (watch-minutes), and the CPU and memory read for the summary.
 */
import * as core from '@actions/core'
import type { AwsClients } from './aws.js'
import { readDeployMetrics } from './metrics.js'
import { pauseHandler } from './pause.js'
import { phase } from './phase.js'
import type { ServiceTarget } from './plan.js'
import { printMetrics } from './report/log.js'
import { setOutputs } from './report/outputs.js'
import { logEvent } from './report/timeline.js'
import type { DeployReport } from './report/types.js'
import { inert } from './untrusted.js'
import { afterOutcome, watchAfterDeployment } from './watch/after.js'
import type { Sleep } from './watch/call.js'
import type { CallMeter } from './watch/call-meter.js'
import { watchDeployment, type WatchOptions, type WatchOutcome } from './watch/loop.js'

export type WatchStart = Pick<
  WatchOptions,
  'deploymentId' | 'taskDefinitionArn' | 'since' | 'knownEventIds' | 'serviceDeploymentArn' | 'onUnplaced'
>

/** The wait, in its phase, as the plan's watch policy says (strategy, limits, what a pause does). */
export async function watch(
  clients: AwsClients,
  service: ServiceTarget,
  report: DeployReport,
  signal: AbortSignal,
  meter: CallMeter,
  start: WatchStart,
  sleep?: Sleep
): Promise<WatchOutcome> {
  report.strategy = service.watch.strategy
  report.alarms = service.watch.alarms
  const outcome = await phase('watch', 'Wait for the deployment', report, () =>
    watchDeployment({
      ...start,
      ecs: clients.ecs,
      cluster: service.update.cluster,
      service: service.name,
      timeoutMs: service.watch.timeoutMs,
      maxFailedTasks: service.watch.maxFailedTasks,
      strategy: service.watch.strategy,
      signal,
      meter,
      sleep,
      onEvent: event => core.info(inert(logEvent(event))),
      onProgress: line => core.info(inert(line)),
      onPause: pauseHandler(clients.ecs, service.watch.onPause, report.consoleUrl)
    })
  )
  report.outcome = outcome
  report.serviceDeploymentArn = outcome.serviceDeployment?.serviceDeploymentArn ?? report.serviceDeploymentArn
  setOutputs(report)
  return outcome
}

/**
 * CPU and memory from the 30 minutes before the deploy to now (the end of the deployment, or of a watch
 * after it), for the summary and the log. Never throws: readDeployMetrics returns a failure as one line.
 */
export async function chartMetrics(
  clients: AwsClients,
  service: ServiceTarget,
  deployAt: Date,
  report: DeployReport,
  signal: AbortSignal
): Promise<void> {
  if (signal.aborted) return
  const watched = report.timings?.find(t => t.id === 'watch' && t.at)
  const end = new Date()
  const deployEnd = watched?.at ? new Date(watched.at.getTime() + watched.ms) : end
  await core.group('CPU and memory', async () => {
    report.metrics = await readDeployMetrics(clients.cloudwatch, {
      cluster: service.update.cluster,
      service: service.name,
      deployAt,
      deployEnd,
      end,
      signal
    })
    printMetrics(report.metrics)
  })
}

/** The post-deploy watch, in its phase: the deployment's outcome when green, else a failed (or cancelled) one. */
export async function watchAfter(
  clients: AwsClients,
  after: NonNullable<ServiceTarget['watch']['after']>,
  deployed: WatchOutcome,
  report: DeployReport,
  signal: AbortSignal,
  sleep?: Sleep
): Promise<WatchOutcome> {
  core.info(inert(deployed.message))
  const result = await phase('watch', 'Watch after the deployment', report, () =>
    watchAfterDeployment({
      cloudwatch: clients.cloudwatch,
      alarms: after.alarms,
      windowMs: after.ms,
      signal,
      sleep,
      onProgress: line => core.info(inert(line))
    })
  )
  report.afterWatch = {
    minutes: after.ms / 60_000,
    alarms: after.alarms,
    status: result.status,
    ...(result.status === 'alarm' ? { alarm: result.alarm.name, reason: result.alarm.reason } : {})
  }
  if (result.status === 'green') return deployed
  const outcome = afterOutcome(deployed, result, after.ms)
  report.outcome = outcome
  return outcome
}

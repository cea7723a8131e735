/**
 * How a BLUE_GREEN, LINEAR or CANARY service deployment ends: SUCCESSFUL after the clean-up, STOPPED
 * (failed without rollback, or StopServiceDeployment ABORT: traffic and tasks stay where they are), or
 * rolled back — production and test traffic back on blue at once while blue still runs, green's tasks
 * stopped, then ROLLBACK_SUCCESSFUL. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.html
 */
import { addEvent, launchTasks, stopTasks } from '../core.js'
import { isHealthy } from '../lifecycle.js'
import type { NativeScope } from './native.js'
import { liveOf } from './native.js'

function outcome(scope: NativeScope, outcome: 'COMPLETED' | 'FAILED' | 'ROLLED_BACK', reason: string): void {
  const tl = scope.ctx.timelineEntry(scope.green.id)
  if (tl && tl.outcome === null) Object.assign(tl, { outcome, decidableAt: scope.ctx.clock.now(), reason })
}

export function finishNative(scope: NativeScope): void {
  const { ctx, s, green, n, blue } = scope
  const now = ctx.clock.now()
  n.status = 'SUCCESSFUL'
  n.statusReason = `Service deployment ${green.id} completed.`
  n.finishedAt = now
  green.rolloutState = 'COMPLETED'
  green.rolloutStateReason = `ECS deployment ${green.id} completed.`
  green.finishedAt = now
  green.updatedAt = now
  s.lastCompleted = { id: green.id, taskDefinitionArn: green.taskDefinitionArn }
  if (blue) {
    blue.status = 'INACTIVE'
    blue.desiredCount = 0
    blue.updatedAt = now
  }
  s.deployments = s.deployments.filter(d => d.status !== 'INACTIVE')
  addEvent(ctx, s, `(service ${s.name}) (deployment ${green.id}) deployment completed.`)
  outcome(scope, 'COMPLETED', green.rolloutStateReason)
}

/** The deployment failed (breaker, alarm, hook): rolled back when `rollback`, else STOPPED as it stands. */
export function failNative(
  scope: NativeScope,
  cause: { reason: string; event: string; rollback: boolean }
): void {
  const { ctx, s, green, n } = scope
  const now = ctx.clock.now()
  addEvent(ctx, s, cause.event)
  green.rolloutState = 'FAILED'
  green.rolloutStateReason = cause.reason
  green.updatedAt = now
  n.statusReason = cause.reason
  if (cause.rollback) {
    startRollback(scope, cause.reason)
    return
  }
  n.status = 'STOPPED'
  n.stoppedAt = now
  n.finishedAt = now
  green.finishedAt = now
  outcome(scope, 'FAILED', cause.reason)
}

function startRollback(scope: NativeScope, reason: string): void {
  const { ctx, s, green, n, blue } = scope
  const now = ctx.clock.now()
  n.rollbackReason = reason
  n.rollbackStartedAt = now
  if (!blue) {
    n.status = 'ROLLBACK_FAILED'
    n.statusReason = `${reason} There is no earlier service revision to roll back to.`
    n.finishedAt = now
    green.finishedAt = now
    outcome(scope, 'FAILED', n.statusReason)
    return
  }
  n.status = 'ROLLBACK_IN_PROGRESS'
  n.productionWeight = 0
  n.testWeight = 0
  green.rolloutState = 'FAILED'
  green.rolloutStateReason = reason
  green.status = 'ACTIVE'
  blue.status = 'PRIMARY'
  blue.updatedAt = now
  s.deployments = [blue, ...s.deployments.filter(d => d !== blue)]
  s.steady = false
  addEvent(ctx, s, `(service ${s.name}) rolling back to deployment ${blue.id}.`)
  outcome(scope, 'ROLLED_BACK', `Service deployment rolled back to deployment ${blue.id}: ${reason}`)
}

/** Carries a requested stop or rollback on, one tick at a time. */
export function progressRollback(scope: NativeScope): void {
  const { ctx, r, s, green, n, blue } = scope
  const now = ctx.clock.now()
  if (n.status === 'STOP_REQUESTED') {
    n.status = 'STOPPED'
    n.statusReason = 'Service deployment stopped by StopServiceDeployment (ABORT).'
    n.stoppedAt = now
    n.finishedAt = now
    green.rolloutState = 'FAILED'
    green.rolloutStateReason = n.statusReason
    green.finishedAt = now
    addEvent(ctx, s, `(service ${s.name}) (deployment ${green.id}) deployment stopped.`)
    outcome(scope, 'FAILED', n.statusReason)
    return
  }
  if (n.status === 'ROLLBACK_REQUESTED') {
    const reason = n.rollbackReason ?? 'Service deployment rolled back by StopServiceDeployment.'
    green.rolloutState = 'FAILED'
    green.rolloutStateReason = reason
    n.statusReason = reason
    startRollback(scope, reason)
    if (!blue) return
  }
  if (!blue) return
  stopTasks(ctx, s, liveOf(scope, green), blue.id)
  blue.desiredCount = s.desiredCount
  const blueLive = liveOf(scope, blue)
  if ((blue.nextLaunchAt ?? 0) <= now)
    scope.live.push(...launchTasks(ctx, r, s, blue, blue.desiredCount - blueLive.length))
  const greenGone = ![...r.tasks.values()].some(
    t => t.deploymentId === green.id && t.lastStatus !== 'STOPPED'
  )
  const blueReady = liveOf(scope, blue).filter(isHealthy).length >= blue.desiredCount
  if (!greenGone || !blueReady) return
  n.status = 'ROLLBACK_SUCCESSFUL'
  n.finishedAt = now
  green.status = 'INACTIVE'
  green.desiredCount = 0
  green.finishedAt = now
  green.updatedAt = now
  s.deployments = s.deployments.filter(d => d !== green)
  s.lastCompleted = { id: blue.id, taskDefinitionArn: blue.taskDefinitionArn }
  addEvent(
    ctx,
    s,
    `(service ${s.name}) (deployment ${green.id}) rollback to deployment ${blue.id} completed.`
  )
}

import type { SimContext } from '../context.js'
import { addEvent, newDeployment, stopTasks } from './core.js'
import { launchFor } from './capacity/placement.js'
import { isHealthy } from './lifecycle.js'
import { breakerThreshold } from './lookup.js'
import { alarmsInAlarm } from './alarms.js'
import { activeNative, reconcileNative } from './strategies/native.js'
import type { Deployment, EcsRegion, Service, SimTask } from './state.js'

/**
 * The service scheduler's part, once a tick for each service: the rolling update (launch up to
 * maximumPercent, stop old tasks while minimumHealthyPercent stays healthy), the circuit breaker and its
 * rollback, old deployments draining away, completion and the steady state, each with ECS's event text.
 */
export function reconcileService(ctx: SimContext, r: EcsRegion, s: Service): void {
  const now = ctx.clock.now()
  if (s.status === 'INACTIVE') return
  const mine = [...r.tasks.values()].filter(t => t.clusterName === s.clusterName && t.serviceName === s.name)
  const live = mine.filter(t => t.desiredStatus === 'RUNNING')
  const liveOf = (d: Deployment) => live.filter(t => t.deploymentId === d.id)

  if (s.status === 'DRAINING') {
    if (mine.every(t => t.lastStatus === 'STOPPED')) {
      s.status = 'INACTIVE'
      for (const d of s.deployments) d.status = 'INACTIVE'
      s.deployments = []
    }
    return
  }
  const native = activeNative(s)
  if (native) {
    reconcileNative(ctx, r, s, native)
    return
  }
  const primary = s.deployments[0]
  if (!primary) return
  const desired = s.desiredCount
  primary.desiredCount = desired
  const cfg = s.config

  // Circuit breaker (or, without it, ECS's "unable to consistently start tasks" warning), and alarms.
  if (primary.rolloutState === 'IN_PROGRESS' && !primary.aborted) {
    const cb = cfg.circuitBreaker
    if (cb.enable && cb.resetOnHealthyTask === true) {
      const fresh = liveOf(primary).filter(t => isHealthy(t) && !t.countedHealthy)
      if (fresh.length > 0) primary.breakerCount = 0
      for (const t of fresh) t.countedHealthy = true
    }
    const alarmed = cfg.alarms?.enable ? alarmsInAlarm(ctx.alarms, cfg.alarms.alarmNames) : []
    if (cb.enable && primary.breakerCount >= breakerThreshold(desired, cb.thresholdConfiguration)) {
      primary.breakerTrippedAt = now
      trip(ctx, r, s, primary, {
        reason: 'ECS deployment circuit breaker: tasks failed to start.',
        event: 'tasks failed to start.',
        rollback: cb.rollback,
        by: 'ECS deployment circuit breaker'
      })
    } else if (alarmed.length > 0 && !primary.rollbackOf) {
      primary.triggeredAlarms = alarmed
      trip(ctx, r, s, primary, {
        reason: `One or more CloudWatch alarms are in ALARM state: ${alarmed.join(', ')}.`,
        event: 'alarm detected.',
        rollback: cfg.alarms?.rollback ?? false,
        by: 'ECS deployment alarms'
      })
    } else if (!cfg.circuitBreaker.enable && primary.failedTasks >= 3 && !primary.unableEventSent) {
      primary.unableEventSent = true
      addEvent(
        ctx,
        s,
        `(service ${s.name}) is unable to consistently start tasks successfully. For more information, see the ` +
          `Troubleshooting section of the Amazon ECS Developer Guide.`
      )
    }
  }
  const current = s.deployments[0]
  const failed = current.rolloutState === 'FAILED' || current.aborted === true
  const maxTotal = Math.floor((desired * cfg.maximumPercent) / 100)
  const minHealthy = Math.ceil((desired * cfg.minimumHealthyPercent) / 100)

  // Launch new tasks for the PRIMARY, up to maximumPercent of desired in total.
  const currentLive = liveOf(current)
  if (!failed && (current.nextLaunchAt ?? 0) <= now) {
    const started = launchFor(
      ctx,
      r,
      s,
      current,
      Math.min(desired - currentLive.length, maxTotal - live.length)
    )
    live.push(...started)
    currentLive.push(...started)
  }

  // Stop old deployments' tasks while the healthy count stays at or above minimumHealthyPercent,
  // and the PRIMARY's surplus after a scale-in.
  const stopping: SimTask[] = []
  if (!failed) {
    let healthy = live.filter(isHealthy).length
    const olds = s.deployments.slice(1).reverse()
    const candidates = olds.flatMap(liveOf).sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b)))
    for (const t of candidates) {
      if (!isHealthy(t)) stopping.push(t)
      else if (healthy - 1 >= minHealthy) {
        stopping.push(t)
        healthy--
      }
    }
  }
  if (currentLive.length > desired) {
    const surplus = [...currentLive].sort(
      (a, b) => Number(isHealthy(a)) - Number(isHealthy(b)) || b.createdAt - a.createdAt
    )
    stopping.push(...surplus.slice(0, currentLive.length - desired))
  }
  stopTasks(ctx, s, stopping, current.id)

  // Old deployments shrink to what they still run and leave the list once all their tasks stopped.
  for (const d of s.deployments.slice(1)) {
    const remaining = mine.filter(t => t.deploymentId === d.id && t.desiredStatus === 'RUNNING').length
    if (d.desiredCount !== remaining) {
      d.desiredCount = remaining
      d.updatedAt = now
    }
    if (mine.every(t => t.deploymentId !== d.id || t.lastStatus === 'STOPPED')) {
      d.status = 'INACTIVE'
      d.updatedAt = now
    }
  }
  s.deployments = s.deployments.filter(d => d.status !== 'INACTIVE')

  // Completion: only the PRIMARY is left, with desired tasks running (and healthy).
  const ready = liveOf(current)
  const settled = s.deployments.length === 1 && ready.length === desired && ready.every(isHealthy)
  if (current.rolloutState === 'IN_PROGRESS' && settled) {
    current.rolloutState = 'COMPLETED'
    current.rolloutStateReason = `ECS deployment ${current.id} completed.`
    current.finishedAt = now
    current.updatedAt = now
    s.lastCompleted = { id: current.id, taskDefinitionArn: current.taskDefinitionArn }
    addEvent(ctx, s, `(service ${s.name}) (deployment ${current.id}) deployment completed.`)
    const tl = ctx.timelineEntry(current.id)
    if (tl && tl.outcome === null)
      Object.assign(tl, { outcome: 'COMPLETED', decidableAt: now, reason: current.rolloutStateReason })
  }
  const steady = settled && current.rolloutState === 'COMPLETED'
  if (steady && !s.steady) addEvent(ctx, s, `(service ${s.name}) has reached a steady state.`)
  s.steady = steady
}

/** Why a rolling deployment fails: the breaker, an alarm, or StopServiceDeployment(ROLLBACK). */
export interface TripCause {
  reason: string
  /** The event's tail after "deployment failed: ". */
  event: string
  rollback: boolean
  /** Who rolls back, in the rollback deployment's reason ("ECS deployment circuit breaker"). */
  by: string
}

/** The deployment FAILED and, with rollback, a new deployment to the last completed one. */
export function trip(ctx: SimContext, r: EcsRegion, s: Service, d: Deployment, cause: TripCause): void {
  const now = ctx.clock.now()
  d.rolloutState = 'FAILED'
  d.rolloutStateReason = cause.reason
  d.finishedAt = now
  d.updatedAt = now
  addEvent(ctx, s, `(service ${s.name}) (deployment ${d.id}) deployment failed: ${cause.event}`)
  const tl = ctx.timelineEntry(d.id)
  const target = s.lastCompleted
  // A failing rollback is not rolled back again.
  if (cause.rollback && target && !d.rollbackOf) {
    const rb = newDeployment(
      ctx,
      r,
      s,
      target.taskDefinitionArn,
      `${cause.by}: rolling back to deploymentId ${target.id}.`,
      d.id
    )
    d.rolledBackBy = rb.id
    d.rollbackStartedAt = now
    addEvent(ctx, s, `(service ${s.name}) rolling back to deployment ${target.id}.`)
    if (tl) Object.assign(tl, { outcome: 'ROLLED_BACK', decidableAt: now, reason: rb.rolloutStateReason })
  } else if (tl) Object.assign(tl, { outcome: 'FAILED', decidableAt: now, reason: d.rolloutStateReason })
}

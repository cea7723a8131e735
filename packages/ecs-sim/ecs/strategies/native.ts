/**
 * The BLUE_GREEN, LINEAR and CANARY service deployment, once a tick: green (the deployment's own
 * revision) scales up beside blue, test traffic moves to green, production traffic moves as the
 * strategy's steps say, both colours run through the bake, blue is cleaned up, then SUCCESSFUL. Each
 * stage runs its lifecycle hooks; the circuit breaker and the deployment's alarms can fail it at any stage.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html
 */
import type { SimContext } from '../../context.js'
import { alarmsInAlarm } from '../alarms.js'
import { addEvent, launchTasks, stopTasks } from '../core.js'
import { isHealthy } from '../lifecycle.js'
import { breakerThreshold } from '../lookup.js'
import type { Deployment, EcsRegion, NativeDeployment, Service, SimTask } from '../state.js'
import { blueGreenSteps } from './blue-green.js'
import { canarySteps } from './canary.js'
import { startHooks, settleHooks } from './hooks.js'
import { linearSteps } from './linear.js'
import { failNative, finishNative, progressRollback } from './native-end.js'
import { MINUTE, type ShiftStep } from './steps.js'

export const NATIVE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP'
] as const

const TERMINAL = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']

export function isTerminal(n: NativeDeployment): boolean {
  return TERMINAL.includes(n.status)
}

export function shiftSteps(d: Deployment): ShiftStep[] {
  const n = d.native
  if (n?.strategy === 'LINEAR') return linearSteps(d.config)
  if (n?.strategy === 'CANARY') return canarySteps(d.config)
  return blueGreenSteps(d.config)
}

/** The service's live deployment with an unfinished native service deployment, if any. */
export function activeNative(s: Service): Deployment | undefined {
  return s.deployments.find(d => d.native && !isTerminal(d.native))
}

export interface NativeScope {
  ctx: SimContext
  r: EcsRegion
  s: Service
  green: Deployment
  n: NativeDeployment
  blue?: Deployment
  /** The service's tasks that are still meant to run. */
  live: SimTask[]
}

export function liveOf(scope: NativeScope, d: Deployment | undefined): SimTask[] {
  return d ? scope.live.filter(t => t.deploymentId === d.id) : []
}

function enter(scope: NativeScope, stage: string): void {
  const { ctx, n, green } = scope
  const now = ctx.clock.now()
  n.lifecycleStage = stage
  n.stageSince = now
  n.stages.push({ stage, at: now })
  const tl = ctx.timelineEntry(green.id)
  if (tl) (tl.stages ??= []).push({ stage, at: now })
  n.hooks.push(...startHooks(ctx.clock, green.config.lifecycleHooks ?? [], stage))
  green.updatedAt = now
}

/** Does the stage's own work; true once it is done. */
function work(scope: NativeScope, stage: string): boolean {
  const { ctx, s, green, n } = scope
  const now = ctx.clock.now()
  const greenLive = liveOf(scope, green)
  switch (stage) {
    case 'SCALE_UP':
      return greenLive.length >= green.desiredCount && greenLive.every(isHealthy)
    case 'TEST_TRAFFIC_SHIFT':
      n.testWeight = 100
      return true
    case 'PRODUCTION_TRAFFIC_SHIFT': {
      const steps = shiftSteps(green)
      if (n.step < 0 || (n.step < steps.length - 1 && ctx.clock.elapsed(n.stepSince, steps[n.step].bakeMs))) {
        n.step++
        n.stepSince = now
        n.productionWeight = steps[n.step].weight
        addEvent(
          ctx,
          s,
          `(service ${s.name}) (deployment ${green.id}) shifted ${n.productionWeight}% of production traffic to the new service revision.`
        )
      }
      return n.step === steps.length - 1
    }
    case 'BAKE_TIME':
      return ctx.clock.elapsed(n.stageSince, (green.config.bakeTimeInMinutes ?? 0) * MINUTE)
    case 'CLEAN_UP': {
      const blueLive = liveOf(scope, scope.blue)
      if (blueLive.length > 0) stopTasks(ctx, s, blueLive, green.id)
      const r = scope.r
      return ![...r.tasks.values()].some(
        t => scope.blue && t.deploymentId === scope.blue.id && t.lastStatus !== 'STOPPED'
      )
    }
    default:
      return true
  }
}

/** Green's tasks: started once SCALE_UP is reached, failed ones replaced (after ECS's restart throttle). */
function keepGreen(scope: NativeScope): void {
  const { ctx, r, s, green, n } = scope
  if (NATIVE_STAGES.indexOf(n.lifecycleStage as never) < NATIVE_STAGES.indexOf('SCALE_UP')) return
  if ((green.nextLaunchAt ?? 0) > ctx.clock.now()) return
  const started = launchTasks(ctx, r, s, green, green.desiredCount - liveOf(scope, green).length)
  scope.live.push(...started)
}

/** The circuit breaker (with resetOnHealthyTask) and the alarms; true when one of them failed it. */
function monitors(scope: NativeScope): boolean {
  const { ctx, s, green, n } = scope
  const cb = green.config.circuitBreaker
  if (cb.enable) {
    if (cb.resetOnHealthyTask === true && liveOf(scope, green).some(t => isHealthy(t) && !t.countedHealthy))
      green.breakerCount = 0
    for (const t of liveOf(scope, green)) if (isHealthy(t)) t.countedHealthy = true
    if (green.breakerCount >= breakerThreshold(green.desiredCount, cb.thresholdConfiguration)) {
      green.breakerTrippedAt = ctx.clock.now()
      failNative(scope, {
        reason: 'ECS deployment circuit breaker: tasks failed to start.',
        event: `(service ${s.name}) (deployment ${green.id}) deployment failed: tasks failed to start.`,
        rollback: cb.rollback
      })
      return true
    }
  }
  const alarms = green.config.alarms
  if (alarms?.enable) {
    const hit = alarmsInAlarm(ctx.alarms, alarms.alarmNames)
    if (hit.length > 0) {
      n.triggeredAlarms = hit
      failNative(scope, {
        reason: `One or more CloudWatch alarms are in ALARM state: ${hit.join(', ')}.`,
        event: `(service ${s.name}) (deployment ${green.id}) deployment failed: alarm detected.`,
        rollback: alarms.rollback
      })
      return true
    }
  }
  return false
}

export function reconcileNative(ctx: SimContext, r: EcsRegion, s: Service, green: Deployment): void {
  const n = green.native as NativeDeployment
  const live = [...r.tasks.values()].filter(
    t => t.clusterName === s.clusterName && t.serviceName === s.name && t.desiredStatus === 'RUNNING'
  )
  const blue = n.blueId ? s.history.find(x => x.id === n.blueId) : undefined
  const scope: NativeScope = { ctx, r, s, green, n, blue, live }
  green.desiredCount = s.desiredCount
  if (
    n.status === 'ROLLBACK_REQUESTED' ||
    n.status === 'ROLLBACK_IN_PROGRESS' ||
    n.status === 'STOP_REQUESTED'
  ) {
    progressRollback(scope)
    return
  }
  if (n.stages.length === 0) enter(scope, n.lifecycleStage)
  keepGreen(scope)
  if (monitors(scope)) return
  // Stages without anything to wait for pass in the same tick.
  for (;;) {
    const stage = n.lifecycleStage
    const hooks = settleHooks(
      n.hooks.filter(h => h.stage === stage),
      ctx.hookRules,
      ctx.clock
    )
    if (hooks.verdict === 'rollback') {
      failNative(scope, {
        reason: hooks.reason ?? 'A lifecycle hook failed.',
        event: `(service ${s.name}) (deployment ${green.id}) deployment failed: ${hooks.reason}`,
        rollback: true
      })
      return
    }
    const done = work(scope, stage)
    if (!done || hooks.verdict === 'wait') return
    const next = NATIVE_STAGES[NATIVE_STAGES.indexOf(stage as never) + 1]
    if (!next) {
      finishNative(scope)
      return
    }
    enter(scope, next)
    keepGreen(scope)
  }
}

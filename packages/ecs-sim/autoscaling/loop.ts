/**
 * Target tracking at work: once per evaluation period (a minute, scaled by the sim's time scale) each scalable
 * target's policies read their metric through `ctx.metrics`, decide (decide.ts), and the chosen change sets the
 * service's desired count through UpdateService (capacity.ts). Called from the scheduler's tick.
 */
import type { SimContext } from '../context.js'
import { deleteAlarms } from './alarms.js'
import { serviceOf, setDesiredCount } from './capacity.js'
import { combine, decide, LOW_PERIODS, type Decision } from './decide.js'
import type { ScalableTarget, ScalingPolicy, ScalingRegion } from './state.js'

/** CloudWatch's standard resolution, the period of target tracking's alarms for the ECS metrics (unscaled). */
export const PERIOD_MS = 60_000

/** The policy's metric per period, newest first, over the last LOW_PERIODS periods ending now. */
function periodsOf(ctx: SimContext, p: ScalingPolicy, now: number, period: number): (number | undefined)[] {
  const key = {
    namespace: p.metric.namespace,
    metricName: p.metric.metricName,
    dimensions: p.metric.dimensions
  }
  const out: (number | undefined)[] = []
  for (let k = 0; k < LOW_PERIODS; k++)
    out.push(ctx.metrics.statistic(key, p.metric.statistic, now - (k + 1) * period, now - k * period))
  return out
}

async function evaluateTarget(ctx: SimContext, scaling: ScalingRegion, t: ScalableTarget, current: number) {
  const now = ctx.clock.now()
  const period = ctx.clock.delay(PERIOD_MS)
  const each = scaling.policiesOf(t.resourceId).map(policy => ({
    policy,
    decision: decide({
      periods: periodsOf(ctx, policy, now, period),
      targetValue: policy.targetValue,
      current,
      min: t.min,
      max: t.max,
      disableScaleIn: policy.disableScaleIn,
      scaleOutSuspended: t.suspended.DynamicScalingOutSuspended,
      scaleInSuspended: t.suspended.DynamicScalingInSuspended,
      now,
      scaleOutCooldownMs: ctx.clock.delay(policy.scaleOutCooldown * 1000),
      scaleInCooldownMs: ctx.clock.delay(policy.scaleInCooldown * 1000),
      lastScaleOut: t.lastScaleOut,
      lastScaleIn: t.lastScaleIn
    }) as Decision
  }))
  const chosen = combine(each)
  if (!chosen) return
  const { policy, decision } = chosen
  const alarm = decision.alarm === 'AlarmHigh' ? policy.alarmHigh : policy.alarmLow!
  const cause = `monitor alarm ${alarm.AlarmName} in state ALARM triggered policy ${policy.name}`
  if (!(await setDesiredCount(ctx, scaling, t, decision.desired, cause))) return
  if (decision.direction === 'out') {
    const cooling =
      t.lastScaleOut && now - t.lastScaleOut.at < ctx.clock.delay(policy.scaleOutCooldown * 1000)
    t.lastScaleOut = { at: now, from: cooling ? t.lastScaleOut!.from : current }
    // A scale-out ends a scale-in cooldown.
    t.lastScaleIn = undefined
  } else t.lastScaleIn = { at: now }
}

/** One pass over every target: due ones are evaluated; a target whose service is gone is deregistered. */
export async function evaluateScaling(ctx: SimContext): Promise<void> {
  const period = ctx.clock.delay(PERIOD_MS)
  for (const scaling of ctx.autoscaling.values()) {
    for (const t of [...scaling.targets.values()]) {
      const service = serviceOf(ctx, scaling.region, t.cluster, t.service)
      if (!service) {
        // Deleting an ECS service deregisters its scalable target and deletes its policies.
        deleteAlarms(ctx, scaling.policiesOf(t.resourceId))
        scaling.removeTarget(t.resourceId)
        continue
      }
      const now = ctx.clock.now()
      if (t.evaluatedAt !== undefined && now - t.evaluatedAt < period) continue
      t.evaluatedAt = now
      await evaluateTarget(ctx, scaling, t, service.desiredCount)
    }
  }
}

/**
 * The CloudWatch alarms a target tracking policy creates and owns, in the local CloudWatch's one alarm model
 * (`ctx.alarms`), so DescribeAlarms shows them as it does in AWS: AlarmHigh (metric above the target for 3
 * one-minute periods) and AlarmLow (below 90% of it for 15), their actions the policy. They are deleted with
 * the policy (DeleteScalingPolicy, DeregisterScalableTarget, the service's deletion, DisableScaleIn for AlarmLow).
 * The loop decides from the same rule on the same metric (decide.ts); these alarms show it.
 */
import type { AlarmDefinition } from '../cloudwatch/alarm-store.js'
import type { SimContext } from '../context.js'
import { HIGH_PERIODS, LOW_FACTOR, LOW_PERIODS } from './decide.js'
import type { ScalingPolicy } from './state.js'

function definition(p: ScalingPolicy, which: 'high' | 'low', now: number): AlarmDefinition {
  const high = which === 'high'
  return {
    namespace: p.metric.namespace,
    metricName: p.metric.metricName,
    dimensions: p.metric.dimensions.map(d => ({ ...d })),
    statistic: p.metric.statistic,
    period: 60,
    evaluationPeriods: high ? HIGH_PERIODS : LOW_PERIODS,
    datapointsToAlarm: high ? HIGH_PERIODS : LOW_PERIODS,
    threshold: high ? p.targetValue : p.targetValue * LOW_FACTOR,
    comparison: high ? 'GreaterThanThreshold' : 'LessThanThreshold',
    treatMissingData: 'missing',
    description: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${p.arn}.`,
    actionsEnabled: true,
    okActions: [],
    alarmActions: [p.arn],
    insufficientDataActions: [],
    updatedAt: now
  }
}

/** Defines (or redefines, keeping their state) the policy's alarms; drops an old AlarmLow it no longer has. */
export function defineAlarms(ctx: SimContext, region: string, p: ScalingPolicy, old?: ScalingPolicy): void {
  const now = ctx.clock.now()
  ctx.alarms.define(p.alarmHigh.AlarmName, region, definition(p, 'high', now), now)
  if (p.alarmLow) ctx.alarms.define(p.alarmLow.AlarmName, region, definition(p, 'low', now), now)
  else if (old?.alarmLow) ctx.alarms.delete(old.alarmLow.AlarmName)
}

export function deleteAlarms(ctx: SimContext, policies: ScalingPolicy[]): void {
  for (const p of policies) {
    ctx.alarms.delete(p.alarmHigh.AlarmName)
    if (p.alarmLow) ctx.alarms.delete(p.alarmLow.AlarmName)
  }
}

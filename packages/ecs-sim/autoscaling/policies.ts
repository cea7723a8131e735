/**
 * PutScalingPolicy, DescribeScalingPolicies and DeleteScalingPolicy: target tracking policies on ECS services,
 * with the predefined ECS metrics (CPU, memory, ALB requests per target) or a customized CloudWatch metric.
 */
import { clean, epoch, type Json } from '../util.js'
import {
  ECS_DIMENSION,
  ECS_NAMESPACE,
  policyArn,
  targetTrackingAlarm,
  type MetricSource,
  type ScalingPolicy
} from './state.js'
import {
  dimensionOf,
  invalid,
  namespaceOf,
  noTarget,
  optBool,
  optCount,
  optObject,
  optString,
  optStrings,
  page,
  reqString,
  scalingRegion,
  targetKeyOf,
  type AasCall
} from './validate.js'
import { AwsError } from '../util.js'
import { serviceOf } from './capacity.js'
import { defineAlarms, deleteAlarms } from './alarms.js'

/** Application Auto Scaling's default cooldowns for ECS services (seconds). */
export const DEFAULT_COOLDOWN = 300

const STATISTICS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'] as const

/** The metric a predefined type names for `service/<cluster>/<service>`, or a refusal. */
export function predefinedMetric(
  type: string,
  label: string | undefined,
  cluster: string,
  service: string
): MetricSource {
  const dims = [
    { Name: 'ClusterName', Value: cluster },
    { Name: 'ServiceName', Value: service }
  ]
  if (type !== 'ALBRequestCountPerTarget' && label !== undefined)
    throw invalid(
      `ResourceLabel can only be specified with the ALBRequestCountPerTarget metric type, not ${type}.`
    )
  switch (type) {
    case 'ECSServiceAverageCPUUtilization':
      return { namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensions: dims, statistic: 'Average' }
    case 'ECSServiceAverageMemoryUtilization':
      return { namespace: 'AWS/ECS', metricName: 'MemoryUtilization', dimensions: dims, statistic: 'Average' }
    case 'ALBRequestCountPerTarget': {
      const m = label && /^app\/[^/]+\/[^/]+\/(targetgroup\/[^/]+\/[^/]+)$/.exec(label)
      if (!label)
        throw invalid(
          'Resource label should be specified for predefined metric type ALBRequestCountPerTarget'
        )
      if (!m)
        throw invalid(`Invalid resource label '${label}' for predefined metric type ALBRequestCountPerTarget`)
      return {
        namespace: 'AWS/ApplicationELB',
        metricName: 'RequestCountPerTarget',
        dimensions: [{ Name: 'TargetGroup', Value: m[1] }],
        statistic: 'Sum'
      }
    }
    default:
      throw invalid(`Unsupported metric type ${type} for service namespace ${ECS_NAMESPACE}.`)
  }
}

function customizedMetric(spec: Json): MetricSource {
  if (spec.Metrics !== undefined)
    throw invalid('The local ECS does not evaluate metric math (CustomizedMetricSpecification.Metrics).')
  const namespace = reqString(spec, 'Namespace')
  const metricName = reqString(spec, 'MetricName')
  const statistic = reqString(spec, 'Statistic')
  if (!(STATISTICS as readonly string[]).includes(statistic))
    throw invalid(`Statistic must be one of ${STATISTICS.join(', ')}.`)
  const raw = spec.Dimensions ?? []
  if (!Array.isArray(raw)) throw invalid('Dimensions must be a list.')
  const dimensions = (raw as Json[]).map(d => ({ Name: reqString(d, 'Name'), Value: reqString(d, 'Value') }))
  return { namespace, metricName, dimensions, statistic: statistic as MetricSource['statistic'] }
}

/** ALBRequestCountPerTarget counts requests of a target group the service is attached to. */
function requireTargetGroup(
  ctx: AasCall['ctx'],
  region: string,
  key: { resourceId: string; cluster: string; service: string },
  targetGroup: string
): void {
  const s = serviceOf(ctx, region, key.cluster, key.service)
  const attached = s?.loadBalancers.some(
    lb => typeof lb.targetGroupArn === 'string' && lb.targetGroupArn.endsWith(`:${targetGroup}`)
  )
  if (!attached)
    throw invalid(`Target group ${targetGroup} is not attached to ECS service ${key.resourceId}.`)
}

function render(p: ScalingPolicy): Json {
  return clean({
    PolicyARN: p.arn,
    PolicyName: p.name,
    ServiceNamespace: ECS_NAMESPACE,
    ResourceId: p.resourceId,
    ScalableDimension: ECS_DIMENSION,
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: p.configuration,
    Alarms: alarmsOf(p),
    CreationTime: epoch(p.createdAt)
  })
}

function alarmsOf(p: ScalingPolicy): Json[] {
  return p.alarmLow ? [{ ...p.alarmHigh }, { ...p.alarmLow }] : [{ ...p.alarmHigh }]
}

function putScalingPolicy({ ctx, region, input }: AasCall): Json {
  const name = reqString(input, 'PolicyName')
  if (name.length > 256 || /[:/]/.test(name)) throw invalid(`Invalid PolicyName: ${name}`)
  const key = targetKeyOf(input)
  const type = optString(input, 'PolicyType') ?? 'StepScaling'
  if (type !== 'TargetTrackingScaling')
    throw invalid(`The local ECS evaluates TargetTrackingScaling policies only, not ${type}.`)
  const config = optObject(input, 'TargetTrackingScalingPolicyConfiguration')
  if (!config)
    throw invalid('TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy.')
  const targetValue = config.TargetValue
  if (typeof targetValue !== 'number' || !Number.isFinite(targetValue))
    throw invalid('TargetTrackingScalingPolicyConfiguration.TargetValue is required and must be a number.')
  if (targetValue <= 0) throw invalid(`TargetValue must be greater than 0, got ${targetValue}.`)
  const predefined = optObject(config, 'PredefinedMetricSpecification')
  const customized = optObject(config, 'CustomizedMetricSpecification')
  if (!predefined === !customized)
    throw invalid(
      'Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified.'
    )
  const metric = predefined
    ? predefinedMetric(
        reqString(predefined, 'PredefinedMetricType'),
        optString(predefined, 'ResourceLabel'),
        key.cluster,
        key.service
      )
    : customizedMetric(customized!)
  const scaleOutCooldown = optCount(config, 'ScaleOutCooldown') ?? DEFAULT_COOLDOWN
  const scaleInCooldown = optCount(config, 'ScaleInCooldown') ?? DEFAULT_COOLDOWN
  const disableScaleIn = optBool(config, 'DisableScaleIn') ?? false

  const scaling = scalingRegion(ctx, region)
  if (!scaling.targets.has(key.resourceId)) throw noTarget(key.resourceId, 'registered')
  if (metric.namespace === 'AWS/ApplicationELB')
    requireTargetGroup(ctx, region, key, metric.dimensions[0].Value)
  let byName = scaling.policies.get(key.resourceId)
  if (!byName) scaling.policies.set(key.resourceId, (byName = new Map()))
  const old = byName.get(name)
  const policy: ScalingPolicy = {
    name,
    resourceId: key.resourceId,
    arn: old?.arn ?? policyArn(region, key.resourceId, name),
    createdAt: old?.createdAt ?? ctx.clock.now(),
    configuration: structuredClone(config),
    targetValue,
    scaleOutCooldown,
    scaleInCooldown,
    disableScaleIn,
    metric,
    alarmHigh: old?.alarmHigh ?? targetTrackingAlarm(region, key.resourceId, 'AlarmHigh'),
    // With scale-in disabled there is no low alarm (AWS creates only AlarmHigh then).
    alarmLow: disableScaleIn
      ? undefined
      : (old?.alarmLow ?? targetTrackingAlarm(region, key.resourceId, 'AlarmLow'))
  }
  byName.set(name, policy)
  defineAlarms(ctx, region, policy, old)
  return { PolicyARN: policy.arn, Alarms: alarmsOf(policy) }
}

function describeScalingPolicies({ ctx, region, input }: AasCall): Json {
  namespaceOf(input)
  const names = optStrings(input, 'PolicyNames')
  const resourceId = optString(input, 'ResourceId')
  dimensionOf(input, false)
  const all = [...scalingRegion(ctx, region).policies.values()]
    .flatMap(m => [...m.values()])
    .filter(p => resourceId === undefined || p.resourceId === resourceId)
    .filter(p => !names || names.length === 0 || names.includes(p.name))
    .sort((a, b) => a.createdAt - b.createdAt)
  const { items, next } = page(all, input, 10)
  return clean({ ScalingPolicies: items.map(render), NextToken: next })
}

function deleteScalingPolicy({ ctx, region, input }: AasCall): Json {
  const name = reqString(input, 'PolicyName')
  const key = targetKeyOf(input)
  const byName = scalingRegion(ctx, region).policies.get(key.resourceId)
  const policy = byName?.get(name)
  if (!byName || !policy)
    throw new AwsError(
      'ObjectNotFoundException',
      `No scaling policy found for service namespace: ${ECS_NAMESPACE}, resource ID: ${key.resourceId}, scalable dimension: ${ECS_DIMENSION}, policy name: ${name}`
    )
  byName.delete(name)
  deleteAlarms(ctx, [policy])
  return {}
}

export const POLICY_HANDLERS = {
  PutScalingPolicy: putScalingPolicy,
  DescribeScalingPolicies: describeScalingPolicies,
  DeleteScalingPolicy: deleteScalingPolicy
}

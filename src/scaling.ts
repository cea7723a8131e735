/**
 * Auto scaling I/O: what Application Auto Scaling has for the service (the plan reads it) and the change
 * src/scaling-plan.ts decided (main.ts applies it before the service is updated). Every SDK error
 * becomes one DeployError through awsFailure.
 */
import {
  DeleteScalingPolicyCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ApplicationAutoScalingClient,
  type ScalingPolicy
} from '@aws-sdk/client-application-auto-scaling'
import { awsFailure } from './aws.js'
import type { ScalingChange, ScalingState, TrackingPolicy } from './scaling-plan.js'

const NAMESPACE = 'ecs'
const DIMENSION = 'ecs:service:DesiredCount'
/** Pages of DescribeScalingPolicies read at most (50 policies each; a service has a handful). */
const MAX_PAGES = 10

/** A policy as read: target tracking on a predefined metric in full, anything else by name. */
export function policyOf(p: ScalingPolicy): TrackingPolicy | { name: string } {
  const name = p.PolicyName ?? ''
  const config = p.TargetTrackingScalingPolicyConfiguration
  const metric = config?.PredefinedMetricSpecification?.PredefinedMetricType
  if (p.PolicyType !== 'TargetTrackingScaling' || !config || !metric || config.TargetValue === undefined) {
    return { name }
  }
  const policy: TrackingPolicy = { name, metric, targetValue: config.TargetValue }
  const label = config.PredefinedMetricSpecification?.ResourceLabel
  if (label) policy.resourceLabel = label
  if (config.ScaleInCooldown !== undefined) policy.scaleInCooldown = config.ScaleInCooldown
  if (config.ScaleOutCooldown !== undefined) policy.scaleOutCooldown = config.ScaleOutCooldown
  return policy
}

/** The scalable target of the service and (when `withPolicies`) its scaling policies. */
export async function readScaling(
  client: ApplicationAutoScalingClient,
  resourceId: string,
  withPolicies: boolean
): Promise<ScalingState> {
  const subject = `scalable target ${resourceId}`
  let target: ScalingState['target']
  try {
    const found = await client.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: NAMESPACE,
        ScalableDimension: DIMENSION,
        ResourceIds: [resourceId]
      })
    )
    const t = found.ScalableTargets?.find(s => s.ResourceId === resourceId)
    if (t && t.MinCapacity !== undefined && t.MaxCapacity !== undefined) {
      target = { min: t.MinCapacity, max: t.MaxCapacity }
    }
  } catch (error) {
    throw awsFailure('application-autoscaling:DescribeScalableTargets', error, { subject })
  }
  const policies: ScalingState['policies'] = []
  if (!withPolicies || !target) return { target, policies }
  let token: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    try {
      const answer = await client.send(
        new DescribeScalingPoliciesCommand({
          ServiceNamespace: NAMESPACE,
          ScalableDimension: DIMENSION,
          ResourceId: resourceId,
          NextToken: token
        })
      )
      policies.push(...(answer.ScalingPolicies ?? []).map(policyOf))
      token = answer.NextToken
    } catch (error) {
      throw awsFailure('application-autoscaling:DescribeScalingPolicies', error, { subject })
    }
    if (!token) break
  }
  return { target, policies }
}

/** Applies the change: the target first (a policy needs it), then the policies. */
export async function applyScaling(
  client: ApplicationAutoScalingClient,
  change: ScalingChange
): Promise<void> {
  const ids = {
    ServiceNamespace: NAMESPACE,
    ScalableDimension: DIMENSION,
    ResourceId: change.resourceId
  } as const
  const subject = `scalable target ${change.resourceId}`
  if (change.register) {
    try {
      await client.send(
        new RegisterScalableTargetCommand({
          ...ids,
          MinCapacity: change.register.min,
          MaxCapacity: change.register.max
        })
      )
    } catch (error) {
      throw awsFailure('application-autoscaling:RegisterScalableTarget', error, {
        subject,
        hint: 'the first registration in an account also needs iam:CreateServiceLinkedRole (see the README)'
      })
    }
  }
  for (const p of change.put) {
    try {
      await client.send(
        new PutScalingPolicyCommand({
          ...ids,
          PolicyName: p.name,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: p.targetValue,
            PredefinedMetricSpecification: {
              PredefinedMetricType: p.metric as never,
              ...(p.resourceLabel ? { ResourceLabel: p.resourceLabel } : {})
            },
            ...(p.scaleInCooldown === undefined ? {} : { ScaleInCooldown: p.scaleInCooldown }),
            ...(p.scaleOutCooldown === undefined ? {} : { ScaleOutCooldown: p.scaleOutCooldown })
          }
        })
      )
    } catch (error) {
      throw awsFailure('application-autoscaling:PutScalingPolicy', error, { subject: `policy ${p.name}` })
    }
  }
  for (const name of change.remove) {
    try {
      await client.send(new DeleteScalingPolicyCommand({ ...ids, PolicyName: name }))
    } catch (error) {
      throw awsFailure('application-autoscaling:DeleteScalingPolicy', error, { subject: `policy ${name}` })
    }
  }
}

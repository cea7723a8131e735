/**
 * Application Auto Scaling's state in the local ECS: scalable targets, their scaling policies and the scaling
 * activities, per region, keyed as the service keys them (namespace, resource ID, scalable dimension).
 */
import { ACCOUNT_ID, hex, uuid } from '../util.js'

export const ECS_NAMESPACE = 'ecs'
export const ECS_DIMENSION = 'ecs:service:DesiredCount'

/** The service-linked role Application Auto Scaling uses for ECS when RegisterScalableTarget names none. */
export const ECS_SERVICE_LINKED_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`

export interface SuspendedState {
  DynamicScalingInSuspended: boolean
  DynamicScalingOutSuspended: boolean
  ScheduledScalingSuspended: boolean
}

export interface ScalableTarget {
  resourceId: string
  cluster: string
  service: string
  min: number
  max: number
  roleArn: string
  arn: string
  createdAt: number
  suspended: SuspendedState
  /** The last period the policies were evaluated (real ms); undefined until the first evaluation. */
  evaluatedAt?: number
  /** The last scale-out: when, and the capacity it started from (the cooldown counts what it added). */
  lastScaleOut?: { at: number; from: number }
  lastScaleIn?: { at: number }
}

/** Where a policy reads its metric: what `ctx.metrics.statistic` is asked. */
export interface MetricSource {
  namespace: string
  metricName: string
  dimensions: { Name: string; Value: string }[]
  statistic: 'Average' | 'Minimum' | 'Maximum' | 'Sum' | 'SampleCount'
}

export interface Alarm {
  AlarmName: string
  AlarmARN: string
}

export interface ScalingPolicy {
  name: string
  resourceId: string
  arn: string
  createdAt: number
  /** The TargetTrackingScalingPolicyConfiguration as the caller sent it (answered back as is). */
  configuration: Record<string, unknown>
  targetValue: number
  /** Seconds, unscaled (AWS's numbers); the loop scales them by the sim's time scale. */
  scaleOutCooldown: number
  scaleInCooldown: number
  disableScaleIn: boolean
  metric: MetricSource
  alarmHigh: Alarm
  alarmLow?: Alarm
}

export interface ScalingActivity {
  ActivityId: string
  ServiceNamespace: string
  ResourceId: string
  ScalableDimension: string
  Description: string
  Cause: string
  StartTime: number
  EndTime?: number
  StatusCode: 'Pending' | 'InProgress' | 'Successful' | 'Overridden' | 'Unfulfilled' | 'Failed'
  StatusMessage?: string
}

export class ScalingRegion {
  readonly region: string
  readonly targets = new Map<string, ScalableTarget>()
  /** By resource ID, then policy name. */
  readonly policies = new Map<string, Map<string, ScalingPolicy>>()
  /** Oldest first; DescribeScalingActivities answers newest first. */
  readonly activities: ScalingActivity[] = []

  constructor(region: string) {
    this.region = region
  }

  policiesOf(resourceId: string): ScalingPolicy[] {
    return [...(this.policies.get(resourceId)?.values() ?? [])]
  }

  /** Deregistering a target deletes its policies (and their alarms) with it, as AWS does. */
  removeTarget(resourceId: string): void {
    this.targets.delete(resourceId)
    this.policies.delete(resourceId)
  }

  record(activity: Omit<ScalingActivity, 'ActivityId' | 'ServiceNamespace' | 'ScalableDimension'>): void {
    this.activities.push({
      ActivityId: uuid(),
      ServiceNamespace: ECS_NAMESPACE,
      ScalableDimension: ECS_DIMENSION,
      ...activity
    })
    if (this.activities.length > 1000) this.activities.splice(0, this.activities.length - 1000)
  }
}

export function scalableTargetArn(region: string): string {
  return `arn:aws:application-autoscaling:${region}:${ACCOUNT_ID}:scalable-target/${hex(18)}`
}

export function policyArn(region: string, resourceId: string, name: string): string {
  return `arn:aws:autoscaling:${region}:${ACCOUNT_ID}:scalingPolicy:${uuid()}:resource/ecs/${resourceId}:policyName/${name}`
}

/** The CloudWatch alarm target tracking creates: `TargetTracking-<resource ID>-AlarmHigh-<uuid>`. */
export function targetTrackingAlarm(
  region: string,
  resourceId: string,
  which: 'AlarmHigh' | 'AlarmLow'
): Alarm {
  const name = `TargetTracking-${resourceId}-${which}-${uuid()}`
  return { AlarmName: name, AlarmARN: `arn:aws:cloudwatch:${region}:${ACCOUNT_ID}:alarm:${name}` }
}

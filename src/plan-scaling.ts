/**
 * The plan's part of auto scaling and the post-deploy watch: what the plan phase reads for them
 * (`gatherScalingFacts`: the scalable target and policies, the named alarms), and what `decide` makes of
 * it (`scalingDecision`, pure: the change to apply, the update's desired count, the notices). Every bad
 * input fails here, before anything is registered, put or updated.
 */
import type { Service } from '@aws-sdk/client-ecs'
import { arnTail } from './arn.js'
import { awsFailure, type AwsClients } from './aws.js'
import { awsErrorName, DeployError, errorMessage } from './errors.js'
import type { ActionInputs } from './inputs.js'
import type { PlanNotice } from './plan.js'
import { readScaling } from './scaling.js'
import {
  desiredCountDecision,
  resourceId,
  scalingPlan,
  type DesiredCountDecision,
  type ScalingChange,
  type ScalingState
} from './scaling-plan.js'
import { deploymentAlarms } from './strategy.js'
import { quote } from './untrusted.js'
import { describeAlarms, missingAlarms, type AlarmState } from './watch/after.js'

export interface ScalingFacts {
  /** What Application Auto Scaling has for the service; undefined when it was not read. */
  scaling?: ScalingState
  /** The `alarms` input's alarms as DescribeAlarms found them. */
  alarms?: AlarmState[]
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied'])

/** The service's Application Auto Scaling ResourceId (its cluster's name, not the input's ARN). */
export function serviceResourceId(inputs: ActionInputs, service: Service): string {
  const cluster = service.clusterArn ? arnTail(service.clusterArn) : arnTail(inputs.cluster)
  return resourceId(cluster, service.serviceName ?? inputs.service ?? '')
}

/**
 * Reads what the scaling inputs and the watch need. The scalable target is read when scaling is asked
 * for, or when desired-count is given (a scaled-out count must not be reset); in that second case a
 * missing permission only warns, since the user asked for no scaling.
 */
export async function gatherScalingFacts(
  inputs: ActionInputs,
  clients: AwsClients,
  service: Service | undefined,
  notices: PlanNotice[]
): Promise<ScalingFacts> {
  const facts: ScalingFacts = {}
  if (service && !inputs.resume && (inputs.scaling || inputs.desiredCount !== undefined)) {
    const id = serviceResourceId(inputs, service)
    try {
      facts.scaling = await readScaling(clients.scaling, id, inputs.scaling !== undefined)
    } catch (error) {
      // Asked for scaling: its read must work. Only desired-count: the deploy goes on, warned.
      if (inputs.scaling) throw error
      const denied = ACCESS_DENIED.has(awsErrorName((error as { cause?: unknown }).cause) ?? '')
      notices.push({
        level: 'warning',
        title: 'Auto scaling not checked',
        message:
          `Could not read the scalable target of ${id} (${denied ? 'access denied' : errorMessage(error)}): ` +
          `desired-count ${inputs.desiredCount} is applied as given. Allow ` +
          'application-autoscaling:DescribeScalableTargets so a deploy never resets a count auto scaling has set.'
      })
    }
  }
  if (inputs.alarms.length > 0) {
    let found: AlarmState[]
    try {
      found = await describeAlarms(clients.cloudwatch, inputs.alarms)
    } catch (error) {
      throw awsFailure('cloudwatch:DescribeAlarms', error, { subject: 'input alarms' })
    }
    const missing = missingAlarms(inputs.alarms, found)
    if (missing.length > 0) {
      throw new DeployError(
        'Invalid input: alarms',
        `Input "alarms": no CloudWatch alarm named ${missing.map(n => quote(n)).join(', ')} in ${inputs.awsRegion}.`,
        {
          hint: 'name alarms as CloudWatch lists them (metric or composite alarms), in the region of the service'
        }
      )
    }
    facts.alarms = found
  }
  return facts
}

export interface ScalingDecision {
  change?: ScalingChange
  desired: DesiredCountDecision
  /** The alarms the post-deploy watch polls (the input's, then the service's deployment alarms). */
  afterAlarms: string[]
  notices: PlanNotice[]
}

/** What the plan makes of the scaling inputs and facts (pure). */
export function scalingDecision(
  inputs: ActionInputs,
  service: Service | undefined,
  facts: ScalingFacts
): ScalingDecision {
  const notices: PlanNotice[] = []
  const current: ScalingState = facts.scaling ?? { policies: [] }
  const change =
    service && inputs.scaling
      ? scalingPlan(inputs.scaling, current, serviceResourceId(inputs, service))
      : undefined
  const desired = desiredCountDecision(
    inputs.desiredCount,
    service?.desiredCount,
    facts.scaling?.target,
    change?.after.target ?? facts.scaling?.target
  )
  if (desired.notice) notices.push({ level: 'notice', title: 'Desired count', message: desired.notice })
  const afterAlarms =
    inputs.watchMinutes > 0
      ? [...new Set([...inputs.alarms, ...deploymentAlarms(service?.deploymentConfiguration).names])]
      : []
  if (inputs.watchMinutes > 0 && afterAlarms.length === 0) {
    notices.push({
      level: 'notice',
      title: 'Post-deploy watch',
      message:
        `watch-minutes ${inputs.watchMinutes}: no alarm to watch (input alarms, or the service's deployment ` +
        'alarms), so the window only waits.'
    })
  }
  for (const a of facts.alarms ?? []) {
    if (a.state === 'ALARM') {
      notices.push({
        level: 'warning',
        title: 'Alarm in ALARM',
        message: `Alarm ${quote(a.name, 255)} is in ALARM before the deploy: unless it recovers, the watch after the deployment fails and rolls back.`
      })
    }
  }
  return { change, desired, afterAlarms, notices }
}

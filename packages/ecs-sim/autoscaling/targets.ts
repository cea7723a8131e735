/** RegisterScalableTarget, DescribeScalableTargets and DeregisterScalableTarget for ECS services. */
import { clean, epoch, type Json } from '../util.js'
import { deleteAlarms } from './alarms.js'
import { serviceOf, setDesiredCount } from './capacity.js'
import {
  ECS_DIMENSION,
  ECS_NAMESPACE,
  ECS_SERVICE_LINKED_ROLE,
  scalableTargetArn,
  type ScalableTarget
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
  scalingRegion,
  targetKeyOf,
  type AasCall
} from './validate.js'

function render(t: ScalableTarget): Json {
  return {
    ServiceNamespace: ECS_NAMESPACE,
    ResourceId: t.resourceId,
    ScalableDimension: ECS_DIMENSION,
    MinCapacity: t.min,
    MaxCapacity: t.max,
    RoleARN: t.roleArn,
    CreationTime: epoch(t.createdAt),
    SuspendedState: { ...t.suspended },
    ScalableTargetARN: t.arn
  }
}

/**
 * Creates or updates a target: a new one needs both capacities, an update changes only what it names. When the
 * service's desired count is outside [min, max] it is set inside at once (RegisterScalableTarget's documented
 * behaviour for an active resource), recorded as a scaling activity.
 */
async function registerScalableTarget({ ctx, region, input }: AasCall): Promise<Json> {
  const key = targetKeyOf(input)
  const min = optCount(input, 'MinCapacity')
  const max = optCount(input, 'MaxCapacity')
  const roleArn = optString(input, 'RoleARN')
  const suspendedIn = optObject(input, 'SuspendedState')
  const suspended = suspendedIn && {
    DynamicScalingInSuspended: optBool(suspendedIn, 'DynamicScalingInSuspended'),
    DynamicScalingOutSuspended: optBool(suspendedIn, 'DynamicScalingOutSuspended'),
    ScheduledScalingSuspended: optBool(suspendedIn, 'ScheduledScalingSuspended')
  }
  const scaling = scalingRegion(ctx, region)
  const existing = scaling.targets.get(key.resourceId)
  if (!existing && (min === undefined || max === undefined))
    throw invalid('MinCapacity and MaxCapacity are required when registering a new scalable target.')
  const newMin = min ?? existing!.min
  const newMax = max ?? existing!.max
  if (newMin > newMax) throw invalid('Minimum capacity cannot be greater than maximum capacity')
  const service = serviceOf(ctx, region, key.cluster, key.service)
  if (!service) throw invalid(`ECS service doesn't exist: ${key.resourceId}`)

  const target: ScalableTarget = existing ?? {
    resourceId: key.resourceId,
    cluster: key.cluster,
    service: key.service,
    min: newMin,
    max: newMax,
    roleArn: roleArn ?? ECS_SERVICE_LINKED_ROLE,
    arn: scalableTargetArn(region),
    createdAt: ctx.clock.now(),
    suspended: {
      DynamicScalingInSuspended: false,
      DynamicScalingOutSuspended: false,
      ScheduledScalingSuspended: false
    }
  }
  target.min = newMin
  target.max = newMax
  if (roleArn !== undefined) target.roleArn = roleArn
  if (suspended)
    for (const k of Object.keys(suspended) as (keyof typeof suspended)[]) {
      const v = suspended[k]
      if (v !== undefined) target.suspended[k] = v
    }
  scaling.targets.set(key.resourceId, target)

  const current = service.desiredCount
  if (current < newMin)
    await setDesiredCount(ctx, scaling, target, newMin, `minimum capacity was set to ${newMin}`)
  else if (current > newMax)
    await setDesiredCount(ctx, scaling, target, newMax, `maximum capacity was set to ${newMax}`)
  return { ScalableTargetARN: target.arn }
}

function describeScalableTargets({ ctx, region, input }: AasCall): Json {
  namespaceOf(input)
  const ids = optStrings(input, 'ResourceIds')
  dimensionOf(input, false)
  const all = [...scalingRegion(ctx, region).targets.values()]
    .filter(t => !ids || ids.length === 0 || ids.includes(t.resourceId))
    .sort((a, b) => a.createdAt - b.createdAt)
  const { items, next } = page(all, input, 50)
  return clean({ ScalableTargets: items.map(render), NextToken: next })
}

function deregisterScalableTarget({ ctx, region, input }: AasCall): Json {
  const key = targetKeyOf(input)
  const scaling = scalingRegion(ctx, region)
  if (!scaling.targets.has(key.resourceId)) throw noTarget(key.resourceId, 'found')
  deleteAlarms(ctx, scaling.policiesOf(key.resourceId))
  scaling.removeTarget(key.resourceId)
  return {}
}

export const TARGET_HANDLERS = {
  RegisterScalableTarget: registerScalableTarget,
  DescribeScalableTargets: describeScalableTargets,
  DeregisterScalableTarget: deregisterScalableTarget
}

/**
 * How Application Auto Scaling changes an ECS service's capacity: it calls UpdateService with the new desired
 * count (so the scheduler starts or stops tasks and writes ECS's own service events), and records the change
 * as a scaling activity, Successful or Failed with ECS's reason.
 */
import type { SimContext } from '../context.js'
import { ECS_HANDLERS } from '../ecs/handlers/index.js'
import { findService } from '../ecs/lookup.js'
import type { Service } from '../ecs/state.js'
import { AwsError } from '../util.js'
import type { ScalableTarget, ScalingRegion } from './state.js'

/** The ECS service a target scales, when it exists and is ACTIVE. */
export function serviceOf(
  ctx: SimContext,
  region: string,
  cluster: string,
  service: string
): Service | undefined {
  const r = ctx.region(region)
  const c = r.clusters.get(cluster)
  if (!c || c.status !== 'ACTIVE') return undefined
  const s = findService(r, c, service)
  return s && s.status === 'ACTIVE' ? s : undefined
}

export async function setDesiredCount(
  ctx: SimContext,
  scaling: ScalingRegion,
  target: ScalableTarget,
  desired: number,
  cause: string
): Promise<boolean> {
  const started = ctx.clock.now()
  const description = `Setting desired count to ${desired}.`
  try {
    await ECS_HANDLERS.UpdateService({
      ctx,
      r: ctx.region(scaling.region),
      input: { cluster: target.cluster, service: target.service, desiredCount: desired }
    })
  } catch (err) {
    const reason = err instanceof AwsError ? `${err.type}: ${err.message}` : (err as Error).message
    scaling.record({
      ResourceId: target.resourceId,
      Description: description,
      Cause: cause,
      StartTime: started,
      EndTime: ctx.clock.now(),
      StatusCode: 'Failed',
      StatusMessage: `Failed to set desired count to ${desired}. Reason: ${reason}`
    })
    return false
  }
  scaling.record({
    ResourceId: target.resourceId,
    Description: description,
    Cause: cause,
    StartTime: started,
    EndTime: ctx.clock.now(),
    StatusCode: 'Successful',
    StatusMessage: `Successfully set desired count to ${desired}. Change successfully fulfilled by ecs.`
  })
  return true
}

/** Finding resources by name or ARN as ECS does, and the counts ECS derives from its state. */
import { AwsError } from '../util.js'
import type { Cluster, Deployment, EcsRegion, Service, TaskDefinition } from './state.js'

export function clusterName(ref: string | undefined): string {
  if (!ref) return 'default'
  const m = /^arn:aws[\w-]*:ecs:[^:]+:\d+:cluster\/(.+)$/.exec(ref)
  return m ? m[1] : ref
}

export function getCluster(r: EcsRegion, ref: string | undefined): Cluster {
  const c = r.clusters.get(clusterName(ref))
  if (!c || c.status !== 'ACTIVE') throw new AwsError('ClusterNotFoundException', 'Cluster not found.')
  return c
}

export function serviceName(ref: string): string {
  const m = /^arn:aws[\w-]*:ecs:[^:]+:\d+:service\/(?:[^/]+\/)?(.+)$/.exec(ref)
  return m ? m[1] : ref
}

export function findService(r: EcsRegion, cluster: Cluster, ref: string): Service | undefined {
  return r.services.get(cluster.name)?.get(serviceName(ref))
}

export function getService(r: EcsRegion, cluster: Cluster, ref: string | undefined): Service {
  if (!ref) throw new AwsError('InvalidParameterException', 'Service must not be empty.')
  const s = findService(r, cluster, ref)
  if (!s) throw new AwsError('ServiceNotFoundException', 'Service not found.')
  return s
}

/** `family`, `family:revision` or a full ARN. Undefined when there is no such task definition. */
export function findTaskDefinition(r: EcsRegion, ref: string): TaskDefinition | undefined {
  const m = /^(?:arn:aws[\w-]*:ecs:[^:]+:\d+:task-definition\/)?([a-zA-Z0-9_-]+)(?::(\d+))?$/.exec(ref)
  if (!m) return undefined
  const revisions = r.taskDefinitions.get(m[1])
  if (!revisions) return undefined
  if (m[2] !== undefined) return revisions[Number(m[2]) - 1]
  if (ref.startsWith('arn:')) return undefined
  for (let i = revisions.length - 1; i >= 0; i--) if (revisions[i].status === 'ACTIVE') return revisions[i]
  return undefined
}

export function taskId(ref: string): string {
  const m = /^arn:aws[\w-]*:ecs:[^:]+:\d+:task\/(?:[^/]+\/)?([^/]+)$/.exec(ref)
  return m ? m[1] : ref
}

export function deploymentCounts(r: EcsRegion, d: Deployment): { running: number; pending: number } {
  let running = 0
  let pending = 0
  for (const t of r.tasks.values()) {
    if (t.deploymentId !== d.id || t.desiredStatus !== 'RUNNING') continue
    if (t.lastStatus === 'RUNNING') running++
    else if (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING') pending++
  }
  return { running, pending }
}

/**
 * The circuit breaker's failed-task threshold from its thresholdConfiguration: BOUNDED_PERCENT (the default,
 * value 50) is ceil(value % × desired) clamped to 3–200, UNBOUNDED_PERCENT the same unclamped (at least 1),
 * COUNT the value itself.
 */
export function breakerThreshold(
  desired: number,
  tc?: { type: 'BOUNDED_PERCENT' | 'UNBOUNDED_PERCENT' | 'COUNT'; value: number }
): number {
  const type = tc?.type ?? 'BOUNDED_PERCENT'
  const value = tc?.value ?? 50
  if (type === 'COUNT') return value
  const n = Math.ceil((value / 100) * desired)
  return type === 'UNBOUNDED_PERCENT' ? Math.max(1, n) : Math.max(3, Math.min(200, n))
}

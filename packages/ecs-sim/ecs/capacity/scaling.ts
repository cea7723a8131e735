/**
 * Managed scaling, the local way: when tasks of a capacity provider with managed scaling ENABLED wait
 * for capacity, its "Auto Scaling group" launches enough instances of its size (within the step sizes and
 * the group's maximum), each registered in the cluster after the group's launch time (scaled by the time
 * scale); then ./placement.ts places the waiting tasks. One scale-out at a time, as ECS waits for the
 * instances it asked for before it asks again.
 */
import type { SimContext } from '../../context.js'
import type { EcsRegion } from '../state.js'
import { registerInstance } from './instances.js'
import { scaleOutBy, taskNeeds, type AutoScalingGroup, type CapacityProvider } from './model.js'

/** A group no one defined (`PUT /_sim/auto-scaling-groups`): an m5.large-like 2 vCPU / 8 GiB instance. */
export const DEFAULT_GROUP = { cpu: 2048, memory: 7680, maxSize: 10, launchSeconds: 60 }

/** The group name of an Auto Scaling group ARN (`…:autoScalingGroupName/<name>`), else the ARN itself. */
export function groupName(arn: string): string {
  const m = /autoScalingGroupName\/(.+)$/.exec(arn)
  return m ? m[1] : arn
}

export function groupOf(r: EcsRegion, p: CapacityProvider): AutoScalingGroup {
  const name = groupName(p.autoScalingGroupArn)
  let g = r.autoScalingGroups.get(name)
  if (!g) r.autoScalingGroups.set(name, (g = { name, ...DEFAULT_GROUP, launching: [] }))
  return g
}

export function scaleCapacity(ctx: SimContext, r: EcsRegion): void {
  const now = ctx.clock.now()
  for (const p of r.capacityProviders.values()) {
    if (p.managedScaling.status !== 'ENABLED') continue
    const waiting = [...r.tasks.values()].filter(
      t => t.awaitingCapacity && t.desiredStatus === 'RUNNING' && t.capacityProviderName === p.name
    )
    const g = groupOf(r, p)
    const cluster = [...r.clusters.values()].find(
      c => c.status === 'ACTIVE' && c.capacityProviders.includes(p.name)
    )
    const due = g.launching.filter(at => at <= now)
    g.launching = g.launching.filter(at => at > now)
    if (cluster)
      for (let i = 0; i < due.length; i++)
        registerInstance(ctx, r, cluster, { cpu: g.cpu, memory: g.memory, capacityProviderName: p.name })
    if (waiting.length === 0 || g.launching.length > 0 || due.length > 0 || !cluster) continue
    const running = [...r.containerInstances.values()].filter(
      i => i.capacityProviderName === p.name && i.status === 'ACTIVE'
    ).length
    const n = scaleOutBy(
      waiting.map(t => taskNeeds(t.td.body)),
      g,
      p.managedScaling,
      g.maxSize - running
    )
    for (let i = 0; i < n; i++) g.launching.push(now + ctx.clock.delay(g.launchSeconds * 1000))
  }
}

/**
 * The scheduler's placement on EC2 capacity: a service whose deployment runs on EC2 (launchType EC2, or a
 * capacity provider strategy naming an Auto Scaling group provider) gets a task only where a container
 * instance has room for it. Without room the task is not started and the service gets ECS's "unable to
 * place a task" event; with a managed-scaling provider the task is started anyway and waits in
 * PROVISIONING until an instance has room (./scaling.ts adds one).
 */
import type { SimContext } from '../../context.js'
import { addEvent, launchTasks } from '../core.js'
import type { Deployment, EcsRegion, Service, SimTask } from '../state.js'
import { activeInstances, reservedOn } from './instances.js'
import {
  place,
  remaining,
  strategyOf,
  taskNeeds,
  unableToPlaceMessage,
  type CapacityProvider,
  type Needs,
  type Placement
} from './model.js'

type Launch = Pick<Deployment, 'launchType' | 'capacityProviderStrategy'>

/** The EC2 capacity provider a deployment's strategy names first (FARGATE ones are not EC2). */
export function providerOf(r: EcsRegion, d: Launch): CapacityProvider | undefined {
  for (const item of d.capacityProviderStrategy ?? []) {
    const p = r.capacityProviders.get(String(item.capacityProvider ?? ''))
    if (p) return p
  }
  return undefined
}

export function onEc2(r: EcsRegion, d: Launch): boolean {
  return d.launchType === 'EC2' || providerOf(r, d) !== undefined
}

/** The last "unable to place" event per service: ECS omits duplicates until the cause is resolved. */
const lastUnplaced = new WeakMap<Service, string>()

function unplaced(ctx: SimContext, s: Service, p: Placement): void {
  const message = unableToPlaceMessage(s.name, p)
  if (lastUnplaced.get(s) === message) return
  lastUnplaced.set(s, message)
  addEvent(ctx, s, message)
}

/** Places one task of `s` needing `needs`, counting what `extra` already holds on each instance. */
function placeOne(r: EcsRegion, s: Service, needs: Needs, extra: Map<string, Needs[]>): Placement {
  const candidates = activeInstances(r, s.clusterName).map(i => ({
    id: i.id,
    left: remaining(i, [...reservedOn(r, i), ...(extra.get(i.arn) ?? [])]),
    siblings:
      [...r.tasks.values()].filter(
        t => t.containerInstanceArn === i.arn && t.lastStatus !== 'STOPPED' && t.serviceName === s.name
      ).length + (extra.get(i.arn)?.length ?? 0)
  }))
  return place(candidates, needs, strategyOf(s.placementStrategy))
}

function arnOf(r: EcsRegion, id: string): string {
  return r.containerInstances.get(id)!.arn
}

/** Starts up to `n` tasks of deployment `d`, as many as there is room for (all of them, waiting, with managed scaling). */
export function launchOnCapacity(
  ctx: SimContext,
  r: EcsRegion,
  s: Service,
  d: Deployment,
  n: number
): SimTask[] {
  if (n <= 0) return []
  const td = [...r.taskDefinitions.values()].flat().find(x => x.arn === d.taskDefinitionArn)
  if (!td) return []
  const needs = taskNeeds(td.body)
  const provider = providerOf(r, d)
  const managed = provider?.managedScaling.status === 'ENABLED'
  const extra = new Map<string, Needs[]>()
  const placed: string[] = []
  let failure: Placement | undefined
  for (let i = 0; i < n; i++) {
    const p = placeOne(r, s, needs, extra)
    if (!p.placed) {
      failure = p
      break
    }
    const arn = arnOf(r, p.placed)
    extra.set(arn, [...(extra.get(arn) ?? []), needs])
    placed.push(arn)
  }
  if (failure) unplaced(ctx, s, failure)
  else lastUnplaced.delete(s)
  const started = launchTasks(ctx, r, s, d, managed ? n : placed.length)
  started.forEach((t, i) => {
    t.launchType = 'EC2'
    t.capacityProviderName = provider?.name
    if (placed[i]) t.containerInstanceArn = placed[i]
    else t.awaitingCapacity = true
  })
  return started
}

/** Each tick: tasks waiting for capacity go where there is room now (their PROVISIONING starts over). */
export function placeWaiting(ctx: SimContext, r: EcsRegion): void {
  const waiting = [...r.tasks.values()].filter(t => t.awaitingCapacity && t.desiredStatus === 'RUNNING')
  for (const t of waiting) {
    const s = t.serviceName ? r.services.get(t.clusterName)?.get(t.serviceName) : undefined
    if (!s) continue
    const p = placeOne(r, s, taskNeeds(t.td.body), new Map())
    if (!p.placed) continue
    t.containerInstanceArn = arnOf(r, p.placed)
    t.awaitingCapacity = false
    t.phaseSince = ctx.clock.now()
    t.version++
    lastUnplaced.delete(s)
  }
}

/** The route the rolling scheduler launches by: EC2 capacity, or (Fargate) no placement at all. */
export function launchFor(ctx: SimContext, r: EcsRegion, s: Service, d: Deployment, n: number): SimTask[] {
  return onEc2(r, d) ? launchOnCapacity(ctx, r, s, d, n) : launchTasks(ctx, r, s, d, n)
}

/**
 * ECS could not place a task of ours ("was unable to place a task because no container instance met all
 * of its requirements"): which resource ran out, and whether a capacity provider with managed scaling
 * will add instances (then the deploy waits, within wait-for-minutes) or not (then it fails fast with a
 * hint). PURE: the event, the task's needs, the container instances' remaining resources and the
 * capacity providers in, one finding out; the reads are in src/watch/capacity.ts.
 */
import type { Cause } from './causes.js'

export type PlacementResource = 'CPU' | 'memory' | 'ports' | 'instances'

/** What the task reserves on an instance (as ECS sums it). */
export interface TaskNeeds {
  cpu: number
  memory: number
  /** Fixed host ports (TCP and UDP); awsvpc and dynamic ports take none. */
  ports: number[]
}

/** A container instance's remaining resources (DescribeContainerInstances' remainingResources). */
export interface InstanceRoom {
  id: string
  cpu: number
  memory: number
  /** Host ports in use. */
  ports: number[]
}

/** A capacity provider the service's tasks go to (its strategy, else the cluster's default). */
export interface ProviderFacts {
  name: string
  /** An Auto Scaling group provider with managed scaling ENABLED. */
  managedScaling: boolean
}

export interface PlacementFacts {
  cluster: string
  /** The event's text (outside text: only matched, never echoed raw). */
  event: string
  needs?: TaskNeeds
  instances: InstanceRoom[]
  providers: ProviderFacts[]
}

export interface PlacementFinding {
  action: 'wait' | 'fail'
  resource: PlacementResource
  /** A title a person reads ("Not enough memory on any container instance"). */
  title: string
  /** The numbers behind it and what happens next. */
  detail: string
  /** The provider whose managed scaling adds instances (action wait). */
  provider?: string
  /** What the user can do (action fail). */
  hint?: string
}

/** The event, as ECS words it (service event messages): the resource the closest instance lacks. */
export function resourceInEvent(message: string): PlacementResource | undefined {
  if (!/unable to place a task/i.test(message)) return undefined
  if (/insufficient memory/i.test(message)) return 'memory'
  if (/insufficient CPU/i.test(message)) return 'CPU'
  if (/already using a port/i.test(message)) return 'ports'
  if (/No Container Instances were found/i.test(message)) return 'instances'
  return undefined
}

/** Without the event's word for it: the first resource no instance has enough of. */
function resourceFromRoom(needs: TaskNeeds | undefined, instances: InstanceRoom[]): PlacementResource {
  if (instances.length === 0) return 'instances'
  if (!needs) return 'memory'
  if (instances.every(i => i.cpu < needs.cpu)) return 'CPU'
  if (instances.every(i => i.memory < needs.memory)) return 'memory'
  if (instances.every(i => needs.ports.some(p => i.ports.includes(p)))) return 'ports'
  return 'memory'
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`
}

const TITLES: Record<PlacementResource, string> = {
  CPU: 'Not enough CPU on any container instance',
  memory: 'Not enough memory on any container instance',
  ports: 'A host port the task needs is in use on every container instance',
  instances: 'No container instances in the cluster'
}

/** "needs 512 MiB; the most any of the 2 container instances has left is 256 MiB". */
function numbers(resource: PlacementResource, f: PlacementFacts): string {
  const n = f.instances.length
  const of = `${n === 1 ? 'the container instance has' : `any of the ${n} container instances has`} left`
  const most = (k: 'cpu' | 'memory') => Math.max(...f.instances.map(i => i[k]))
  switch (resource) {
    case 'CPU':
      return f.needs ? `the task needs ${f.needs.cpu} CPU units; the most ${of} is ${most('cpu')}` : ''
    case 'memory':
      return f.needs ? `the task needs ${f.needs.memory} MiB; the most ${of} is ${most('memory')} MiB` : ''
    case 'ports': {
      const ports = f.needs?.ports ?? []
      return ports.length > 0 ? `the task needs host port ${ports.join(', ')}` : ''
    }
    case 'instances':
      return `cluster ${f.cluster} has no registered container instance`
  }
}

const HINTS: Record<PlacementResource, string> = {
  CPU: "add container instances (or larger ones) to the cluster, give the service a capacity provider with managed scaling, or lower the task definition's cpu",
  memory:
    "add container instances (or larger ones) to the cluster, give the service a capacity provider with managed scaling, or lower the task definition's memory",
  ports:
    "use dynamic host ports (hostPort 0, bridge mode) or awsvpc networking, add container instances, or lower the service's maximumPercent so ECS stops an old task before it starts a new one",
  instances:
    'register container instances in the cluster, or give the service a capacity provider with managed scaling'
}

/**
 * The finding: the resource (the event's word for it first, else the instances' room), and wait when a
 * provider of the service has managed scaling, else fail with the hint.
 */
export function decidePlacement(f: PlacementFacts): PlacementFinding {
  const resource = resourceInEvent(f.event) ?? resourceFromRoom(f.needs, f.instances)
  const scaling = f.providers.find(p => p.managedScaling)
  const facts = numbers(resource, f)
  const title = TITLES[resource]
  if (scaling) {
    return {
      action: 'wait',
      resource,
      title,
      provider: scaling.name,
      detail:
        `ECS could not place a task: ${facts ? `${facts}. ` : ''}Capacity provider ${scaling.name} has managed ` +
        `scaling, which adds instances for tasks waiting in PROVISIONING: waiting for them (within wait-for-minutes).`
    }
  }
  const without =
    f.providers.length > 0
      ? `none of its capacity providers (${f.providers.map(p => p.name).join(', ')}) has managed scaling`
      : 'the service has no capacity provider with managed scaling'
  return {
    action: 'fail',
    resource,
    title,
    detail: `ECS could not place a task: ${facts ? `${facts}; ` : ''}${without}, so no instance will be added (${plural(f.instances.length, 'container instance')} in cluster ${f.cluster}).`,
    hint: HINTS[resource]
  }
}

type Def = Record<string, unknown>

function units(value: unknown, kind: 'cpu' | 'memory'): number | undefined {
  if (value === undefined || value === null) return undefined
  const m = /^(\d+(?:\.\d+)?)\s*(vcpu|gb)?$/i.exec(String(value).trim())
  if (!m) return undefined
  const n = Number(m[1])
  if (!m[2]) return n
  // "1 vCPU" is 1024 CPU units, "2 GB" 2048 MiB; the other way round means nothing.
  return (kind === 'cpu') === (m[2].toLowerCase() === 'vcpu') ? Math.round(n * 1024) : undefined
}

/**
 * What a task definition reserves on a container instance: its task-level cpu/memory, else its
 * containers' sum (memory, else memoryReservation); fixed host ports of bridge/host port mappings.
 */
export function taskNeeds(td: {
  cpu?: string
  memory?: string
  networkMode?: string
  containerDefinitions?: object[]
}): TaskNeeds {
  const defs = (td.containerDefinitions ?? []) as Def[]
  const sum = (f: (d: Def) => number | undefined) => defs.reduce((n, d) => n + (f(d) ?? 0), 0)
  const mode = td.networkMode ?? 'bridge'
  const ports =
    mode === 'awsvpc'
      ? []
      : defs.flatMap(d =>
          ((d.portMappings as Def[] | undefined) ?? [])
            .map(pm => (mode === 'host' ? (pm.hostPort ?? pm.containerPort) : pm.hostPort))
            .filter((p): p is number => typeof p === 'number' && p > 0)
        )
  return {
    cpu: units(td.cpu, 'cpu') ?? sum(d => units(d.cpu, 'cpu')),
    memory:
      units(td.memory, 'memory') ??
      sum(d => units(d.memory, 'memory') ?? units(d.memoryReservation, 'memory')),
    ports
  }
}

/** The finding as a cause of the summary's "Why it failed" (or, green, "Problems seen"). */
export function capacityCause(f: PlacementFinding): Cause {
  return { title: f.title, detail: f.hint ? `${f.detail} Hint: ${f.hint}.` : f.detail, count: 1, taskIds: [] }
}

/**
 * EC2 capacity as ECS models it, PURE: what a task needs (CPU units, memory MiB, host ports), what a
 * container instance has left, where a task goes (binpack or spread), why none has room (ECS's event), and
 * the cluster's CPU/memory reservation. No clock, no context: every rule is a table row in the tests.
 */

/** What a task reserves on a container instance. */
export interface Needs {
  cpu: number
  memory: number
  /** Host ports, TCP and UDP. */
  ports: number[]
  portsUdp: number[]
}

export interface ContainerInstance {
  id: string
  arn: string
  clusterName: string
  ec2InstanceId: string
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE'
  /** Registered resources. */
  cpu: number
  memory: number
  /** Host ports the agent reserves (ECS's defaults: 22, 2375, 2376, 51678, 51679) plus any given. */
  reservedPorts: number[]
  reservedPortsUdp: number[]
  registeredAt: number
  capacityProviderName?: string
}

export interface ManagedScaling {
  status: 'ENABLED' | 'DISABLED'
  targetCapacity: number
  minimumScalingStepSize: number
  maximumScalingStepSize: number
  instanceWarmupPeriod: number
}

export interface CapacityProvider {
  name: string
  arn: string
  autoScalingGroupArn: string
  managedScaling: ManagedScaling
  managedTerminationProtection: string
  managedDraining: string
  tags: { key: string; value: string }[]
}

/** The local stand-in for an EC2 Auto Scaling group: the size of the instances it launches. */
export interface AutoScalingGroup {
  name: string
  cpu: number
  memory: number
  /** Instances it may run at most. */
  maxSize: number
  /** Seconds from the scale-out decision until the instance is registered (before the time scale). */
  launchSeconds: number
  /** Instances launching: when each becomes registered (sim ms). */
  launching: number[]
}

/** The ports the ECS agent reserves on every container instance (RegisterContainerInstance's PORTS). */
export const AGENT_RESERVED_PORTS = [22, 2375, 2376, 51678, 51679]

/** "1 vCPU" → 1024, "512" → 512; "2 GB" → 2048 MiB, "1024" → 1024. Undefined when absent or unreadable. */
export function units(value: unknown, kind: 'cpu' | 'memory'): number | undefined {
  if (value === undefined || value === null) return undefined
  const text = String(value).trim()
  const m = /^(\d+(?:\.\d+)?)\s*(vcpu|gb)?$/i.exec(text)
  if (!m) return undefined
  const n = Number(m[1])
  if (m[2]) return (kind === 'cpu') === (m[2].toLowerCase() === 'vcpu') ? Math.round(n * 1024) : undefined
  return n
}

type Def = Record<string, unknown>

/**
 * What a task reserves, as ECS sums it: the task-level cpu/memory when given, else the containers' sum
 * (memory: `memory`, else `memoryReservation`); host ports from the port mappings (none in awsvpc mode,
 * where each task has its own network interface; a bridge mapping without hostPort is a dynamic port).
 */
export function taskNeeds(body: Def): Needs {
  const defs = (body.containerDefinitions as Def[] | undefined) ?? []
  const sum = (f: (d: Def) => number | undefined) => defs.reduce((n, d) => n + (f(d) ?? 0), 0)
  const cpu = units(body.cpu, 'cpu') ?? sum(d => units(d.cpu, 'cpu'))
  const memory =
    units(body.memory, 'memory') ??
    sum(d => units(d.memory, 'memory') ?? units(d.memoryReservation, 'memory'))
  const mode = (body.networkMode as string | undefined) ?? 'bridge'
  const ports: number[] = []
  const portsUdp: number[] = []
  if (mode !== 'awsvpc')
    for (const d of defs)
      for (const pm of (d.portMappings as Def[] | undefined) ?? []) {
        const host = mode === 'host' ? (pm.hostPort ?? pm.containerPort) : pm.hostPort
        if (typeof host !== 'number' || host === 0) continue
        ;(pm.protocol === 'udp' ? portsUdp : ports).push(host)
      }
  return { cpu, memory, ports, portsUdp }
}

/** What an instance has left: registered less what its tasks reserve; ports are the ones in use. */
export function remaining(instance: ContainerInstance, placed: Needs[]): Needs {
  return {
    cpu: instance.cpu - placed.reduce((n, x) => n + x.cpu, 0),
    memory: instance.memory - placed.reduce((n, x) => n + x.memory, 0),
    ports: [...instance.reservedPorts, ...placed.flatMap(x => x.ports)],
    portsUdp: [...instance.reservedPortsUdp, ...placed.flatMap(x => x.portsUdp)]
  }
}

export type Resource = 'CPU' | 'MEMORY' | 'PORTS'

/** The resources an instance with `left` lacks for `needs`, in the order ECS checks them. */
export function shortOf(left: Needs, needs: Needs): Resource[] {
  const out: Resource[] = []
  if (needs.cpu > left.cpu) out.push('CPU')
  if (needs.memory > left.memory) out.push('MEMORY')
  const taken =
    needs.ports.some(p => left.ports.includes(p)) || needs.portsUdp.some(p => left.portsUdp.includes(p))
  if (taken) out.push('PORTS')
  return out
}

export interface Candidate {
  id: string
  left: Needs
  /** Tasks of the same service on it (spread). */
  siblings: number
}

export type PlacementStrategy = { type: 'binpack'; field: 'cpu' | 'memory' } | { type: 'spread' }

/** The service's first placementStrategy entry ECS's scheduler here understands; default spread. */
export function strategyOf(placementStrategy: { type?: unknown; field?: unknown }[]): PlacementStrategy {
  const first = placementStrategy.find(p => p.type === 'binpack' || p.type === 'spread')
  if (first?.type === 'binpack') return { type: 'binpack', field: first.field === 'cpu' ? 'cpu' : 'memory' }
  return { type: 'spread' }
}

export interface Placement {
  /** The instance the task goes on. */
  placed?: string
  /** None has room: the closest match and the first resource it lacks (neither when there is no instance). */
  closest?: string
  resource?: Resource
}

/**
 * Where a task goes: among the instances with room, binpack takes the one with the least of its field
 * left, spread the one with the fewest tasks of the service (then the most memory left); ties go to the
 * earlier registered. None with room: the closest match (the fewest resources short, then the earlier
 * registered) and the first resource it lacks; no instance at all: neither.
 */
export function place(candidates: Candidate[], needs: Needs, strategy: PlacementStrategy): Placement {
  const fits = candidates.filter(c => shortOf(c.left, needs).length === 0)
  if (fits.length > 0) {
    const key = (c: Candidate) =>
      strategy.type === 'binpack' ? c.left[strategy.field] : c.siblings * 1e9 - c.left.memory
    const best = fits.reduce((a, b) => (key(b) < key(a) ? b : a))
    return { placed: best.id }
  }
  if (candidates.length === 0) return {}
  const closest = candidates.reduce((a, b) =>
    shortOf(b.left, needs).length < shortOf(a.left, needs).length ? b : a
  )
  return { closest: closest.id, resource: shortOf(closest.left, needs)[0] }
}

const TROUBLESHOOTING =
  'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'

const SHORT_TEXT: Record<Resource, string> = {
  CPU: 'has insufficient CPU units available',
  MEMORY: 'has insufficient memory available',
  PORTS: 'is already using a port required by your task'
}

/**
 * ECS's service event when a task cannot be placed (Amazon ECS Developer Guide, "Amazon ECS service event
 * messages": insufficient CPU units, insufficient memory, a port in use; no container instances at all).
 */
export function unableToPlaceMessage(service: string, p: Placement): string {
  const head = `(service ${service}) was unable to place a task because no container instance met all of its requirements.`
  if (!p.closest || !p.resource)
    return `${head} Reason: No Container Instances were found in your cluster. ${TROUBLESHOOTING}`
  return `${head} The closest matching (container-instance ${p.closest}) ${SHORT_TEXT[p.resource]}. ${TROUBLESHOOTING}`
}

export interface Reservation {
  /** Percent of the registered CPU units / memory that running tasks reserve (0-100). */
  CPUReservation: number
  MemoryReservation: number
}

/**
 * The cluster's reservation as the AWS/ECS CloudWatch metrics define it: the CPU units (memory) reserved
 * by the ECS tasks on the cluster's ACTIVE and DRAINING container instances, over the CPU units (memory)
 * those instances registered, times 100. Undefined for a cluster without such instances (no metric).
 */
export function clusterReservation(
  instances: { status: ContainerInstance['status']; cpu: number; memory: number; reserved: Needs[] }[]
): Reservation | undefined {
  const counted = instances.filter(i => i.status === 'ACTIVE' || i.status === 'DRAINING')
  const cpu = counted.reduce((n, i) => n + i.cpu, 0)
  const memory = counted.reduce((n, i) => n + i.memory, 0)
  if (counted.length === 0 || cpu <= 0 || memory <= 0) return undefined
  const used = (f: (x: Needs) => number) =>
    counted.reduce((n, i) => n + i.reserved.reduce((m, x) => m + f(x), 0), 0)
  return {
    CPUReservation: (used(x => x.cpu) / cpu) * 100,
    MemoryReservation: (used(x => x.memory) / memory) * 100
  }
}

/**
 * How many instances of the group's size managed scaling adds for tasks that wait for capacity: enough
 * to hold them (first fit, in order; a task bigger than an instance holds none), within the provider's
 * step sizes and the group's room left.
 */
export function scaleOutBy(
  waiting: Needs[],
  size: { cpu: number; memory: number },
  scaling: ManagedScaling,
  room: number
): number {
  const bins: Needs[] = []
  for (const n of waiting) {
    if (n.cpu > size.cpu || n.memory > size.memory) continue
    const bin = bins.find(b => b.cpu + n.cpu <= size.cpu && b.memory + n.memory <= size.memory)
    if (bin) {
      bin.cpu += n.cpu
      bin.memory += n.memory
    } else bins.push({ ...n })
  }
  if (bins.length === 0) return 0
  const step = Math.min(Math.max(bins.length, scaling.minimumScalingStepSize), scaling.maximumScalingStepSize)
  return Math.max(0, Math.min(step, room))
}

import { Clock } from './clock.js'
import { LogStore } from './logs.js'
import { EcsRegion } from './ecs/state.js'
import type { TaskBackend } from './tasks/types.js'
import type { ScriptedBackend } from './tasks/scripted.js'

export interface TimelineEntry {
  id: string
  region: string
  cluster: string
  service: string
  taskDefinition: string
  createdAt: number
  /** The instant its outcome became true in the simulator; a client's detection latency is measured from it. */
  decidableAt: number | null
  outcome: 'COMPLETED' | 'FAILED' | 'ROLLED_BACK' | null
  reason?: string
  /** For a rollback deployment: the failed deployment it rolls back. */
  rollbackOf?: string
}

export interface CallRecord {
  time: string
  service: 'ecs' | 'ecr' | 'logs' | 'unknown'
  operation: string
  region: string
  status: number
  error?: string
  durationMs: number
  injected?: 'throttle' | 'error'
  request: Record<string, unknown>
}

export interface Faults {
  throttleRate: number
  errorRate: number
  latencyMs: number
  operations?: string[]
}

export const NO_FAULTS: Faults = { throttleRate: 0, errorRate: 0, latencyMs: 0 }

/** Everything the handlers, the scheduler and the control API share. */
export class SimContext {
  readonly clock: Clock
  readonly backend: TaskBackend
  readonly scripted?: ScriptedBackend
  readonly registry: string
  readonly instance: string
  readonly logs: LogStore
  readonly regions = new Map<string, EcsRegion>()
  timeline: TimelineEntry[] = []
  calls: CallRecord[] = []
  faults: Faults = { ...NO_FAULTS }

  constructor(opts: {
    clock: Clock
    backend: TaskBackend
    scripted?: ScriptedBackend
    registry: string
    instance: string
  }) {
    this.clock = opts.clock
    this.backend = opts.backend
    this.scripted = opts.scripted
    this.registry = opts.registry
    this.instance = opts.instance
    this.logs = new LogStore(opts.backend)
  }

  region(name: string): EcsRegion {
    let r = this.regions.get(name)
    if (!r) this.regions.set(name, (r = new EcsRegion(name)))
    return r
  }

  timelineEntry(id: string): TimelineEntry | undefined {
    return this.timeline.find(t => t.id === id)
  }
}

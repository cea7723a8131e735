import { randomInt } from 'node:crypto'
import { Clock } from './clock.js'
import { LogStore } from './logs.js'
import { EcsRegion } from './ecs/state.js'
import type { TaskBackend } from './tasks/types.js'
import type { ScriptedBackend } from './tasks/scripted.js'
import { faultFor, MAX_SEED, type Injected } from './random.js'
import { AlarmStore } from './cloudwatch/alarm-store.js'
import type { HookRule } from './ecs/strategies/hooks.js'
import { MetricStore } from './cloudwatch/store.js'
import type { ScalingRegion } from './autoscaling/state.js'

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
  /** For a BLUE_GREEN, LINEAR or CANARY deployment: each lifecycle stage and the instant it was entered. */
  stages?: { stage: string; at: number }[]
}

export interface CallRecord {
  time: string
  service: 'ecs' | 'ecr' | 'logs' | 'cloudwatch' | 'application-autoscaling' | 'unknown'
  operation: string
  region: string
  status: number
  error?: string
  durationMs: number
  injected?: Injected
  /** The call's index (0-based) in the seeded fault sequence, when throttle or error faults applied to it. */
  faultDraw?: number
  request: Record<string, unknown>
}

export interface Faults {
  throttleRate: number
  errorRate: number
  latencyMs: number
  operations?: string[]
  /** Seeds the fault sequence (sim/random.ts): the k-th call's fault is a pure function of (seed, k). */
  seed: number
}

export function noFaults(seed: number): Faults {
  return { throttleRate: 0, errorRate: 0, latencyMs: 0, seed }
}

/** The faults in force and how far their seeded sequence has got. Setting faults starts a new one. */
export class FaultState {
  readonly config: Faults
  private draws = 0

  constructor(config: Faults) {
    this.config = config
  }

  /** Whether the faults (latency, throttling, errors) apply to a call of `operation`. */
  appliesTo(operation: string): boolean {
    return !this.config.operations || this.config.operations.includes(operation)
  }

  /**
   * For a call the faults apply to, in the order the calls reach this point: its index in the sequence
   * and the fault it gets. Undefined (and no index used) when neither throttling nor errors are set.
   */
  draw(): { index: number; injected: Injected | undefined } | undefined {
    if (this.config.throttleRate === 0 && this.config.errorRate === 0) return undefined
    const index = this.draws++
    return { index, injected: faultFor(this.config.seed, index, this.config) }
  }
}

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
  /** `--fault-seed`: the seed of faults set without one; absent, each such setting picks a random seed. */
  readonly faultSeed?: number
  faults: FaultState
  /** CloudWatch alarms by name → state (`PUT /_sim/alarms`, PutMetricAlarm, SetAlarmState; cloudwatch/alarm-store.ts). */
  readonly alarms = new AlarmStore()
  /** How Lambda lifecycle hooks answer (`PUT /_sim/hooks`). */
  hookRules: HookRule[] = []
  /** CloudWatch metrics (PutMetricData, the AWS/ECS publisher); the rest of the local ECS reads them as a MetricsReader. */
  readonly metrics = new MetricStore()
  /** Application Auto Scaling's targets, policies and activities by region (autoscaling/). */
  readonly autoscaling = new Map<string, ScalingRegion>()

  constructor(opts: {
    clock: Clock
    backend: TaskBackend
    scripted?: ScriptedBackend
    registry: string
    instance: string
    faultSeed?: number
  }) {
    this.clock = opts.clock
    this.backend = opts.backend
    this.scripted = opts.scripted
    this.registry = opts.registry
    this.instance = opts.instance
    this.logs = new LogStore(opts.backend)
    this.faultSeed = opts.faultSeed
    this.faults = new FaultState(noFaults(this.defaultFaultSeed()))
  }

  /** The seed for faults set without one (`--fault-seed`, else a fresh random one, shown by GET /_sim/faults). */
  defaultFaultSeed(): number {
    return this.faultSeed ?? randomInt(0, MAX_SEED + 1)
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

import { Clock, DELAYS } from '../clock.js'
import { AwsError, globMatch } from '../util.js'
import type {
  ContainerObservation,
  ContainerSpec,
  LogLine,
  Outcome,
  TaskBackend,
  TaskSpec,
  TaskUsage
} from './types.js'

/**
 * A rule of the scripted backend: what happens to a container whose image matches `image` (and, with
 * `container`, whose name is `container`). At least one of the two is given.
 */
export interface ScriptRule {
  /** Exact image, a glob with `*`/`?`, or a substring of the image; absent: any image. */
  image?: string
  /** Only the container of this name (as in the task definition), e.g. a sidecar beside `web`. */
  container?: string
  outcome: 'healthy' | 'crash' | 'pullError' | 'unhealthy'
  /** crash: the exit code (default 1). */
  exitCode?: number
  /** crash: how long after starting it exits, unscaled ms (default 0). */
  afterMs?: number
  /** Extra time the container takes to start, unscaled ms (default 0). */
  startDelayMs?: number
  /** Lines the container writes when it starts (its CloudWatch log). */
  logs?: string[]
  /**
   * pullError: the stopped reason, instead of the default `CannotPullContainerError: …`; crash: the
   * container's reason. Any text, newlines included (to test what the action does with ECS's text).
   */
  reason?: string
  /**
   * The code it ends with when ECS stops it (its task is stopping): 143 when it exits on SIGTERM, 0
   * when it shuts down cleanly. Default 137: it is killed.
   */
  stopExitCode?: number
  /**
   * How long it takes to end once ECS stops it, unscaled ms (default 0). Past the container's
   * `stopTimeout` (ECS's default 30 s) it is killed: 137, at the stop timeout.
   */
  stopDelayMs?: number
  /**
   * What a running container of this rule uses, in percent of its task's reserved CPU / memory (default 0):
   * the AWS/ECS CPUUtilization and MemoryUtilization. Read from the rules in force at each sampling, so
   * posting new rules changes the load of tasks already running.
   */
  cpu?: number
  memory?: number
}

const OUTCOMES = new Set(['healthy', 'crash', 'pullError', 'unhealthy'])

/** Checks rules posted to the control API; throws AwsError-compatible messages for bad input. */
export function parseRules(body: unknown): ScriptRule[] {
  const raw = Array.isArray(body) ? body : (body as { rules?: unknown } | null)?.rules
  if (!Array.isArray(raw)) throw new AwsError('InvalidParameterException', 'expected {"rules": [...]}')
  return raw.map((r, i) => {
    const rule = r as Partial<ScriptRule>
    for (const k of ['image', 'container'] as const)
      if (rule[k] !== undefined && (typeof rule[k] !== 'string' || rule[k] === ''))
        throw new AwsError('InvalidParameterException', `rules[${i}].${k} must be a non-empty string`)
    if (rule.image === undefined && rule.container === undefined)
      throw new AwsError('InvalidParameterException', `rules[${i}] needs an image or a container`)
    if (typeof rule.outcome !== 'string' || !OUTCOMES.has(rule.outcome))
      throw new AwsError(
        'InvalidParameterException',
        `rules[${i}].outcome must be one of ${[...OUTCOMES].join(', ')}`
      )
    for (const k of ['cpu', 'memory'] as const)
      if (rule[k] !== undefined && (typeof rule[k] !== 'number' || !Number.isFinite(rule[k]) || rule[k] < 0))
        throw new AwsError('InvalidParameterException', `rules[${i}].${k} must be a percent (a number ≥ 0)`)
    for (const k of ['exitCode', 'afterMs', 'startDelayMs', 'stopExitCode', 'stopDelayMs'] as const)
      if (rule[k] !== undefined && (typeof rule[k] !== 'number' || !Number.isFinite(rule[k])))
        throw new AwsError('InvalidParameterException', `rules[${i}].${k} must be a number`)
    if (rule.logs !== undefined && (!Array.isArray(rule.logs) || rule.logs.some(l => typeof l !== 'string')))
      throw new AwsError('InvalidParameterException', `rules[${i}].logs must be a list of strings`)
    if (rule.reason !== undefined && typeof rule.reason !== 'string')
      throw new AwsError('InvalidParameterException', `rules[${i}].reason must be a string`)
    return rule as ScriptRule
  })
}

function imageMatches(pattern: string, image: string): boolean {
  return pattern === image || (/[*?]/.test(pattern) && globMatch(pattern, image)) || image.includes(pattern)
}

/** The first rule for this image (and container name, for rules that name one). */
export function matchRule(rules: ScriptRule[], image: string, container?: string): ScriptRule | undefined {
  return rules.find(
    r =>
      (r.container === undefined || r.container === container) &&
      (r.image === undefined || imageMatches(r.image, image))
  )
}

/** How a running container ends when ECS stops it: its exit code, and after how long (scaled ms). */
export function stopOutcome(
  rule: ScriptRule,
  spec: Pick<ContainerSpec, 'stopTimeout'>,
  clock: Clock
): { exitCode: number; afterMs: number } {
  const timeoutMs = (spec.stopTimeout ?? DELAYS.stopTimeout / 1000) * 1000
  const delayMs = Math.max(0, rule.stopDelayMs ?? 0)
  if (delayMs >= timeoutMs) return { exitCode: 137, afterMs: clock.delay(timeoutMs) }
  return { exitCode: rule.stopExitCode ?? 137, afterMs: clock.delay(delayMs) }
}

interface ScriptedContainer {
  spec: ContainerSpec
  rule: ScriptRule
  startedAt: number
  stoppedExit?: number
  logs: LogLine[]
}

/** Runs nothing: each container's fate comes from the first rule matching its image (default healthy). */
export class ScriptedBackend implements TaskBackend {
  readonly kind = 'scripted' as const
  rules: ScriptRule[] = []
  private readonly tasks = new Map<string, ScriptedContainer[]>()
  /** Tasks waiting out a rule's startDelayMs: calling the function cancels the wait. */
  private readonly starting = new Map<string, () => void>()
  private readonly clock: Clock

  constructor(clock: Clock) {
    this.clock = clock
  }

  private ruleFor(c: ContainerSpec): ScriptRule {
    return matchRule(this.rules, c.image, c.name) ?? { image: c.image, outcome: 'healthy' }
  }

  async pull(spec: TaskSpec): Promise<Outcome> {
    for (const c of spec.containers) {
      const rule = this.ruleFor(c)
      if (rule.outcome === 'pullError')
        return {
          ok: false,
          reason:
            rule.reason ??
            `CannotPullContainerError: pull image manifest has been retried 1 time(s): ` +
              `failed to resolve ref ${c.image}: ${c.image}: not found`
        }
    }
    return { ok: true }
  }

  async start(spec: TaskSpec): Promise<Outcome> {
    const containers = spec.containers.map(c => ({ spec: c, rule: this.ruleFor(c) }))
    const delay = Math.max(0, ...containers.map(c => c.rule.startDelayMs ?? 0))
    if (delay > 0) {
      // Cancellable: stopping a task that is still starting ends the wait (see stop()).
      const cancelled = await new Promise<boolean>(resolve => {
        const timer = setTimeout(() => resolve(false), this.clock.delay(delay))
        this.starting.set(spec.taskId, () => {
          clearTimeout(timer)
          resolve(true)
        })
      })
      this.starting.delete(spec.taskId)
      if (cancelled) return { ok: false, reason: 'CannotStartContainerError: task stopped while starting' }
    }
    const now = this.clock.now()
    this.tasks.set(
      spec.taskId,
      containers.map(({ spec: c, rule }) => ({
        spec: c,
        rule,
        startedAt: now,
        logs: (rule.logs ?? []).map((message, i) => ({ timestamp: now + i, message }))
      }))
    )
    return { ok: true }
  }

  private look(c: ScriptedContainer): ContainerObservation {
    const { rule, spec } = c
    const since = this.clock.now() - c.startedAt
    const crashed = rule.outcome === 'crash' && since >= this.clock.delay(rule.afterMs ?? 0)
    const reason = crashed && rule.reason !== undefined ? { reason: rule.reason } : {}
    if (c.stoppedExit !== undefined)
      return { name: spec.name, running: false, exitCode: c.stoppedExit, health: 'UNKNOWN', ...reason }
    if (crashed)
      return { name: spec.name, running: false, exitCode: rule.exitCode ?? 1, health: 'UNKNOWN', ...reason }
    let health: ContainerObservation['health'] = 'UNKNOWN'
    const hc = spec.healthCheck
    if (hc) {
      // Docker's timing: the first check runs one interval after start; `retries` failures make it unhealthy.
      const checks = rule.outcome === 'unhealthy' ? hc.retries : 1
      const decidedAfter = this.clock.delay(hc.interval * 1000 * checks)
      const graceOver = since >= this.clock.delay(hc.startPeriod * 1000)
      if (since >= decidedAfter && (rule.outcome !== 'unhealthy' || graceOver))
        health = rule.outcome === 'unhealthy' ? 'UNHEALTHY' : 'HEALTHY'
    }
    return { name: spec.name, running: true, health, runtimeId: `scripted-${spec.name}` }
  }

  async observe(taskIds: string[]): Promise<Map<string, ContainerObservation[]>> {
    const out = new Map<string, ContainerObservation[]>()
    for (const id of taskIds) {
      const containers = this.tasks.get(id)
      if (containers)
        out.set(
          id,
          containers.map(c => this.look(c))
        )
    }
    return out
  }

  async stop(taskId: string): Promise<ContainerObservation[]> {
    this.starting.get(taskId)?.()
    const containers = this.tasks.get(taskId) ?? []
    const last = containers.map(c => this.look(c))
    // Like the ECS agent: SIGTERM to every container still running, SIGKILL (137) after its stop timeout.
    const ends = containers.map((c, i) =>
      last[i].running ? stopOutcome(c.rule, c.spec, this.clock) : { exitCode: last[i].exitCode, afterMs: 0 }
    )
    const wait = Math.max(0, ...ends.map(e => e.afterMs))
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
    containers.forEach((c, i) => {
      c.stoppedExit = ends[i].exitCode
    })
    return containers.map(c => this.look(c))
  }

  async readLogs(taskId: string, container: string): Promise<LogLine[] | undefined> {
    return this.tasks.get(taskId)?.find(c => c.spec.name === container)?.logs
  }

  /** Each task's load from the rules in force now (their `cpu` and `memory`), summed over its running containers. */
  async usage(taskIds: string[]): Promise<Map<string, TaskUsage>> {
    const out = new Map<string, TaskUsage>()
    for (const id of taskIds) {
      const containers = this.tasks.get(id)
      if (!containers) continue
      const running = containers.filter(c => this.look(c).running)
      const rules = running.map(c => matchRule(this.rules, c.spec.image, c.spec.name) ?? c.rule)
      out.set(id, {
        cpuPercent: rules.reduce((a, r) => a + (r.cpu ?? 0), 0),
        memoryPercent: rules.reduce((a, r) => a + (r.memory ?? 0), 0)
      })
    }
    return out
  }

  async shutdown(): Promise<void> {
    this.tasks.clear()
  }

  reset(): void {
    this.tasks.clear()
    this.rules = []
  }
}

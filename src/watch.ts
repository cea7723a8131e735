/**
 * The wait loop: follow the deployment UpdateService created (by id) until it has really finished,
 * streaming new service events and reading the tasks it started as they stop.
 *
 * The SDK waiter's "services stable" means only `deployments.length == 1 && running == desired`, which
 * is also true after ECS's circuit breaker has rolled back to the old revision. We watch our own
 * deployment's rolloutState and failedTasks instead.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Deployment,
  type DescribeServicesCommandOutput,
  type ECSClient,
  type Service,
  type ServiceEvent,
  type Task
} from '@aws-sdk/client-ecs'
import { DeployError, awsErrorName, errorMessage, isTransientError } from './errors.js'

export interface WatchOptions {
  ecs: ECSClient
  cluster: string
  service: string
  /** The deployment UpdateService created (ecs-svc/...). */
  deploymentId: string
  /** The task-definition revision we registered. */
  taskDefinitionArn: string
  /** When we called UpdateService: events before it are not ours. */
  since: Date
  /** Events already on the service before our update (e.g. UpdateService's answer): never reported as ours. */
  knownEventIds?: Iterable<string>
  timeoutMs: number
  /** Stop waiting once our deployment has this many failed tasks; 0 (or less, or Infinity) disables. */
  maxFailedTasks: number
  /** Time between DescribeServices polls; default 2000. */
  pollIntervalMs?: number
  /**
   * Longest wait for one ECS call, the SDK's own retries included; default 2.5 × the poll interval
   * (5 s). A call still unanswered by then (the SDK backing off after throttling) is given up and
   * counts as a transient error, so the watch never goes long without seeing the deployment.
   */
  callTimeoutMs?: number
  /** Cap on ECS calls per rolling minute (DescribeServices polls + stopped-task reads); default 40. */
  maxCallsPerMinute?: number
  /** The run's shared call meter (see CallMeter); by default one of this watch's own. */
  meter?: CallMeter
  /** Cancellation (SIGTERM): resolves promptly with status 'cancelled'. */
  signal?: AbortSignal
  /** Each new service event once, oldest first, as it appears. */
  onEvent?: (event: ServiceEvent) => void
  /** Each stopped task of our deployment once, as it stops. */
  onStoppedTask?: (task: Task) => void
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  now?: () => number
  /** Jitter source for error backoff; default Math.random. */
  random?: () => number
}

export type WatchStatus =
  'completed' | 'failed' | 'rolled-back' | 'too-many-failed-tasks' | 'timeout' | 'cancelled'

export interface WatchOutcome {
  status: WatchStatus
  /** Our deployment as last seen. */
  deployment?: Deployment
  /** The service as last seen. */
  service?: Service
  /** Events since `since`, oldest first. */
  events: ServiceEvent[]
  /** Stopped tasks started by our deployment (startedBy = deploymentId), in the order they were read. */
  stoppedTasks: Task[]
  /** When ECS rolled back (or another deployment replaced ours): the new PRIMARY's id. */
  rollbackDeploymentId?: string
  /** One line a person can read. */
  message: string
  /** Things that went wrong on the side (e.g. stopped tasks could not be read); never fatal. */
  notes: string[]
}

const DEFAULT_POLL_INTERVAL_MS = 2000
const DEFAULT_MAX_CALLS_PER_MINUTE = 40
/** Read stopped tasks at least this often even when failedTasks did not change. */
const STOPPED_TASKS_CADENCE_MS = 15_000
/** Consecutive failed DescribeServices polls before the error is reported as itself. */
const MAX_CONSECUTIVE_ERRORS = 5
/** Consecutive polls in which our deployment is missing (with no newer PRIMARY) before giving up. */
const MAX_MISSING_POLLS = 5
const MAX_BACKOFF_MS = 15_000
/** A call's time limit, in poll intervals. */
const CALL_TIMEOUT_POLLS = 2.5
/** Clock skew allowance between us and ECS when deciding which events are ours. */
const EVENT_SLACK_MS = 1000
const MINUTE_MS = 60_000

export { isTransientError }

/** The default sleep: resolves after `ms`, or at once when the signal aborts (never rejects). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted || ms <= 0) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** `family:revision` of a task-definition ARN (or the input unchanged). */
export function shortTaskDefinition(arn: string | undefined): string {
  if (!arn) return 'unknown task definition'
  const slash = arn.lastIndexOf('/')
  return slash >= 0 ? arn.slice(slash + 1) : arn
}

function formatDuration(ms: number): string {
  if (ms >= MINUTE_MS && ms % MINUTE_MS === 0) {
    const m = ms / MINUTE_MS
    return `${m} minute${m === 1 ? '' : 's'}`
  }
  if (ms >= MINUTE_MS) return `${(ms / MINUTE_MS).toFixed(1)} minutes`
  const s = Math.round(ms / 1000)
  return `${s} second${s === 1 ? '' : 's'}`
}

function counts(d: Deployment | undefined): string {
  if (!d) return 'deployment not seen'
  const parts = [`${d.runningCount ?? 0}/${d.desiredCount ?? 0} tasks running`]
  if (d.pendingCount) parts.push(`${d.pendingCount} pending`)
  if (d.failedTasks) parts.push(`${d.failedTasks} failed`)
  return parts.join(', ')
}

/**
 * "limit 3" or, past it, "limit 3; ECS starts tasks in batches of 2": ECS starts the tasks of a
 * deployment up to its desired count at once, so they also fail together and the count can pass the
 * limit by one batch before any watch can see it. Past one batch, `since` says what the watch missed:
 * how many failed between its last two reads of the deployment, and how long apart they were
 * (`unread`: longer than a poll interval, because calls were throttled, failed or slow).
 */
export function failedLimitText(
  failed: number,
  limit: number,
  desired: number,
  since?: { failed: number; ms: number; unread: boolean }
): string {
  if (failed <= limit) return `limit ${limit}`
  const batch = Math.max(1, desired)
  const parts = [`limit ${limit}`, `ECS starts tasks in batches of ${batch}`]
  if (failed > limit + batch && since && since.ms > 0 && failed > since.failed) {
    const n = failed - since.failed
    parts.push(
      since.unread
        ? `${n} of them failed in the ${formatDuration(since.ms)} ECS could not be read`
        : `${n} of them failed between two reads ${formatDuration(since.ms)} apart`
    )
  }
  return parts.join('; ')
}

function eventKey(e: ServiceEvent): string {
  return e.id ?? `${e.createdAt?.getTime() ?? ''}|${e.message ?? ''}`
}

const ROLLING_BACK = /rolling back/i

/**
 * Every ECS call of one run, over a sliding minute: the main wait, a rollback's UpdateService and the
 * rollback's wait share one, so together they stay within the per-minute budget.
 */
export class CallMeter {
  private readonly times: number[] = []

  constructor(
    readonly perMinute: number = DEFAULT_MAX_CALLS_PER_MINUTE,
    private readonly now: () => number = Date.now
  ) {}

  record(): void {
    this.times.push(this.now())
  }

  /** Calls made in the last minute. */
  used(): number {
    const t = this.now()
    while (this.times.length > 0 && this.times[0]! <= t - MINUTE_MS) this.times.shift()
    return this.times.length
  }

  /** Milliseconds until `n` more calls fit in the budget (0: now). */
  delayFor(n = 1): number {
    const over = this.used() + n - this.perMinute
    if (over <= 0) return 0
    return Math.max(0, this.times[over - 1]! + MINUTE_MS - this.now() + 1)
  }
}

export async function watchDeployment(options: WatchOptions): Promise<WatchOutcome> {
  const {
    ecs,
    cluster,
    service: serviceName,
    deploymentId,
    taskDefinitionArn,
    since,
    timeoutMs,
    maxFailedTasks,
    signal,
    onEvent,
    onStoppedTask
  } = options
  const pollIntervalMs = Math.max(1, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS)
  const callTimeoutMs = Math.max(1, options.callTimeoutMs ?? pollIntervalMs * CALL_TIMEOUT_POLLS)
  const maxCallsPerMinute = options.maxCallsPerMinute ?? DEFAULT_MAX_CALLS_PER_MINUTE
  const sleep = options.sleep ?? abortableSleep
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const failLimit = Number.isFinite(maxFailedTasks) && maxFailedTasks > 0 ? maxFailedTasks : Infinity

  // DescribeServices alone makes at most one call per interval; stopped-task reads get what is left,
  // less a reserve for the last read before a failure verdict (2 calls) and a poll moved to the deadline.
  const taskCallBudget = Math.max(2, maxCallsPerMinute - Math.ceil(MINUTE_MS / pollIntervalMs) - 3)
  const meter = options.meter ?? new CallMeter(maxCallsPerMinute, now)
  const taskCallTimes: number[] = []

  const start = now()
  const deadline = start + timeoutMs
  const sinceMs = since.getTime() - EVENT_SLACK_MS

  const events: ServiceEvent[] = []
  const seenEvents = new Set<string>()
  const knownEvents = new Set(options.knownEventIds ?? [])
  const stoppedTasks: Task[] = []
  const seenStopped = new Set<string>()
  const notes: string[] = []
  let lastService: Service | undefined
  let lastDeployment: Deployment | undefined
  // A new deployment starts with no failed tasks; the slow cadence counts from the start.
  let lastTaskReadAt = start
  let lastTaskReadFailed = 0
  let consecutiveErrors = 0
  let missingPolls = 0
  /** When DescribeServices last answered, and the answer before (time, our failedTasks then). */
  // A new deployment starts with no failed tasks: the watch's start counts as the first read.
  let lastSeen: { at: number; failed: number } = { at: start, failed: 0 }
  let seenBefore: { at: number; failed: number } | undefined

  const outcome = (
    status: WatchStatus,
    message: string,
    extra: Partial<WatchOutcome> = {}
  ): WatchOutcome => ({
    status,
    deployment: lastDeployment,
    service: lastService,
    events,
    stoppedTasks,
    message,
    notes,
    ...extra
  })

  const cancelled = (): WatchOutcome =>
    outcome(
      'cancelled',
      `Stopped waiting for deployment ${deploymentId}: cancelled (${counts(lastDeployment)})`
    )

  const recordEvents = (svc: Service): void => {
    const fresh = (svc.events ?? [])
      .map((e, index) => ({ e, index }))
      .filter(
        ({ e }) =>
          e.createdAt !== undefined &&
          e.createdAt.getTime() >= sinceMs &&
          !seenEvents.has(eventKey(e)) &&
          !knownEvents.has(eventKey(e))
      )
      // ECS lists events newest first; equal timestamps keep that order reversed.
      .sort((a, b) => a.e.createdAt!.getTime() - b.e.createdAt!.getTime() || b.index - a.index)
    for (const { e } of fresh) {
      seenEvents.add(eventKey(e))
      events.push(e)
      onEvent?.(e)
    }
  }

  /**
   * One ECS call, given up after callTimeoutMs (then aborted, and a TimeoutError thrown). The timer
   * starts on the next turn of the event loop: a call answered at once never starts one.
   */
  const call = async <T>(
    send: (options: { abortSignal: AbortSignal }) => Promise<T>,
    what: string
  ): Promise<T> => {
    const controller = new AbortController()
    const abort = (): void => controller.abort()
    signal?.addEventListener('abort', abort, { once: true })
    let settled = false
    const pending = Promise.resolve(send({ abortSignal: controller.signal }))
    pending.then(
      () => (settled = true),
      () => (settled = true)
    )
    const timedOut = Symbol('timed out')
    const timer = (async (): Promise<typeof timedOut | undefined> => {
      await new Promise(resolve => setImmediate(resolve))
      if (settled) return undefined
      await sleep(callTimeoutMs, controller.signal)
      return settled || signal?.aborted ? undefined : timedOut
    })()
    try {
      const first = await Promise.race([pending, timer])
      if (first !== timedOut) return await pending
      throw Object.assign(
        new Error(
          `${what} did not answer within ${formatDuration(callTimeoutMs)} (the SDK was still retrying)`
        ),
        { name: 'TimeoutError' }
      )
    } finally {
      signal?.removeEventListener('abort', abort)
      // Ends the timer's sleep, or the SDK's retries of a call given up.
      controller.abort()
    }
  }

  /** Reads stopped tasks of our deployment not read before; never throws (a failure becomes a note). */
  const readStoppedTasks = async (): Promise<void> => {
    lastTaskReadAt = now()
    lastTaskReadFailed = lastDeployment?.failedTasks ?? 0
    const count = (): void => {
      taskCallTimes.push(now())
      meter.record()
    }
    try {
      const arns: string[] = []
      let nextToken: string | undefined
      do {
        count()
        const page = await call(
          o =>
            ecs.send(
              new ListTasksCommand({ cluster, startedBy: deploymentId, desiredStatus: 'STOPPED', nextToken }),
              o
            ),
          'ListTasks'
        )
        arns.push(...(page.taskArns ?? []))
        nextToken = page.nextToken
      } while (nextToken)
      const fresh = arns.filter(arn => !seenStopped.has(arn))
      for (let i = 0; i < fresh.length; i += 100) {
        count()
        const described = await call(
          o => ecs.send(new DescribeTasksCommand({ cluster, tasks: fresh.slice(i, i + 100) }), o),
          'DescribeTasks'
        )
        const byArn = new Map((described.tasks ?? []).map(t => [t.taskArn, t]))
        // Keep ListTasks order (newest first is not guaranteed): sort by stoppedAt for a stable stream.
        const stopped = fresh
          .slice(i, i + 100)
          .map(arn => byArn.get(arn))
          .filter((t): t is Task => t !== undefined && t.lastStatus === 'STOPPED')
          .sort((a, b) => (a.stoppedAt?.getTime() ?? 0) - (b.stoppedAt?.getTime() ?? 0))
        for (const task of stopped) {
          // A task still STOPPING has no exit codes yet: it is read again next time.
          seenStopped.add(task.taskArn!)
          stoppedTasks.push(task)
          onStoppedTask?.(task)
        }
      }
    } catch (error) {
      if (signal?.aborted) return
      const note = `Could not read the stopped tasks of ${deploymentId} (${awsErrorName(error) ?? 'Error'}): ${errorMessage(error)}`
      if (!notes.includes(note)) notes.push(note)
    }
  }

  const taskCallsInLastMinute = (): number => {
    const t = now()
    while (taskCallTimes.length > 0 && taskCallTimes[0]! <= t - MINUTE_MS) taskCallTimes.shift()
    return taskCallTimes.length
  }

  const maybeReadStoppedTasks = async (): Promise<void> => {
    if (!lastDeployment) return
    const failed = lastDeployment.failedTasks ?? 0
    const changed = failed !== lastTaskReadFailed
    const due = now() - lastTaskReadAt >= STOPPED_TASKS_CADENCE_MS
    if (!changed && !due) return
    if (taskCallsInLastMinute() + 2 > taskCallBudget) return
    await readStoppedTasks()
  }

  /** A terminal, non-successful outcome: read stopped tasks one last time first. */
  const finish = async (
    status: WatchStatus,
    message: string,
    extra: Partial<WatchOutcome> = {}
  ): Promise<WatchOutcome> => {
    if (!signal?.aborted) await readStoppedTasks()
    return outcome(status, message, extra)
  }

  let nextPollAt = start
  for (;;) {
    if (signal?.aborted) return cancelled()
    const wait = Math.max(nextPollAt - now(), Math.min(meter.delayFor(1), Math.max(0, deadline - now())))
    if (wait > 0) await sleep(wait, signal)
    if (signal?.aborted) return cancelled()

    const pollStartedAt = now()
    meter.record()
    nextPollAt = pollStartedAt + pollIntervalMs
    let response: DescribeServicesCommandOutput
    try {
      response = await call(
        o => ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName] }), o),
        'DescribeServices'
      )
    } catch (error) {
      if (signal?.aborted) return cancelled()
      if (!isTransientError(error)) throw describeServicesFailed(error)
      consecutiveErrors++
      if (consecutiveErrors >= MAX_CONSECUTIVE_ERRORS || now() >= deadline)
        throw describeServicesFailed(error)
      // Backoff with jitter: half fixed, half random, doubling per consecutive failure.
      const backoff = Math.min(MAX_BACKOFF_MS, pollIntervalMs * 2 ** (consecutiveErrors - 1))
      nextPollAt = Math.min(deadline, pollStartedAt + backoff / 2 + (random() * backoff) / 2)
      continue
    }
    consecutiveErrors = 0

    const failure = response.failures?.[0]
    const svc =
      response.services?.find(s => s.serviceName === serviceName || s.serviceArn === serviceName) ??
      response.services?.[0]
    if (failure || !svc) {
      const reason = failure?.reason ?? 'not returned'
      throw new DeployError(
        'Service not found',
        `DescribeServices for service ${serviceName} in cluster ${cluster} answered ${reason}${failure?.detail ? `: ${failure.detail}` : ''}`
      )
    }
    if (svc.status === 'INACTIVE' || svc.status === 'DRAINING') {
      lastService = svc
      throw new DeployError(
        'Service deleted',
        `Service ${serviceName} in cluster ${cluster} is ${svc.status} (deleted) while deployment ${deploymentId} was in progress`
      )
    }
    lastService = svc
    recordEvents(svc)

    const deployments = svc.deployments ?? []
    const ours = deployments.find(d => d.id === deploymentId)
    const primary = deployments.find(d => d.status === 'PRIMARY')
    if (ours) {
      lastDeployment = ours
      missingPolls = 0
    }
    seenBefore = lastSeen
    lastSeen = { at: pollStartedAt, failed: ours?.failedTasks ?? lastSeen.failed }

    const decision = decide(ours, primary, deployments)
    if (decision) {
      if (decision.status === 'completed') return outcome('completed', decision.message, decision.extra)
      return finish(decision.status, decision.message, decision.extra)
    }

    if (!ours) {
      missingPolls++
      if (missingPolls >= MAX_MISSING_POLLS) {
        throw new DeployError(
          'Deployment not found',
          `Deployment ${deploymentId} is not among the deployments of service ${serviceName} (${deployments.map(d => d.id).join(', ') || 'none'})`
        )
      }
    }

    if (now() >= deadline) {
      return finish(
        'timeout',
        `Deployment ${deploymentId} did not complete within ${formatDuration(timeoutMs)}: ${counts(lastDeployment)}` +
          (lastDeployment?.rolloutState ? ` (rollout ${lastDeployment.rolloutState})` : '')
      )
    }

    await maybeReadStoppedTasks()
    if (signal?.aborted) return cancelled()
    nextPollAt = Math.min(nextPollAt, deadline)
  }

  function describeServicesFailed(error: unknown): DeployError {
    const name = awsErrorName(error)
    const attempts = consecutiveErrors > 1 ? ` (${consecutiveErrors} attempts in a row)` : ''
    return new DeployError(
      'DescribeServices failed',
      `${name && name !== 'Error' ? `${name}: ` : ''}${errorMessage(error)}${attempts}`,
      { cause: error }
    )
  }

  function decide(
    ours: Deployment | undefined,
    primary: Deployment | undefined,
    deployments: Deployment[]
  ): { status: WatchStatus; message: string; extra?: Partial<WatchOutcome> } | undefined {
    const replacedBy = primary && primary.id !== deploymentId ? primary : undefined
    const rollingBackEvent = events.some(e => ROLLING_BACK.test(e.message ?? ''))

    if (ours) {
      if (ours.rolloutState === 'COMPLETED' && ours.status === 'PRIMARY') {
        return {
          status: 'completed',
          message: `Deployment ${deploymentId} completed: ${counts(ours)} on ${shortTaskDefinition(ours.taskDefinition ?? taskDefinitionArn)}`
        }
      }
      if (ours.rolloutState === 'FAILED') {
        const reason = ours.rolloutStateReason ? `: ${ours.rolloutStateReason}` : ''
        const rolledBackTo =
          replacedBy && replacedBy.taskDefinition !== (ours.taskDefinition ?? taskDefinitionArn)
            ? replacedBy
            : undefined
        if (rolledBackTo || (replacedBy && rollingBackEvent)) {
          return {
            status: 'rolled-back',
            message: `Deployment ${deploymentId} failed${reason}; ECS rolled back to ${shortTaskDefinition(replacedBy!.taskDefinition)} (deployment ${replacedBy!.id})`,
            extra: { rollbackDeploymentId: replacedBy!.id }
          }
        }
        if (rollingBackEvent) {
          return {
            status: 'rolled-back',
            message: `Deployment ${deploymentId} failed${reason}; ECS is rolling back`
          }
        }
        return { status: 'failed', message: `Deployment ${deploymentId} failed${reason} (${counts(ours)})` }
      }
      if (replacedBy && ours.status !== 'PRIMARY') {
        return {
          status: 'rolled-back',
          message: `Deployment ${deploymentId} was replaced by deployment ${replacedBy.id} (${shortTaskDefinition(replacedBy.taskDefinition)}) before it completed (${counts(ours)})`,
          extra: { rollbackDeploymentId: replacedBy.id }
        }
      }
      if (
        ours.rolloutState === undefined &&
        deployments.length === 1 &&
        (ours.runningCount ?? 0) === (ours.desiredCount ?? 0) &&
        !ours.pendingCount
      ) {
        return {
          status: 'completed',
          message: `Deployment ${deploymentId} completed: ${counts(ours)} on ${shortTaskDefinition(ours.taskDefinition ?? taskDefinitionArn)}`
        }
      }
      const failed = ours.failedTasks ?? 0
      if (failed >= failLimit) {
        // What the watch missed since its previous read (throttling, 5xx and slow calls widen it).
        const gapMs = seenBefore ? lastSeen.at - seenBefore.at : 0
        const limitText = failedLimitText(
          failed,
          failLimit,
          ours.desiredCount ?? 1,
          seenBefore
            ? { failed: seenBefore.failed, ms: gapMs, unread: gapMs > pollIntervalMs * 1.5 }
            : undefined
        )
        return {
          status: 'too-many-failed-tasks',
          message: `Deployment ${deploymentId} stopped after ${failed} failed tasks (${limitText}): ${counts(ours)}`
        }
      }
      return undefined
    }

    // Our deployment is gone. A PRIMARY created after our update replaced it (a rollback); an older
    // PRIMARY means ours is not visible yet.
    if (replacedBy && (replacedBy.createdAt === undefined || replacedBy.createdAt.getTime() >= sinceMs)) {
      const failed = rollingBackEvent || lastDeployment?.rolloutState === 'FAILED'
      const target = `${shortTaskDefinition(replacedBy.taskDefinition)} (deployment ${replacedBy.id})`
      return {
        status: 'rolled-back',
        message: failed
          ? `Deployment ${deploymentId} failed and ECS rolled back to ${target}`
          : `Deployment ${deploymentId} was replaced by ${target} before it completed`,
        extra: { rollbackDeploymentId: replacedBy.id }
      }
    }
    return undefined
  }
}

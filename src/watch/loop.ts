/**
 * The wait: poll DescribeServices for the deployment UpdateService created (by id) until its verdict
 * (./verdict.ts, chosen by the service's strategy) says it has really finished, streaming new service
 * events and reading the tasks it started as they stop. This file owns only time: the poll interval,
 * backoff after transient errors, the call budget, the deadline and cancellation.
 */
import {
  DescribeServicesCommand,
  type Deployment,
  type DescribeServicesCommandOutput,
  type Service,
  type ServiceEvent
} from '@aws-sdk/client-ecs'
import { awsFailure } from '../aws.js'
import { DeployError, isTransientError } from '../errors.js'
import { abortableSleep, boundedCall } from './call.js'
import { CallMeter, DEFAULT_MAX_CALLS_PER_MINUTE, MINUTE_MS } from './call-meter.js'
import { EVENT_SLACK_MS, eventKey, newEvents } from './events.js'
import type { WatchOptions, WatchOutcome } from './options.js'
import { StoppedTaskReader } from './stopped-tasks.js'
import { verdictFor, watchesServiceDeployment } from './strategies.js'
import { watchServiceDeployment } from './native.js'
import { endOfWait, type Read, type Snapshot, type Verdict } from './verdict.js'

export { CallMeter } from './call-meter.js'
export { shortTaskDefinition } from './text.js'
export type { WatchOptions, WatchOutcome } from './options.js'
export type { WatchStatus } from './verdict.js'

const DEFAULT_POLL_INTERVAL_MS = 2000
/** Consecutive failed DescribeServices polls before the error is reported as itself. */
const MAX_CONSECUTIVE_ERRORS = 5
/** Consecutive polls in which our deployment is missing (and no verdict explains it) before giving up. */
const MAX_MISSING_POLLS = 5
const MAX_BACKOFF_MS = 15_000
/** ECS's event when no container instance has room for a task. */
const UNPLACED = /unable to place a task/i
/** A call's time limit, in poll intervals. */
const CALL_TIMEOUT_POLLS = 2.5

export async function watchDeployment(options: WatchOptions): Promise<WatchOutcome> {
  if (watchesServiceDeployment(options.strategy)) return watchServiceDeployment(options)
  const { ecs, cluster, service: serviceName, deploymentId, timeoutMs, signal } = options
  const pollIntervalMs = Math.max(1, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS)
  const callTimeoutMs = Math.max(1, options.callTimeoutMs ?? pollIntervalMs * CALL_TIMEOUT_POLLS)
  const maxCallsPerMinute = options.maxCallsPerMinute ?? DEFAULT_MAX_CALLS_PER_MINUTE
  const sleep = options.sleep ?? abortableSleep
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const meter = options.meter ?? new CallMeter(maxCallsPerMinute, now)
  const call = <T>(send: (o: { abortSignal: AbortSignal }) => Promise<T>, what: string): Promise<T> =>
    boundedCall(send, what, { timeoutMs: callTimeoutMs, signal, sleep })
  const tasks = new StoppedTaskReader({
    ecs,
    cluster,
    deploymentId,
    meter,
    // DescribeServices alone makes at most one call per interval; stopped-task reads get what is left,
    // less a reserve for the last read before a failure verdict (2 calls) and a poll moved to the deadline.
    callsPerMinute: Math.max(2, maxCallsPerMinute - Math.ceil(MINUTE_MS / pollIntervalMs) - 3),
    call,
    now,
    cancelled: () => signal?.aborted === true,
    onStoppedTask: options.onStoppedTask
  })

  const start = now()
  const deadline = start + timeoutMs
  const sinceMs = options.since.getTime() - EVENT_SLACK_MS
  const failLimit =
    Number.isFinite(options.maxFailedTasks) && options.maxFailedTasks > 0 ? options.maxFailedTasks : Infinity
  const events: ServiceEvent[] = []
  const seenEvents = new Set(options.knownEventIds ?? [])
  let service: Service | undefined
  let ours: Deployment | undefined
  let lastSeen: Deployment | undefined
  // A new deployment starts with no failed tasks: the watch's start counts as the first read.
  let lastRead: Read = { at: start, failed: 0 }
  let previousRead: Read | undefined
  let consecutiveErrors = 0
  let missingPolls = 0
  let capacity: WatchOutcome['capacity']
  const capacityNotes: string[] = []

  const snapshot = (): Snapshot => {
    const deployments = service?.deployments ?? []
    return {
      deploymentId,
      taskDefinitionArn: options.taskDefinitionArn,
      service,
      ours,
      lastSeen,
      primary: deployments.find(d => d.status === 'PRIMARY'),
      deployments,
      events,
      sinceMs,
      limits: { maxFailedTasks: failLimit, pollIntervalMs, timeoutMs },
      lastRead,
      previousRead,
      now: now(),
      deadline,
      cancelled: signal?.aborted === true
    }
  }
  const judge = (): Verdict | undefined =>
    (options.verdict ?? verdictFor(service?.deploymentConfiguration?.strategy))(snapshot())
  const end = async (verdict: Verdict): Promise<WatchOutcome> => {
    // A deployment that did not complete: read its stopped tasks one last time, for the causes.
    if (verdict.status !== 'completed' && !signal?.aborted) await tasks.read(lastSeen)
    return {
      status: verdict.status,
      deployment: lastSeen,
      service,
      events,
      stoppedTasks: tasks.tasks,
      message: verdict.message,
      notes: [...tasks.notes, ...capacityNotes],
      ...(capacity ? { capacity } : {}),
      ...(verdict.rollbackDeploymentId ? { rollbackDeploymentId: verdict.rollbackDeploymentId } : {})
    }
  }
  /** Cancelled: what ECS last said, if it decided, else the cancellation. */
  const stop = (): Promise<WatchOutcome> => end(judge() ?? endOfWait(snapshot())!)
  const describeServicesFailed = (error: unknown): DeployError => {
    const attempts = consecutiveErrors > 1 ? `, ${consecutiveErrors} attempts in a row` : ''
    return awsFailure('ecs:DescribeServices', error, { subject: `service ${serviceName}${attempts}` })
  }

  let nextPollAt = start
  for (;;) {
    if (signal?.aborted) return stop()
    const wait = Math.max(nextPollAt - now(), Math.min(meter.delayFor(1), Math.max(0, deadline - now())))
    if (wait > 0) await sleep(wait, signal)
    if (signal?.aborted) return stop()

    const pollStartedAt = now()
    meter.record('poll')
    nextPollAt = pollStartedAt + pollIntervalMs
    let response: DescribeServicesCommandOutput
    try {
      response = await call(
        o => ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName] }), o),
        'DescribeServices'
      )
    } catch (error) {
      if (signal?.aborted) return stop()
      if (!isTransientError(error)) throw describeServicesFailed(error)
      consecutiveErrors++
      if (consecutiveErrors >= MAX_CONSECUTIVE_ERRORS || now() >= deadline)
        throw describeServicesFailed(error)
      // Polling on after an error, backing off with jitter: half fixed, half random, doubling per error.
      const backoff = Math.min(MAX_BACKOFF_MS, pollIntervalMs * 2 ** (consecutiveErrors - 1))
      nextPollAt = Math.min(deadline, pollStartedAt + backoff / 2 + (random() * backoff) / 2)
      continue
    }
    consecutiveErrors = 0

    service = serviceIn(response, serviceName, cluster, deploymentId)
    let unplaced: ServiceEvent | undefined
    for (const event of newEvents(service.events ?? [], { sinceMs, seen: seenEvents })) {
      seenEvents.add(eventKey(event))
      events.push(event)
      options.onEvent?.(event)
      if (UNPLACED.test(event.message ?? '')) unplaced = event
    }
    ours = service.deployments?.find(d => d.id === deploymentId)
    lastSeen = ours ?? lastSeen
    missingPolls = ours ? 0 : missingPolls + 1
    previousRead = lastRead
    lastRead = { at: pollStartedAt, failed: ours?.failedTasks ?? lastRead.failed }

    const verdict = judge()
    if (verdict) return end(verdict)
    if (unplaced && options.onUnplaced) {
      const check = await options.onUnplaced(unplaced, service)
      if (check.note) capacityNotes.push(check.note)
      capacity = check.finding ?? capacity
      if (check.finding?.action === 'fail')
        return end({
          status: 'failed',
          message: `Deployment ${deploymentId} cannot place its tasks: ${check.finding.title.toLowerCase()}`
        })
    }
    if (missingPolls >= MAX_MISSING_POLLS) {
      const listed = (service.deployments ?? []).map(d => d.id).join(', ') || 'none'
      throw new DeployError(
        'Deployment not found',
        `Deployment ${deploymentId} is not among the deployments of service ${serviceName} (${listed})`
      )
    }
    await tasks.readIfDue(lastSeen)
    if (signal?.aborted) return stop()
    nextPollAt = Math.min(nextPollAt, deadline)
  }
}

/** The service in a DescribeServices answer; thrown when it is missing or deleted. */
function serviceIn(
  response: DescribeServicesCommandOutput,
  serviceName: string,
  cluster: string,
  deploymentId: string
): Service {
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
    throw new DeployError(
      'Service deleted',
      `Service ${serviceName} in cluster ${cluster} is ${svc.status} (deleted) while deployment ${deploymentId} was in progress`
    )
  }
  return svc
}

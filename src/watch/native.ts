/**
 * The wait for the native traffic-shifting strategies (BLUE_GREEN, LINEAR, CANARY): find the service
 * deployment our update created (./service-deployment.ts), poll DescribeServiceDeployments and judge
 * each answer with `nativeVerdict` (./verdict-native.ts). Like ./loop.ts, this file owns only time: the
 * poll interval, backoff after transient errors, the shared call meter, the deadline and cancellation;
 * what a pause means is the caller's `onPause`.
 */
import { DescribeServicesCommand, type ServiceDeployment, type ServiceEvent } from '@aws-sdk/client-ecs'
import { arnTail } from '../arn.js'
import { awsFailure } from '../aws.js'
import { DeployError, isTransientError } from '../errors.js'
import { abortableSleep, boundedCall } from './call.js'
import { CallMeter, DEFAULT_MAX_CALLS_PER_MINUTE } from './call-meter.js'
import { EVENT_SLACK_MS, newEvents } from './events.js'
import type { WatchOptions, WatchOutcome } from './options.js'
import { describeServiceDeployments, findServiceDeployment, type Call } from './service-deployment.js'
import { NO_STAGES, stageTimings, tick } from './stages.js'
import { nativeVerdict, progressLine, trafficText, type NativeVerdict } from './verdict-native.js'

/** Under 20 DescribeServiceDeployments a minute (a long bake stays cheap); a change is seen 1.6 s after it on average. */
export const NATIVE_POLL_INTERVAL_MS = 3200
const MAX_CONSECUTIVE_ERRORS = 5
/** Polls in which ECS lists no service deployment of ours before giving up. */
const MAX_MISSING_POLLS = 10
const MAX_BACKOFF_MS = 15_000
const CALL_TIMEOUT_POLLS = 2.5

type Final = Exclude<NativeVerdict, { status: 'pending' }>

export async function watchServiceDeployment(options: WatchOptions): Promise<WatchOutcome> {
  const { ecs, cluster, service, signal } = options
  const pollIntervalMs = Math.max(1, options.pollIntervalMs ?? NATIVE_POLL_INTERVAL_MS)
  const callTimeoutMs = Math.max(1, options.callTimeoutMs ?? pollIntervalMs * CALL_TIMEOUT_POLLS)
  const sleep = options.sleep ?? abortableSleep
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const meter = options.meter ?? new CallMeter(options.maxCallsPerMinute ?? DEFAULT_MAX_CALLS_PER_MINUTE, now)
  const call: Call = (send, what) => boundedCall(send, what, { timeoutMs: callTimeoutMs, signal, sleep })
  const record = (): void => meter.record('poll')

  const start = now()
  const deadline = start + options.timeoutMs
  let arn = options.serviceDeploymentArn
  let deployment: ServiceDeployment | undefined
  let clock = NO_STAGES
  const answered = new Set<string>()
  let consecutiveErrors = 0
  let missingPolls = 0
  const judge = (): NativeVerdict =>
    nativeVerdict({ deployment, now: now(), deadline, cancelled: signal?.aborted === true })

  const outcome = async (final: Final | { status: 'paused'; message: string }, hookId?: string) => {
    const read = final.status === 'completed' || signal?.aborted ? undefined : await serviceAndEvents()
    return {
      status: final.status,
      message: final.message,
      service: read?.service,
      events: read?.events ?? [],
      stoppedTasks: [],
      notes: [],
      serviceDeployment: deployment,
      stages: stageTimings(clock, now()),
      ...('cause' in final && final.cause ? { cause: final.cause } : {}),
      ...(hookId ? { hookId } : {})
    } satisfies WatchOutcome
  }
  /** For the causes of a deployment that did not succeed: the service and its events since our update. */
  const serviceAndEvents = async () => {
    try {
      record()
      const out = await call(
        o => ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), o),
        'DescribeServices'
      )
      const svc = out.services?.[0]
      const seen = new Set(options.knownEventIds ?? [])
      const events: ServiceEvent[] = newEvents(svc?.events ?? [], {
        sinceMs: options.since.getTime() - EVENT_SLACK_MS,
        seen
      })
      for (const e of events) options.onEvent?.(e)
      return { service: svc, events }
    } catch {
      return undefined
    }
  }
  const stop = (): Promise<WatchOutcome> => {
    const v = judge()
    return outcome(v.status === 'pending' ? { status: 'cancelled', message: 'The run was cancelled' } : v)
  }

  let nextPollAt = start
  for (;;) {
    if (signal?.aborted) return stop()
    const wait = Math.max(nextPollAt - now(), Math.min(meter.delayFor(2), Math.max(0, deadline - now())))
    if (wait > 0) await sleep(wait, signal)
    if (signal?.aborted) return stop()
    const pollStartedAt = now()
    nextPollAt = pollStartedAt + pollIntervalMs
    try {
      arn ??= await findServiceDeployment(
        ecs,
        { cluster, service, since: options.since, taskDefinitionArn: options.taskDefinitionArn },
        call,
        record
      )
      if (arn) {
        const [found] = await describeServiceDeployments(ecs, [arn], call, record)
        const line = found ? progressLine(deployment, found) : undefined
        if (found) deployment = found
        if (line) options.onProgress?.(line)
        clock = tick(
          clock,
          deployment?.lifecycleStage,
          pollStartedAt,
          deployment ? trafficText(deployment) : undefined
        )
      }
      consecutiveErrors = 0
    } catch (error) {
      if (signal?.aborted) return stop()
      if (!isTransientError(error)) throw error
      consecutiveErrors++
      if (consecutiveErrors >= MAX_CONSECUTIVE_ERRORS || now() >= deadline) {
        throw awsFailure('ecs:DescribeServiceDeployments', error, {
          subject: `service ${service}, ${consecutiveErrors} attempts in a row`
        })
      }
      const backoff = Math.min(MAX_BACKOFF_MS, pollIntervalMs * 2 ** (consecutiveErrors - 1))
      nextPollAt = Math.min(deadline, pollStartedAt + backoff / 2 + (random() * backoff) / 2)
      continue
    }
    missingPolls = deployment ? 0 : missingPolls + 1

    const verdict = judge()
    if (verdict.status !== 'pending') return outcome(verdict)
    const hook = verdict.awaiting
    if (hook?.hookId && deployment && !answered.has(hook.hookId)) {
      answered.add(hook.hookId)
      if ((await options.onPause?.(hook, deployment)) === 'return') {
        return outcome(
          {
            status: 'paused',
            message: `Service deployment ${arnTail(arn)} is paused at hook ${hook.hookId}`
          },
          hook.hookId
        )
      }
    }
    if (missingPolls >= MAX_MISSING_POLLS) {
      throw new DeployError(
        'Service deployment not found',
        `ECS listed no service deployment of service ${service} created since the update that targets ${options.taskDefinitionArn}`,
        { hint: 'check permission ecs:ListServiceDeployments and ecs:DescribeServiceRevisions' }
      )
    }
    nextPollAt = Math.min(nextPollAt, deadline)
  }
}

/**
 * The post-deploy watch (`watch-minutes`): after the deployment completed, poll the alarms (the user's and
 * the service's deployment alarms) with DescribeAlarms for the window; the first in ALARM ends it red, as
 * a failed deployment (main.ts hands the outcome to the failure path, which rolls back). A bounded number
 * of calls: one per poll interval, plus a few retries of transient errors. Alarm reasons are outside text.
 */
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { awsFailure } from '../aws.js'
import { isTransientError } from '../errors.js'
import { boundMessage } from '../untrusted.js'
import { abortableSleep, boundedCall, type Sleep } from './call.js'
import type { WatchOutcome } from './options.js'
import { formatDuration } from './text.js'

/** DescribeAlarms takes at most 100 names per call. */
const NAMES_PER_CALL = 100
const MAX_CONSECUTIVE_ERRORS = 3
const CALL_TIMEOUT_MS = 15_000

/** One alarm as DescribeAlarms answered (metric or composite). */
export interface AlarmState {
  name: string
  state?: string
  reason?: string
  updatedAt?: Date
}

export type AfterWatchResult =
  | { status: 'green'; polls: number }
  | { status: 'alarm'; alarm: AlarmState; afterMs: number; polls: number }
  | { status: 'cancelled'; afterMs: number; polls: number }

export interface AfterWatchOptions {
  cloudwatch: CloudWatchClient
  alarms: string[]
  windowMs: number
  /** Default: a quarter of the window, between 1 s and 30 s. */
  pollIntervalMs?: number
  signal?: AbortSignal
  sleep?: Sleep
  now?: () => number
  onProgress?: (line: string) => void
}

/** The time between polls: often enough to see an alarm within its own period, a bounded number of calls. */
export function pollInterval(windowMs: number): number {
  return Math.min(30_000, Math.max(1000, Math.round(windowMs / 4)))
}

/** The polls a window makes: one at its start, one per interval, the last at its end. */
export function pollCount(windowMs: number, intervalMs: number): number {
  return Math.ceil(windowMs / Math.max(1, intervalMs)) + 1
}

/** The first alarm in ALARM, in the order the names were given (pure). */
export function firstInAlarm(names: string[], states: AlarmState[]): AlarmState | undefined {
  for (const name of names) {
    const found = states.find(s => s.name === name && s.state === 'ALARM')
    if (found) return found
  }
  return undefined
}

/** The names DescribeAlarms did not find (pure): a typo in `alarms` would watch nothing. */
export function missingAlarms(names: string[], states: AlarmState[]): string[] {
  const found = new Set(states.map(s => s.name))
  return names.filter(n => !found.has(n))
}

/** DescribeAlarms for the names (metric and composite alarms), 100 names a call. */
export async function describeAlarms(
  cloudwatch: CloudWatchClient,
  names: string[],
  abortSignal?: AbortSignal
): Promise<AlarmState[]> {
  const states: AlarmState[] = []
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    const answer = await cloudwatch.send(
      new DescribeAlarmsCommand({
        AlarmNames: names.slice(i, i + NAMES_PER_CALL),
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: NAMES_PER_CALL
      }),
      { abortSignal }
    )
    for (const a of [...(answer.MetricAlarms ?? []), ...(answer.CompositeAlarms ?? [])]) {
      if (!a.AlarmName) continue
      states.push({
        name: a.AlarmName,
        state: a.StateValue,
        reason: a.StateReason,
        updatedAt: a.StateUpdatedTimestamp
      })
    }
  }
  return states
}

export async function watchAfterDeployment(options: AfterWatchOptions): Promise<AfterWatchResult> {
  const { cloudwatch, alarms, windowMs, signal } = options
  const sleep = options.sleep ?? abortableSleep
  const now = options.now ?? Date.now
  const intervalMs = Math.max(1, options.pollIntervalMs ?? pollInterval(windowMs))
  const polls = pollCount(windowMs, intervalMs)
  const start = now()
  if (alarms.length === 0) {
    // DescribeAlarms with no names lists every alarm: with none to watch, the window only waits.
    options.onProgress?.(`No alarm to watch: waiting ${formatDuration(windowMs)} after the deployment`)
    await sleep(windowMs, signal)
    return signal?.aborted
      ? { status: 'cancelled', afterMs: now() - start, polls: 0 }
      : { status: 'green', polls: 0 }
  }
  let errors = 0
  options.onProgress?.(
    `Watching ${alarms.length} alarm${alarms.length === 1 ? '' : 's'} for ${formatDuration(windowMs)} after the deployment`
  )
  for (let poll = 1; poll <= polls; poll++) {
    if (signal?.aborted) return { status: 'cancelled', afterMs: now() - start, polls: poll - 1 }
    let states: AlarmState[] | undefined
    try {
      states = await boundedCall(o => describeAlarms(cloudwatch, alarms, o.abortSignal), 'DescribeAlarms', {
        timeoutMs: CALL_TIMEOUT_MS,
        signal,
        sleep
      })
      errors = 0
    } catch (error) {
      if (signal?.aborted) return { status: 'cancelled', afterMs: now() - start, polls: poll }
      if (!isTransientError(error) || ++errors >= MAX_CONSECUTIVE_ERRORS) {
        throw awsFailure('cloudwatch:DescribeAlarms', error, { subject: 'the post-deploy watch' })
      }
    }
    const hit = states && firstInAlarm(alarms, states)
    if (hit) return { status: 'alarm', alarm: hit, afterMs: now() - start, polls: poll }
    const left = start + windowMs - now()
    if (poll < polls && left > 0) await sleep(Math.min(intervalMs, left), signal)
    else if (poll < polls && left <= 0) {
      // The clock says the window is over (slow calls): one last poll at its end, then green.
      poll = polls - 1
    }
  }
  if (signal?.aborted) return { status: 'cancelled', afterMs: now() - start, polls }
  return { status: 'green', polls }
}

/**
 * A red window as a failed deployment's outcome (pure), for the failure path: the deployment's service and
 * events, no service deployment (it completed: the rollback is a new update to the previous revision).
 */
export function afterOutcome(
  deployed: WatchOutcome,
  result: Exclude<AfterWatchResult, { status: 'green' }>,
  windowMs: number
): WatchOutcome {
  const window = `the watch after the deployment (watch-minutes: ${formatDuration(windowMs)})`
  const common = {
    deployment: deployed.deployment,
    service: deployed.service,
    events: deployed.events,
    stoppedTasks: [],
    notes: []
  }
  const after = formatDuration(result.afterMs)
  if (result.status === 'cancelled') {
    return { ...common, status: 'cancelled', message: `The run was cancelled ${after} into ${window}` }
  }
  const name = boundMessage(result.alarm.name, 255)
  const reason = result.alarm.reason ? `: ${boundMessage(result.alarm.reason, 500)}` : ''
  return {
    ...common,
    status: 'failed',
    message: `Alarm ${name} went into ALARM ${after} into ${window}${reason}`,
    cause: `alarm ${boundMessage(result.alarm.name, 60)} in ALARM after the deployment`
  }
}

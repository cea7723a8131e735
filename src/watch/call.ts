/**
 * One ECS call of the wait, bounded in time. The SDK's adaptive retry (src/aws.ts) is the only retry: a
 * call it is still retrying after `timeoutMs` is given up, and aborted, so neither its next attempt nor
 * its backoff timer outlives the wait; the loop counts it as a transient error and polls again.
 */
import { formatDuration } from './text.js'

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

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

export interface CallLimits {
  /** Longest wait for the answer, the SDK's retries included. */
  timeoutMs: number
  /** The wait's cancellation: aborts the call at once. */
  signal?: AbortSignal
  sleep: Sleep
}

/** A call that did not answer in time (the SDK still retrying); transient by its name. */
export class CallTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not answer within ${formatDuration(ms)} (the SDK was still retrying)`)
    this.name = 'TimeoutError'
  }
}

/**
 * Sends one call with its own AbortSignal, aborted when the call settles, is given up after
 * `timeoutMs` (then a CallTimeoutError is thrown), or the wait is cancelled. The timer starts on the
 * next turn of the event loop: a call answered at once never starts one.
 */
export async function boundedCall<T>(
  send: (options: { abortSignal: AbortSignal }) => Promise<T>,
  what: string,
  limits: CallLimits
): Promise<T> {
  const { signal, sleep, timeoutMs } = limits
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
    await sleep(timeoutMs, controller.signal)
    return settled || signal?.aborted ? undefined : timedOut
  })()
  try {
    const first = await Promise.race([pending, timer])
    if (first !== timedOut) return await pending
    throw new CallTimeoutError(what, timeoutMs)
  } finally {
    signal?.removeEventListener('abort', abort)
    // Ends the timer's sleep, or the SDK's retries of a call given up.
    controller.abort()
  }
}

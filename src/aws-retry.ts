/**
 * The one retry layer: the SDK's adaptive retry (backoff with jitter, retry quota, client-side rate
 * limiting after throttling), with one change: a call sent with an AbortSignal waits between attempts
 * on a timer the signal clears.
 *
 * The SDK races its backoff against the call's signal but leaves the timer running, so a call the wait
 * gives up (src/watch/call.ts) kept the process alive for up to the longest backoff (20 s) after the
 * verdict. Here the SDK still decides whether and when to retry; only the wait itself is ours: the
 * backoff hands its delay to the call's scope and answers 0, and the rate limiter, which the strategy
 * asks for a send token right after, waits that delay first, abortably. A call without a signal waits
 * on the SDK's own timer, as before.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { AdaptiveRetryStrategy, DefaultRateLimiter, MAXIMUM_RETRY_DELAY } from '@smithy/core/retry'
import { SMITHY_CONTEXT_KEY, type RetryErrorInfo, type RetryStrategyV2 } from '@smithy/types'
import { abortableSleep } from './watch/call.js'

/** One call: its signal, and the backoff delay it has still to wait. */
interface CallScope {
  signal?: AbortSignal
  delay: number
}

const callScope = new AsyncLocalStorage<CallScope>()

/** The SDK's backoff (full jitter: random × min(base × 2^attempt, 20 s)), its wait deferred to the scope. */
class DeferredBackoff {
  private base = 50

  constructor(private readonly random: () => number) {}

  setDelayBase(delayBase: number): void {
    this.base = delayBase
  }

  computeNextBackoffDelay(attempt: number): number {
    const delay = Math.floor(this.random() * Math.min(this.base * 2 ** attempt, MAXIMUM_RETRY_DELAY))
    const scope = callScope.getStore()
    if (!scope?.signal) return delay
    scope.delay = delay
    return 0
  }
}

/** The SDK's rate limiter, preceded by the deferred backoff; nothing more once the call is aborted. */
class AbortableRateLimiter {
  private readonly limiter = new DefaultRateLimiter()

  constructor(private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>) {}

  updateClientSendingRate(info: RetryErrorInfo | object): void {
    this.limiter.updateClientSendingRate(info)
  }

  async getSendToken(): Promise<void> {
    const scope = callScope.getStore()
    if (scope && scope.delay > 0) {
      const delay = scope.delay
      scope.delay = 0
      await this.sleep(delay, scope.signal)
    }
    if (scope?.signal?.aborted) return
    return this.limiter.getSendToken()
  }
}

export interface RetryOptions {
  maxAttempts: number
  /** For tests: the backoff's jitter and the wait. */
  random?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** The SDK's adaptive retry strategy, waiting abortably (see above). Give it to a client as `retryStrategy`. */
export function adaptiveRetry(options: RetryOptions): RetryStrategyV2 {
  return new AdaptiveRetryStrategy(options.maxAttempts, {
    maxAttempts: options.maxAttempts,
    backoff: new DeferredBackoff(options.random ?? Math.random),
    rateLimiter: new AbortableRateLimiter(options.sleep ?? abortableSleep)
  })
}

interface MiddlewareStackLike {
  add(
    middleware: (
      next: (args: unknown) => Promise<unknown>,
      context: { [SMITHY_CONTEXT_KEY]?: { abortSignal?: AbortSignal } }
    ) => (args: unknown) => Promise<unknown>,
    options: { step: 'initialize'; name: string }
  ): void
}

/** Gives every call of a client its scope (its AbortSignal), which the retry strategy above reads. */
export function addCallScope(stack: unknown): void {
  ;(stack as MiddlewareStackLike).add(
    (next, context) => args =>
      callScope.run({ signal: context[SMITHY_CONTEXT_KEY]?.abortSignal, delay: 0 }, () => next(args)),
    { step: 'initialize', name: 'ecsDeployCallScope' }
  )
}

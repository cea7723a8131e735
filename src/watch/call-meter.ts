/**
 * Every ECS call of one run in one sliding minute. The main wait, a rollback's UpdateService and the
 * rollback's wait share one meter, so together they stay within the per-minute budget; each call is
 * recorded once, with what it was for, so a share of the budget (the stopped-task reads) is read from
 * the same window as the whole.
 */

export const MINUTE_MS = 60_000
export const DEFAULT_MAX_CALLS_PER_MINUTE = 40

/** What a call was for: DescribeServices polls, stopped-task reads (ListTasks, DescribeTasks), the rest. */
export type CallPurpose = 'poll' | 'tasks' | 'other'

export class CallMeter {
  private readonly calls: Array<{ at: number; purpose: CallPurpose }> = []

  constructor(
    readonly perMinute: number = DEFAULT_MAX_CALLS_PER_MINUTE,
    private readonly now: () => number = Date.now
  ) {}

  /** One call made now. */
  record(purpose: CallPurpose = 'other'): void {
    this.calls.push({ at: this.now(), purpose })
  }

  /** Calls made in the last minute: all of them, or those made for `purpose`. */
  used(purpose?: CallPurpose): number {
    this.forgetOld()
    return purpose === undefined ? this.calls.length : this.calls.filter(c => c.purpose === purpose).length
  }

  /** Milliseconds until `n` more calls fit in the whole budget (0: now). */
  delayFor(n = 1): number {
    const over = this.used() + n - this.perMinute
    if (over <= 0) return 0
    return Math.max(0, this.calls[over - 1]!.at + MINUTE_MS - this.now() + 1)
  }

  private forgetOld(): void {
    const t = this.now()
    while (this.calls.length > 0 && this.calls[0]!.at <= t - MINUTE_MS) this.calls.shift()
  }
}

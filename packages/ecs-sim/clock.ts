/**
 * The simulator's one clock. Timestamps are real wall-clock time (so SDK clients and `docker` agree on
 * them); every delay the simulator waits — task state changes, draining, health-check intervals,
 * scripted crash times, the scheduler tick — goes through `delay()`, which multiplies it by the time scale.
 * A scale of 0.05 makes everything 20 times faster; 1 is real ECS speed.
 */
export class Clock {
  readonly scale: number

  constructor(scale = 1) {
    if (!Number.isFinite(scale) || scale <= 0)
      throw new Error(`time scale must be a positive number, got ${scale}`)
    this.scale = scale
  }

  /** Milliseconds since the epoch, real time. */
  now(): number {
    return Date.now()
  }

  /** How long an unscaled (real ECS) delay lasts in this simulator, in milliseconds. */
  delay(unscaledMs: number): number {
    return unscaledMs * this.scale
  }

  /** True once `unscaledMs` (scaled) has passed since `since`. */
  elapsed(since: number, unscaledMs: number): boolean {
    return this.now() - since >= this.delay(unscaledMs)
  }

  sleep(unscaledMs: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, this.delay(unscaledMs)))
  }
}

/** Unscaled delays, as real ECS on Fargate roughly shows them. */
export const DELAYS = {
  tick: 1000,
  provisioning: 2000,
  pending: 3000,
  draining: 5000,
  /** Docker's default stop timeout for a container without `stopTimeout`, like the ECS agent's. */
  stopTimeout: 30000,
  /** After a failed task the scheduler waits before launching a replacement. */
  failureBackoff: 2000,
  /** A container health check's defaults when the task definition leaves them out (ECS's and Docker's). */
  healthCheckInterval: 30000,
  healthCheckTimeout: 5000
} as const

/** ECS's health-check defaults as the API writes them (seconds; retries a count). */
export const HEALTH_CHECK_DEFAULTS = {
  interval: DELAYS.healthCheckInterval / 1000,
  timeout: DELAYS.healthCheckTimeout / 1000,
  retries: 3
} as const

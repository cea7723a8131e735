/**
 * The local CloudWatch's clock work, driven by the scheduler's tick: it samples the running tasks for the
 * AWS/ECS metrics every 20 (scaled) seconds, one sampling at a time (a docker stats round takes about a
 * second), and evaluates the metric alarms that are due.
 */
import type { SimContext } from '../context.js'
import { publishEcsMetrics } from './ecs-metrics.js'
import { evaluateAlarms } from './evaluator.js'

/** ECS samples a task's CPU and memory every 20 seconds (unscaled). */
export const SAMPLE_EVERY_MS = 20_000
/** The shortest real wait between two samplings, however small the time scale. */
const MIN_SAMPLE_MS = 20

export class CloudWatchLoop {
  private readonly ctx: SimContext
  private sampling?: Promise<void>
  private lastSample = 0

  constructor(ctx: SimContext) {
    this.ctx = ctx
  }

  tick(): void {
    const { ctx } = this
    const now = ctx.clock.now()
    if (
      !this.sampling &&
      now - this.lastSample >= Math.max(MIN_SAMPLE_MS, ctx.clock.delay(SAMPLE_EVERY_MS))
    ) {
      this.lastSample = now
      this.sampling = publishEcsMetrics(ctx)
        .catch(err => {
          process.stderr.write(
            `sim: sampling AWS/ECS metrics failed: ${(err as Error).stack ?? String(err)}\n`
          )
        })
        .finally(() => {
          this.sampling = undefined
        })
    }
    evaluateAlarms(ctx, now)
  }

  /** Waits for a sampling in flight (reset and shutdown). */
  async idle(): Promise<void> {
    await this.sampling
  }
}

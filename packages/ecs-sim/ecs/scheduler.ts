import { DELAYS } from '../clock.js'
import { CloudWatchLoop } from '../cloudwatch/loop.js'
import type { SimContext } from '../context.js'
import { TaskLifecycle } from './lifecycle.js'
import { reconcileService } from './reconcile.js'
import { evaluateScaling } from '../autoscaling/loop.js'
import { placeWaiting } from './capacity/placement.js'
import { scaleCapacity } from './capacity/scaling.js'
import { publishReservations } from './capacity/metrics.js'

/** The shortest wait between ticks in real milliseconds, however small the time scale. */
const MIN_TICK_MS = 20

/**
 * ECS's scheduler and agent in one loop: every tick it looks at the running containers, moves each task
 * along PROVISIONING → PENDING → RUNNING → (DEACTIVATING →) STOPPING → STOPPED, and reconciles every
 * service's deployments (rolling update, circuit breaker, rollback). Handlers only change desired state.
 */
export class Scheduler {
  private readonly ctx: SimContext
  private readonly tasks: TaskLifecycle
  private readonly cloudwatch: CloudWatchLoop
  private timer?: NodeJS.Timeout
  private running = false
  private current?: Promise<void>

  constructor(ctx: SimContext) {
    this.ctx = ctx
    this.tasks = new TaskLifecycle(ctx)
    this.cloudwatch = new CloudWatchLoop(ctx)
  }

  start(): void {
    if (this.running) return
    this.running = true
    const loop = () => {
      if (!this.running) return
      this.current = this.tick()
        .catch(err => {
          process.stderr.write(`sim: scheduler tick failed: ${(err as Error).stack ?? String(err)}\n`)
        })
        .finally(() => {
          this.current = undefined
          if (this.running)
            this.timer = setTimeout(loop, Math.max(MIN_TICK_MS, this.ctx.clock.delay(DELAYS.tick)))
        })
    }
    loop()
  }

  async stop(): Promise<void> {
    this.running = false
    if (this.timer) clearTimeout(this.timer)
    await this.current
  }

  /** Stops the loop and waits until no tick and no backend call is in flight (reset and shutdown). */
  async quiesce(): Promise<void> {
    await this.stop()
    await this.tasks.idle()
    await this.cloudwatch.idle()
  }

  async tick(): Promise<void> {
    const { ctx } = this
    const regions = [...ctx.regions.values()]
    const watched = regions
      .flatMap(r => [...r.tasks.values()])
      .filter(t => t.lastStatus === 'RUNNING' && !t.op)
    const seen = watched.length > 0 ? await ctx.backend.observe(watched.map(t => t.id)) : new Map()
    for (const r of regions) {
      scaleCapacity(ctx, r)
      placeWaiting(ctx, r)
      for (const t of r.tasks.values()) this.tasks.advance(r, t, seen.get(t.id))
      for (const services of r.services.values())
        for (const s of services.values()) reconcileService(ctx, r, s)
    }
    // AWS/ECS metrics and metric alarms (the alarms reconcile reads on the next tick).
    this.cloudwatch.tick()
    publishReservations(ctx)
    // Application Auto Scaling's target tracking: it changes desired counts the next tick reconciles.
    await evaluateScaling(ctx)
  }
}

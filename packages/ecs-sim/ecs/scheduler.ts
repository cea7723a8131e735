import { DELAYS } from '../clock.js'
import type { SimContext } from '../context.js'
import type { ContainerObservation } from '../tasks/types.js'
import { addEvent, breakerThreshold, createTask, newDeployment, requestStop, taskSpec } from './core.js'
import type { Deployment, EcsRegion, Service, SimTask, TaskStatus } from './state.js'

function hasHealthCheck(t: SimTask): boolean {
  return t.containers.some(c => c.hasHealthCheck)
}

/**
 * RUNNING (and seen running by the backend at least once, so a container that dies on start never
 * counts), and HEALTHY when a container has a health check: what a rolling update counts.
 */
export function isHealthy(t: SimTask): boolean {
  return t.lastStatus === 'RUNNING' && t.observed && (!hasHealthCheck(t) || t.healthStatus === 'HEALTHY')
}

function taskList(ids: string[]): string {
  return ids.map(id => `(task ${id})`).join(' ')
}

/**
 * ECS's scheduler and agent in one loop: every tick it looks at the running containers, moves each task
 * along PROVISIONING → PENDING → RUNNING → (DEACTIVATING →) STOPPING → STOPPED, and reconciles every
 * service's deployments (rolling update, circuit breaker, rollback). Handlers only change desired state.
 */
export class Scheduler {
  private readonly ctx: SimContext
  private timer?: NodeJS.Timeout
  private running = false
  private current?: Promise<void>
  private readonly inflight = new Set<Promise<unknown>>()

  constructor(ctx: SimContext) {
    this.ctx = ctx
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
          if (this.running) this.timer = setTimeout(loop, Math.max(20, this.ctx.clock.delay(DELAYS.tick)))
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
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight])
  }

  async tick(): Promise<void> {
    const { ctx } = this
    const regions = [...ctx.regions.values()]
    const watched = regions
      .flatMap(r => [...r.tasks.values()])
      .filter(t => t.lastStatus === 'RUNNING' && !t.op)
    const seen = watched.length > 0 ? await ctx.backend.observe(watched.map(t => t.id)) : new Map()
    for (const r of regions) {
      for (const t of r.tasks.values()) this.advanceTask(r, t, seen.get(t.id))
      for (const services of r.services.values()) for (const s of services.values()) this.reconcile(r, s)
    }
  }

  // ---------- tasks ----------

  private setStatus(t: SimTask, status: TaskStatus): void {
    t.lastStatus = status
    t.phaseSince = this.ctx.clock.now()
    t.version++
  }

  private launch(t: SimTask, op: 'pull' | 'start' | 'stop'): void {
    const { backend } = this.ctx
    t.op = op
    // A stop may overtake a pull or start still in flight; the overtaken call's answer is then stale.
    const token = (t.opToken ?? 0) + 1
    t.opToken = token
    const spec = taskSpec(t)
    const work: Promise<{ ok: boolean; reason?: string; final?: ContainerObservation[] }> =
      op === 'pull'
        ? backend.pull(spec)
        : op === 'start'
          ? backend.start(spec)
          : backend.stop(t.id).then(final => ({ ok: true, final }))
    const done = work
      .catch(err => ({ ok: false, reason: `CannotStartContainerError: ${(err as Error).message}` }))
      .then(res => {
        if (t.opToken !== token) {
          // Overtaken by a stop: whatever this start created must not outlive the task.
          if (op === 'start') return backend.stop(t.id).then(() => undefined)
          return
        }
        if ('final' in res && res.final) this.apply(t, res.final)
        t.op = undefined
        t.opResult = { op, ok: res.ok, reason: res.reason }
      })
      .finally(() => this.inflight.delete(done))
    this.inflight.add(done)
  }

  private apply(t: SimTask, seen: ContainerObservation[]): void {
    for (const o of seen) {
      const c = t.containers.find(x => x.name === o.name)
      if (!c) continue
      if (o.runtimeId) c.runtimeId = o.runtimeId
      if (o.imageDigest) c.imageDigest = o.imageDigest
      if (c.lastStatus === 'STOPPED') continue
      if (o.running) {
        c.lastStatus = 'RUNNING'
        c.healthStatus = o.health
      } else {
        c.lastStatus = 'STOPPED'
        c.exitCode = o.exitCode
        if (o.reason) c.reason = o.reason
        t.version++
      }
    }
    if (hasHealthCheck(t)) {
      const checked = t.containers.filter(c => c.hasHealthCheck && c.essential)
      const next = checked.some(c => c.healthStatus === 'UNHEALTHY')
        ? 'UNHEALTHY'
        : checked.length > 0 && checked.every(c => c.healthStatus === 'HEALTHY')
          ? 'HEALTHY'
          : 'UNKNOWN'
      if (next !== t.healthStatus) {
        t.healthStatus = next
        t.version++
      }
    }
  }

  private failStart(t: SimTask, reason: string): void {
    for (const c of t.containers)
      if (c.lastStatus !== 'STOPPED') {
        c.lastStatus = 'STOPPED'
        c.reason = reason
      }
    requestStop(this.ctx, t, 'TaskFailedToStart', reason, { failed: true })
  }

  private toStopping(t: SimTask): void {
    this.setStatus(t, 'STOPPING')
    this.launch(t, 'stop')
  }

  private advanceTask(r: EcsRegion, t: SimTask, seen: ContainerObservation[] | undefined): void {
    const { clock } = this.ctx
    const now = clock.now()
    const res = t.opResult
    switch (t.lastStatus) {
      case 'PROVISIONING':
        if (t.desiredStatus === 'STOPPED') this.finish(t)
        else if (clock.elapsed(t.phaseSince, DELAYS.provisioning)) {
          this.setStatus(t, 'PENDING')
          t.pullStartedAt = now
          this.launch(t, 'pull')
        }
        return
      case 'PENDING':
        if (t.op && t.desiredStatus === 'STOPPED' && t.op !== 'stop') {
          // ECS stops a task that is still pulling or starting without waiting for it.
          t.opResult = undefined
          this.toStopping(t)
          return
        }
        if (t.op) return
        t.opResult = undefined
        if (res?.op === 'pull') {
          t.pullStoppedAt = now
          if (!res.ok) this.failStart(t, res.reason ?? 'CannotPullContainerError')
          else t.pulled = true
        } else if (res?.op === 'start') {
          if (!res.ok) this.failStart(t, res.reason ?? 'CannotStartContainerError')
          else {
            t.started = true
            this.setStatus(t, 'RUNNING')
            t.startedAt = now
            t.connectivityAt = t.connectivityAt ?? now
            for (const c of t.containers) {
              c.lastStatus = 'RUNNING'
              if (c.logGroup && c.logStream)
                this.ctx.logs.register(c.logGroup, c.logStream, t.id, c.name, now)
            }
            return
          }
        }
        if (t.desiredStatus === 'STOPPED') this.toStopping(t)
        else if (t.pulled && !t.started && clock.elapsed(t.phaseSince, DELAYS.pending))
          this.launch(t, 'start')
        return
      case 'RUNNING':
        if (t.op) return
        if (seen) {
          this.apply(t, seen)
          t.observed = t.containers.every(c => !c.essential || c.lastStatus === 'RUNNING')
        }
        if (t.desiredStatus === 'RUNNING') this.checkRunning(r, t)
        if (t.desiredStatus === 'STOPPED') {
          if (t.drain) this.setStatus(t, 'DEACTIVATING')
          else this.toStopping(t)
        }
        return
      case 'DEACTIVATING':
        if (clock.elapsed(t.phaseSince, DELAYS.draining)) this.toStopping(t)
        return
      case 'STOPPING':
        if (!t.op && res?.op === 'stop') {
          t.opResult = undefined
          this.finish(t)
        }
        return
      case 'STOPPED':
        return
    }
  }

  private checkRunning(r: EcsRegion, t: SimTask): void {
    const exited = t.containers.find(c => c.essential && c.lastStatus === 'STOPPED')
    if (exited) {
      requestStop(this.ctx, t, 'EssentialContainerExited', 'Essential container in task exited', {
        failed: true
      })
      return
    }
    if (t.healthStatus === 'UNHEALTHY') {
      const s = t.serviceName ? r.services.get(t.clusterName)?.get(t.serviceName) : undefined
      const grace = (s?.healthCheckGracePeriodSeconds ?? 0) * 1000
      if (t.startedAt !== undefined && !this.ctx.clock.elapsed(t.startedAt, grace)) return
      if (s) addEvent(this.ctx, s, `(service ${s.name}) (task ${t.id}) failed container health checks.`)
      requestStop(this.ctx, t, 'ServiceSchedulerInitiated', 'Task failed container health checks', {
        failed: true
      })
    }
  }

  private finish(t: SimTask): void {
    const now = this.ctx.clock.now()
    for (const c of t.containers) if (c.lastStatus !== 'STOPPED') c.lastStatus = 'STOPPED'
    this.setStatus(t, 'STOPPED')
    t.executionStoppedAt = t.executionStoppedAt ?? now
    t.stoppedAt = now
    void this.ctx.logs.finish(t.id)
  }

  // ---------- services ----------

  private reconcile(r: EcsRegion, s: Service): void {
    const { ctx } = this
    const now = ctx.clock.now()
    if (s.status === 'INACTIVE') return
    const mine = [...r.tasks.values()].filter(
      t => t.clusterName === s.clusterName && t.serviceName === s.name
    )
    const live = mine.filter(t => t.desiredStatus === 'RUNNING')
    const liveOf = (d: Deployment) => live.filter(t => t.deploymentId === d.id)

    if (s.status === 'DRAINING') {
      if (mine.every(t => t.lastStatus === 'STOPPED')) {
        s.status = 'INACTIVE'
        for (const d of s.deployments) d.status = 'INACTIVE'
        s.deployments = []
      }
      return
    }
    const primary = s.deployments[0]
    if (!primary) return
    const desired = s.desiredCount
    primary.desiredCount = desired
    const cfg = s.config

    // Circuit breaker (or, without it, ECS's "unable to consistently start tasks" warning).
    if (primary.rolloutState === 'IN_PROGRESS') {
      if (cfg.circuitBreaker.enable && primary.failedTasks >= breakerThreshold(desired))
        this.trip(r, s, primary)
      else if (!cfg.circuitBreaker.enable && primary.failedTasks >= 3 && !primary.unableEventSent) {
        primary.unableEventSent = true
        addEvent(
          ctx,
          s,
          `(service ${s.name}) is unable to consistently start tasks successfully. For more information, see the ` +
            `Troubleshooting section of the Amazon ECS Developer Guide.`
        )
      }
    }
    const current = s.deployments[0]
    const failed = current.rolloutState === 'FAILED'
    const maxTotal = Math.floor((desired * cfg.maximumPercent) / 100)
    const minHealthy = Math.ceil((desired * cfg.minimumHealthyPercent) / 100)

    // Launch new tasks for the PRIMARY, up to maximumPercent of desired in total.
    const currentLive = liveOf(current)
    if (!failed && (current.nextLaunchAt ?? 0) <= now) {
      const n = Math.min(desired - currentLive.length, maxTotal - live.length)
      if (n > 0) {
        const cluster = r.clusters.get(s.clusterName)
        const td = [...r.taskDefinitions.values()].flat().find(x => x.arn === current.taskDefinitionArn)
        if (cluster && td) {
          const started = Array.from({ length: n }, () =>
            createTask(ctx, r, cluster, td, {
              group: `service:${s.name}`,
              startedBy: current.id,
              serviceName: s.name,
              deploymentId: current.id,
              launchType: s.launchType ?? 'FARGATE',
              tags: s.propagateTags === 'SERVICE' ? s.tags.map(t => ({ ...t })) : []
            })
          )
          live.push(...started)
          currentLive.push(...started)
          addEvent(ctx, s, `(service ${s.name}) has started ${n} tasks: ${taskList(started.map(t => t.id))}.`)
        }
      }
    }

    // Stop old deployments' tasks while the healthy count stays at or above minimumHealthyPercent,
    // and the PRIMARY's surplus after a scale-in.
    const stopping: SimTask[] = []
    if (!failed) {
      let healthy = live.filter(isHealthy).length
      const olds = s.deployments.slice(1).reverse()
      const candidates = olds.flatMap(liveOf).sort((a, b) => Number(isHealthy(a)) - Number(isHealthy(b)))
      for (const t of candidates) {
        if (!isHealthy(t)) stopping.push(t)
        else if (healthy - 1 >= minHealthy) {
          stopping.push(t)
          healthy--
        }
      }
    }
    if (currentLive.length > desired) {
      const surplus = [...currentLive].sort(
        (a, b) => Number(isHealthy(a)) - Number(isHealthy(b)) || b.createdAt - a.createdAt
      )
      stopping.push(...surplus.slice(0, currentLive.length - desired))
    }
    for (const t of stopping)
      requestStop(
        ctx,
        t,
        'ServiceSchedulerInitiated',
        `Scaling activity initiated by (deployment ${current.id})`,
        {
          drain: t.lastStatus === 'RUNNING'
        }
      )
    if (stopping.length > 0)
      addEvent(
        ctx,
        s,
        `(service ${s.name}) has stopped ${stopping.length} running tasks: ${taskList(stopping.map(t => t.id))}.`
      )

    // Old deployments shrink to what they still run and leave the list once all their tasks stopped.
    for (const d of s.deployments.slice(1)) {
      const remaining = mine.filter(t => t.deploymentId === d.id && t.desiredStatus === 'RUNNING').length
      if (d.desiredCount !== remaining) {
        d.desiredCount = remaining
        d.updatedAt = now
      }
      if (mine.every(t => t.deploymentId !== d.id || t.lastStatus === 'STOPPED')) {
        d.status = 'INACTIVE'
        d.updatedAt = now
      }
    }
    s.deployments = s.deployments.filter(d => d.status !== 'INACTIVE')

    // Completion: only the PRIMARY is left, with desired tasks running (and healthy).
    const ready = liveOf(current)
    const settled = s.deployments.length === 1 && ready.length === desired && ready.every(isHealthy)
    if (current.rolloutState === 'IN_PROGRESS' && settled) {
      current.rolloutState = 'COMPLETED'
      current.rolloutStateReason = `ECS deployment ${current.id} completed.`
      current.finishedAt = now
      current.updatedAt = now
      s.lastCompleted = { id: current.id, taskDefinitionArn: current.taskDefinitionArn }
      addEvent(ctx, s, `(service ${s.name}) (deployment ${current.id}) deployment completed.`)
      const tl = ctx.timelineEntry(current.id)
      if (tl && tl.outcome === null)
        Object.assign(tl, { outcome: 'COMPLETED', decidableAt: now, reason: current.rolloutStateReason })
    }
    const steady = settled && current.rolloutState === 'COMPLETED'
    if (steady && !s.steady) addEvent(ctx, s, `(service ${s.name}) has reached a steady state.`)
    s.steady = steady
  }

  private trip(r: EcsRegion, s: Service, d: Deployment): void {
    const { ctx } = this
    const now = ctx.clock.now()
    d.rolloutState = 'FAILED'
    d.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.'
    d.breakerTrippedAt = now
    d.finishedAt = now
    d.updatedAt = now
    addEvent(ctx, s, `(service ${s.name}) (deployment ${d.id}) deployment failed: tasks failed to start.`)
    const tl = ctx.timelineEntry(d.id)
    const target = s.lastCompleted
    // A failing rollback is not rolled back again.
    if (s.config.circuitBreaker.rollback && target && !d.rollbackOf) {
      const rb = newDeployment(
        ctx,
        r,
        s,
        target.taskDefinitionArn,
        `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`,
        d.id
      )
      d.rolledBackBy = rb.id
      d.rollbackStartedAt = now
      addEvent(ctx, s, `(service ${s.name}) rolling back to deployment ${target.id}.`)
      if (tl) Object.assign(tl, { outcome: 'ROLLED_BACK', decidableAt: now, reason: rb.rolloutStateReason })
    } else if (tl) Object.assign(tl, { outcome: 'FAILED', decidableAt: now, reason: d.rolloutStateReason })
  }
}

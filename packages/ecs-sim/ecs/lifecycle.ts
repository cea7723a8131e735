import { DELAYS } from '../clock.js'
import type { SimContext } from '../context.js'
import type { ContainerObservation } from '../tasks/types.js'
import { addEvent, requestStop, taskSpec } from './core.js'
import type { EcsRegion, SimTask, TaskStatus } from './state.js'

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

/**
 * The ECS agent's part: each tick moves a task along PROVISIONING → PENDING → RUNNING → (DEACTIVATING →)
 * STOPPING → STOPPED, calling the task backend (pull, start, stop) and applying what it saw of the
 * containers. Essential exits and failed health checks stop the task as failed.
 */
export class TaskLifecycle {
  private readonly ctx: SimContext
  private readonly inflight = new Set<Promise<unknown>>()

  constructor(ctx: SimContext) {
    this.ctx = ctx
  }

  /** Resolves once no backend call is in flight. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight])
  }

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

  advance(r: EcsRegion, t: SimTask, seen: ContainerObservation[] | undefined): void {
    const { clock } = this.ctx
    const now = clock.now()
    const res = t.opResult
    switch (t.lastStatus) {
      case 'PROVISIONING':
        if (t.desiredStatus === 'STOPPED') this.finish(t)
        else if (t.awaitingCapacity) return
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
}

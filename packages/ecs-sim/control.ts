import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SimContext, Faults } from './context.js'
import { FaultState, noFaults } from './context.js'
import type { Ecr } from './ecr/index.js'
import type { Scheduler } from './ecs/scheduler.js'
import { isSeed, MAX_SEED } from './random.js'
import { parseRules } from './tasks/scripted.js'
import { AwsError } from './util.js'
import { parseAlarmStates } from './ecs/alarms.js'
import { parseHookRules } from './ecs/strategies/hooks.js'
import { putAutoScalingGroups, putContainerInstances } from './ecs/capacity/control.js'

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString()
}

/** The body of `POST /_sim/faults`; `seed` absent (or null) is `defaultSeed`. */
export function parseFaults(body: unknown, defaultSeed: number): Faults {
  const b = (body ?? {}) as Record<string, unknown>
  const rate = (k: string): number => {
    const v = b[k] ?? 0
    if (typeof v !== 'number' || v < 0 || v > 1)
      throw new AwsError('InvalidParameterException', `${k} must be between 0 and 1`)
    return v
  }
  const latencyMs = b.latencyMs ?? 0
  if (typeof latencyMs !== 'number' || latencyMs < 0)
    throw new AwsError('InvalidParameterException', 'latencyMs must be a non-negative number')
  const ops = b.operations
  if (ops !== undefined && ops !== null && (!Array.isArray(ops) || ops.some(o => typeof o !== 'string')))
    throw new AwsError('InvalidParameterException', 'operations must be a list of operation names')
  const seed = b.seed ?? defaultSeed
  if (!isSeed(seed))
    throw new AwsError('InvalidParameterException', `seed must be an integer from 0 to ${MAX_SEED}`)
  return {
    throttleRate: rate('throttleRate'),
    errorRate: rate('errorRate'),
    latencyMs,
    operations: (ops as string[] | null | undefined) ?? undefined,
    seed
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** `/_sim/*`: the simulator's own JSON API (not AWS): health, reset, faults, rules, hooks, alarms, calls, timeline. */
export async function handleControl(
  ctx: SimContext,
  ecr: Ecr,
  scheduler: Scheduler,
  req: IncomingMessage,
  res: ServerResponse,
  body: string
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim')
  const path = url.pathname.replace(/^\/_sim\/?/, '').replace(/\/$/, '')
  const method = req.method ?? 'GET'
  let parsed: unknown
  try {
    parsed = body.trim() === '' ? undefined : JSON.parse(body)
  } catch {
    send(res, 400, { error: 'body is not JSON' })
    return
  }
  try {
    if (path === 'health' && method === 'GET') {
      send(res, 200, {
        ok: true,
        tasks: ctx.backend.kind,
        registry: ctx.registry,
        timeScale: ctx.clock.scale,
        instance: ctx.instance,
        pid: process.pid
      })
    } else if (path === 'reset' && method === 'POST') {
      await scheduler.quiesce()
      await ctx.backend.shutdown()
      ctx.backend.reset()
      ctx.regions.clear()
      ctx.timeline = []
      ctx.calls = []
      ctx.faults = new FaultState(noFaults(ctx.defaultFaultSeed()))
      ctx.logs.clear()
      ctx.alarms.clear()
      ctx.metrics.clear()
      ctx.autoscaling.clear()
      ctx.hookRules = []
      ecr.reset()
      scheduler.start()
      send(res, 200, { ok: true })
    } else if (path === 'faults' && method === 'POST') {
      // A new setting starts a new sequence: its first call is index 0, even with the same seed.
      ctx.faults = new FaultState(parseFaults(parsed, ctx.defaultFaultSeed()))
      send(res, 200, ctx.faults.config)
    } else if (path === 'faults' && method === 'GET') {
      send(res, 200, ctx.faults.config)
    } else if (path === 'rules' && (method === 'POST' || method === 'GET')) {
      if (!ctx.scripted) {
        send(res, 400, {
          error: 'rules apply to the scripted task backend; start the simulator with --tasks scripted'
        })
        return
      }
      if (method === 'POST') ctx.scripted.rules = parseRules(parsed)
      send(res, 200, { rules: ctx.scripted.rules })
    } else if (path === 'hooks' && (method === 'PUT' || method === 'POST' || method === 'GET')) {
      if (method !== 'GET') ctx.hookRules = parseHookRules(parsed)
      send(res, 200, { rules: ctx.hookRules })
    } else if (path === 'alarms' && (method === 'PUT' || method === 'GET')) {
      if (method === 'PUT') for (const [name, state] of parseAlarmStates(parsed)) ctx.alarms.set(name, state)
      send(res, 200, { alarms: Object.fromEntries(ctx.alarms) })
    } else if (path === 'container-instances' && method === 'PUT') {
      send(res, 200, putContainerInstances(ctx, parsed))
    } else if (path === 'auto-scaling-groups' && method === 'PUT') {
      send(res, 200, putAutoScalingGroups(ctx, parsed))
    } else if (path === 'calls' && method === 'GET') {
      const op = url.searchParams.get('operation')
      send(res, 200, { calls: op ? ctx.calls.filter(c => c.operation === op) : ctx.calls })
    } else if (path === 'timeline' && method === 'GET') {
      send(res, 200, {
        deployments: ctx.timeline.map(t => ({
          ...t,
          createdAt: iso(t.createdAt),
          decidableAt: iso(t.decidableAt),
          ...(t.stages ? { stages: t.stages.map(st => ({ stage: st.stage, at: iso(st.at) })) } : {})
        }))
      })
    } else {
      send(res, 404, { error: `no such control endpoint: ${method} /_sim/${path}` })
    }
  } catch (err) {
    send(res, 400, { error: (err as Error).message })
  }
}

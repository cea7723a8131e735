import { getCalls, type SimCall } from '../../packages/ecs-sim/testing.js'
import type { Options } from '../options.js'
import { progress, type ScenarioResult } from '../stats.js'
import {
  createCluster,
  createService,
  createWorld,
  deploy,
  FAILURE_LINE,
  imageRef,
  isEcs,
  stopWorld,
  SUCCESS_LINE,
  tail,
  waitSteady,
  type Deploy
} from '../world.js'

export interface CallRate {
  calls: number
  windowMs: number
  perMinute: number
  maxIn60s: number
  byOperation: Record<string, number>
  /** The busiest 60 s: seconds after UpdateService it starts, and its calls by operation. */
  busiest: { fromS: number; byOperation: Record<string, number> }
}

export function countByOperation(calls: SimCall[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const c of calls) counts[c.operation] = (counts[c.operation] ?? 0) + 1
  return counts
}

/**
 * ECS calls the action made after its UpdateService up to its verdict, or with `untilRollback`, up to
 * its own rollback's UpdateService (the first wait alone).
 */
export function callRate(all: SimCall[], cluster: string, run: Deploy, untilRollback = false): CallRate {
  if (run.verdictAt === undefined) throw new Error('no verdict line')
  const ecs = all.filter(c => isEcs(c, cluster) && Date.parse(c.time) >= run.spawnedAt)
  const update = ecs.findIndex(c => c.operation === 'UpdateService')
  if (update < 0) throw new Error('the action made no UpdateService call')
  const from = Date.parse(ecs[update].time)
  const rollback = untilRollback
    ? ecs.slice(update + 1).find(c => c.operation === 'UpdateService')
    : undefined
  const verdictAt = rollback ? Date.parse(rollback.time) - 1 : run.verdictAt
  const waiting = ecs.slice(update + 1).filter(c => Date.parse(c.time) <= verdictAt)
  const times = waiting.map(c => Date.parse(c.time))
  let maxIn60s = 0
  let busiestFrom = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 60_000) j++
    if (i - j + 1 > maxIn60s) {
      maxIn60s = i - j + 1
      busiestFrom = j
    }
  }
  const byOperation = countByOperation(waiting)
  const busiest = {
    fromS: times.length ? (times[busiestFrom] - from) / 1000 : 0,
    byOperation: countByOperation(waiting.slice(busiestFrom, busiestFrom + maxIn60s))
  }
  const windowMs = verdictAt - from
  return {
    calls: waiting.length,
    windowMs,
    perMinute: waiting.length / (windowMs / 60_000),
    maxIn60s,
    byOperation,
    busiest
  }
}

export function describeRate(name: string, r: CallRate): string {
  const ops = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')
  return (
    `${name}: ${r.calls} ECS calls in ${(r.windowMs / 1000).toFixed(1)} s of waiting (${ops(r.byOperation)}) = ` +
    `${r.perMinute.toFixed(1)}/min on average; the busiest 60 s (from ${r.busiest.fromS.toFixed(1)} s after UpdateService) ` +
    `had ${r.maxIn60s} (${ops(r.busiest.byOperation)}).`
  )
}

/**
 * ECS calls per minute while waiting, on long waits (≥ `longMs` of wall time): a healthy deploy whose
 * task takes that long to start, and a crash loop without circuit breaker that ends in the action's
 * timeout and rollback (the stopped-task reads at their busiest).
 */
export async function callsScenario(opts: Options): Promise<ScenarioResult> {
  const startDelayMs = Math.round(opts.longMs / opts.timeScale)
  const world = await createWorld(opts.timeScale, [
    { image: 'bench/slow@', outcome: 'healthy', startDelayMs },
    { image: 'bench/crashloop@', outcome: 'crash', exitCode: 3, logs: ['app: FATAL: crash loop'] }
  ])
  try {
    await createCluster(world, 'bench-slow')
    await createCluster(world, 'bench-loop')
    await createService(world, 'bench-slow', 'web')
    await createService(world, 'bench-loop', 'web')
    await waitSteady(world, 'bench-slow', 'web')
    await waitSteady(world, 'bench-loop', 'web')
    progress(`calls: two deploys waiting ≥ ${opts.longMs / 1000} s each (slow start, crash loop)`)
    const killAfterMs = opts.longMs + 5 * 60_000
    const [slow, loop] = await Promise.all([
      deploy(world, 'bench-slow', 'web', imageRef('slow'), SUCCESS_LINE, { killAfterMs }),
      deploy(world, 'bench-loop', 'web', imageRef('crashloop'), FAILURE_LINE, {
        killAfterMs,
        inputs: {
          'max-failed-tasks': '1000',
          'wait-for-minutes': (opts.longMs / 60_000).toFixed(4)
        }
      })
    ])
    if (slow.exitCode !== 0)
      throw new Error(`the slow deploy failed (exit ${slow.exitCode}):\n${tail(slow.output)}`)
    if (loop.exitCode !== 1)
      throw new Error(`the crash-loop deploy did not fail (exit ${loop.exitCode}):\n${tail(loop.output)}`)
    const all = await getCalls(world.sim.url)
    const a = callRate(all, 'bench-slow', slow)
    const b = callRate(all, 'bench-loop', loop)
    const bFirst = callRate(all, 'bench-loop', loop, true)
    const shortWait = [a, b].some(r => r.windowMs < 60_000)
    return {
      rows: [
        {
          metric: `ECS calls/min while waiting, healthy slow deploy (${(a.windowMs / 1000).toFixed(0)} s wait)`,
          value: `${a.perMinute.toFixed(1)} avg, ${a.maxIn60s} max in 60 s`,
          target: '≤ 40/min',
          pass: a.maxIn60s <= 40
        },
        {
          metric: `ECS calls/min while waiting, crash loop → timeout → rollback (${(b.windowMs / 1000).toFixed(0)} s wait)`,
          value: `${b.perMinute.toFixed(1)} avg, ${b.maxIn60s} max in 60 s`,
          target: '≤ 40/min',
          pass: b.maxIn60s <= 40
        }
      ],
      details: [
        describeRate('Healthy slow deploy', a),
        describeRate('Crash loop without circuit breaker (max-failed-tasks 1000, ends in the timeout)', b),
        describeRate('The same crash loop up to the timeout (before the rollback UpdateService)', bFirst),
        ...(shortWait ? ['A wait was shorter than 60 s: the per-minute figure is extrapolated.'] : [])
      ],
      raw: { startDelayMs, slow: a, crashLoop: b, crashLoopUntilRollback: bFirst }
    }
  } finally {
    await stopWorld(world)
  }
}

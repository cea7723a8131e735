/**
 * ECS calls per minute during a 10-minute bake, the action and the ecspresso-style waiter side by side:
 * one BLUE_GREEN deploy each (own clusters, same local ECS, same time), `bakeTimeInMinutes: 10`, with
 * the simulator's clock scaled so the bake lasts `--bake-seconds` of wall time (10 minutes at 600 s).
 * Both clients pace their polls by the wall clock and nothing changes during a bake, so the calls they
 * make per wall-clock minute in the bake's window are what they make per minute of a real 10-minute
 * bake; calls per *simulated* minute would only say how much the clock was sped up. The window is the
 * timeline's BAKE_TIME → CLEAN_UP, the calls are the simulator's call log (GET /_sim/calls).
 */
import { getCalls, getTimeline } from '../../packages/ecs-sim/testing.js'
import { ECSPRESSO_INTERVAL_MS, ecspressoDeploy, type PollerRun } from '../ecspresso.js'
import {
  callsIn,
  createNativeService,
  findEntry,
  registerRevision,
  stageWindow,
  strategyConfig
} from '../native.js'
import type { Options } from '../options.js'
import { progress, type Row, type ScenarioResult } from '../stats.js'
import { createCluster, createWorld, deploy, imageRef, stopWorld, tail, type Deploy } from '../world.js'
import { NATIVE_POLL_INTERVAL_MS, NATIVE_SUCCESS_LINE } from './strategies.js'

export const BAKE_MINUTES = 10

export interface BakeRate {
  calls: number
  windowMs: number
  perMinute: number
  byOperation: Record<string, number>
}

function ops(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')
}

export async function bakeScenario(opts: Options): Promise<ScenarioResult> {
  // bake wall time = 10 simulated minutes × scale
  const timeScale = opts.bakeMs / (BAKE_MINUTES * 60_000)
  const world = await createWorld(timeScale, [])
  try {
    const clusters = { action: 'bench-bake-act', ecspresso: 'bench-bake-esp' }
    await Promise.all(
      Object.values(clusters).map(async cluster => {
        await createCluster(world, cluster)
        await createNativeService(world, cluster, 'web', strategyConfig('BLUE_GREEN', BAKE_MINUTES))
      })
    )
    progress(
      `bake: two BLUE_GREEN deploys with a ${BAKE_MINUTES}-minute bake at time scale ${timeScale} (${opts.bakeMs / 1000} s)`
    )
    const minutes = Math.ceil(opts.bakeMs / 60_000) + 5
    const espRevision = await registerRevision(world, imageRef('bake-esp'))
    const [action, esp] = await Promise.all([
      deploy(world, clusters.action, 'web', imageRef('bake-act'), NATIVE_SUCCESS_LINE, {
        inputs: { 'wait-for-minutes': String(minutes) },
        killAfterMs: (minutes + 1) * 60_000
      }),
      ecspressoDeploy(world.ecs, {
        cluster: clusters.ecspresso,
        service: 'web',
        taskDefinition: espRevision,
        timeoutMs: minutes * 60_000
      })
    ])
    if (action.exitCode !== 0 || action.verdictAt === undefined)
      throw new Error(`the action's bake deploy failed (exit ${action.exitCode}):\n${tail(action.output)}`)
    if (esp.status !== 'SUCCESSFUL') throw new Error(`the ecspresso-style deploy ended ${esp.status}`)
    const timeline = await getTimeline(world.sim.url)
    const calls = await getCalls(world.sim.url)
    const rate = (cluster: string, taskDefinition: string | undefined): BakeRate => {
      const entry = findEntry(timeline, { cluster, service: 'web', taskDefinition })
      const window = entry ? stageWindow(entry, 'BAKE_TIME') : undefined
      if (!window) throw new Error(`${cluster}: no BAKE_TIME in the timeline`)
      const counted = callsIn(calls, cluster, window)
      const windowMs = window.to - window.from
      return {
        calls: counted.total,
        windowMs,
        perMinute: counted.total / (windowMs / 60_000),
        byOperation: counted.byOperation
      }
    }
    const a = rate(clusters.action, action.taskDefinitionArn)
    const e = rate(clusters.ecspresso, espRevision)
    const whole = wholeWait(calls, clusters, action, esp)
    const rows: Row[] = [
      {
        metric: `ECS calls/min during a ${BAKE_MINUTES}-minute bake (BLUE_GREEN), ecs-deploy`,
        value: `${a.perMinute.toFixed(1)} avg`,
        target: '≤ 20/min',
        pass: a.perMinute <= 20
      },
      {
        metric: `ECS calls/min during a ${BAKE_MINUTES}-minute bake (BLUE_GREEN), ecspresso-style (${ECSPRESSO_INTERVAL_MS / 1000} s polls)`,
        value: `${e.perMinute.toFixed(1)} avg`
      }
    ]
    const describe = (who: string, r: BakeRate, interval: number): string =>
      `${who}: ${r.calls} ECS calls in the bake's ${(r.windowMs / 1000).toFixed(1)} s of wall time (${ops(r.byOperation) || 'none'}) ` +
      `= ${r.perMinute.toFixed(1)}/min (one poll every ${interval / 1000} s is ${(60_000 / interval).toFixed(1)}/min)`
    return {
      rows,
      details: [
        `Bake: ${BAKE_MINUTES} simulated minutes at time scale ${timeScale}, so ${(opts.bakeMs / 1000).toFixed(0)} s of wall time` +
          `${opts.bakeMs < BAKE_MINUTES * 60_000 ? ` (\`--bake-seconds ${BAKE_MINUTES * 60}\` runs it in real time)` : ''}; ` +
          `calls counted per wall-clock minute in the timeline's BAKE_TIME window, from the simulator's call log.`,
        `${describe('ecs-deploy', a, NATIVE_POLL_INTERVAL_MS)}; its whole wait (UpdateService → verdict): ${whole.action}.`,
        `${describe('ecspresso-style', e, ECSPRESSO_INTERVAL_MS)}; its whole wait (UpdateService → verdict): ${whole.ecspresso}.`
      ],
      raw: { timeScale, bakeMs: opts.bakeMs, action: a, ecspresso: e }
    }
  } finally {
    await stopWorld(world)
  }
}

/** Calls per minute over each client's whole wait, for context (not the bake's figure). */
function wholeWait(
  calls: Awaited<ReturnType<typeof getCalls>>,
  clusters: { action: string; ecspresso: string },
  action: Deploy,
  esp: PollerRun
): { action: string; ecspresso: string } {
  const text = (cluster: string, from: number, to: number): string => {
    const c = callsIn(calls, cluster, { from, to })
    return `${c.total} calls in ${((to - from) / 1000).toFixed(1)} s (${ops(c.byOperation)}) = ${(c.total / ((to - from) / 60_000)).toFixed(1)}/min`
  }
  const update = calls.find(
    c =>
      c.operation === 'UpdateService' &&
      c.request.cluster === clusters.action &&
      Date.parse(c.time) >= action.spawnedAt
  )
  const from = update ? Date.parse(update.time) : action.spawnedAt
  return {
    action: text(clusters.action, from, action.verdictAt ?? action.exitAt),
    ecspresso: text(clusters.ecspresso, esp.startedAt, esp.verdictAt)
  }
}

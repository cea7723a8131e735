import { getCalls, setRules } from '../../packages/ecs-sim/testing.js'
import type { Options } from '../options.js'
import { median, ms, percentile, progress, spread, type ScenarioResult } from '../stats.js'
import {
  createCluster,
  createService,
  createWorld,
  decidableAt,
  deploy,
  imageRef,
  isEcs,
  phaseJitter,
  POLL_INTERVAL_MS,
  stopWorld,
  SUCCESS_LINE,
  tail,
  waitSteady
} from '../world.js'

/** Success detection latency: the timeline's decidableAt (COMPLETED) → the action's success line. */
export async function successScenario(opts: Options): Promise<ScenarioResult> {
  const world = await createWorld(opts.timeScale, [])
  try {
    const cluster = 'bench-success'
    await createCluster(world, cluster)
    await createService(world, cluster, 'web')
    await waitSteady(world, cluster, 'web')
    const latency: number[] = []
    const toExit: number[] = []
    const wall: number[] = []
    const calls: number[] = []
    const misses: string[] = []
    for (let i = 0; i < opts.successRuns; i++) {
      const image = imageRef('app')
      const jitter = phaseJitter(world)
      await setRules(world.sim.url, [{ image, outcome: 'healthy', startDelayMs: jitter.startDelayMs }])
      const run = await deploy(world, cluster, 'web', image, SUCCESS_LINE)
      const label = `success run ${i + 1}/${opts.successRuns}`
      if (run.exitCode !== 0 || run.verdictAt === undefined) {
        misses.push(`${label}: exit ${run.exitCode}, no success line`)
        progress(`${label}: FAILED (exit ${run.exitCode})\n${tail(run.output)}`)
        await waitSteady(world, cluster, 'web')
        continue
      }
      const decided = await decidableAt(world, run.deploymentId)
      if (decided.outcome !== 'COMPLETED') throw new Error(`${label}: timeline says ${decided.outcome}`)
      latency.push(run.verdictAt - decided.at)
      toExit.push(run.exitAt - decided.at)
      wall.push(run.exitAt - run.spawnedAt)
      calls.push(
        (await getCalls(world.sim.url)).filter(
          c => isEcs(c, cluster) && Date.parse(c.time) >= run.spawnedAt && Date.parse(c.time) <= run.exitAt
        ).length
      )
      progress(`${label}: decidable → success line ${ms(latency.at(-1) as number)}`)
    }
    if (latency.length === 0) throw new Error(`no successful run: ${misses.join('; ')}`)
    const med = median(latency)
    return {
      rows: [
        {
          metric: 'Success detection latency, median (decidable → success line)',
          value: ms(med),
          target: '≤ 2000 ms',
          pass: med <= 2000
        },
        { metric: 'Success detection latency, p95', value: ms(percentile(latency, 95)) },
        { metric: 'Success: decidable → process exit, median', value: ms(median(toExit)) }
      ],
      details: [
        `Success detection latency: ${spread(latency)}. Each deploy's task started after an extra random ` +
          `0–${POLL_INTERVAL_MS / 1000} s of wall time, so the deployment became decidable at a random point between two polls.`,
        `Success, decidable → main step exited: ${spread(toExit)}.`,
        `Success, whole main step (spawn → exit): ${spread(wall)}; ECS calls per deploy: median ${median(calls)}.`,
        ...(misses.length ? [`Success runs that did not succeed (excluded): ${misses.join('; ')}.`] : [])
      ],
      raw: { latencyMs: latency, decidableToExitMs: toExit, wallMs: wall, ecsCallsPerDeploy: calls, misses }
    }
  } finally {
    await stopWorld(world)
  }
}

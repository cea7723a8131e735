import { setRules } from '../../packages/ecs-sim/testing.js'
import type { Options } from '../options.js'
import { median, ms, percentile, progress, spread, type ScenarioResult } from '../stats.js'
import {
  createCluster,
  createService,
  createWorld,
  decidableAt,
  deploy,
  FAILURE_LINE,
  imageRef,
  phaseJitter,
  POLL_INTERVAL_MS,
  stopWorld,
  tail,
  waitSteady
} from '../world.js'

/**
 * Failure detection latency: circuit breaker with rollback, a container that exits 3. From the timeline's
 * decidableAt (FAILED / ROLLED_BACK) to the action's final `::error title=Deployment failed::` line.
 * Services take turns so one can finish ECS's rollback while the next is deployed to.
 */
export async function failureScenario(opts: Options): Promise<ScenarioResult> {
  const world = await createWorld(opts.timeScale, [])
  try {
    const cluster = 'bench-failure'
    const services = ['web-a', 'web-b', 'web-c']
    await createCluster(world, cluster)
    for (const s of services) await createService(world, cluster, s, { enable: true, rollback: true })
    const latency: number[] = []
    const toExit: number[] = []
    const outcomes = new Map<string, number>()
    const misses: string[] = []
    for (let i = 0; i < opts.failureRuns; i++) {
      const service = services[i % services.length]
      await waitSteady(world, cluster, service)
      const image = imageRef('crash')
      // The breaker trips after 3 failed tasks (desired count 1): the jitter is split between them.
      const jitter = phaseJitter(world, 3)
      await setRules(world.sim.url, [
        {
          image,
          outcome: 'crash',
          exitCode: 3,
          startDelayMs: jitter.startDelayMs,
          logs: ['app: starting', 'app: FATAL: /etc/app/config.yml: no such file or directory']
        }
      ])
      const run = await deploy(world, cluster, service, image, FAILURE_LINE)
      const label = `failure run ${i + 1}/${opts.failureRuns}`
      if (run.exitCode !== 1 || run.verdictAt === undefined) {
        misses.push(`${label}: exit ${run.exitCode}, no failure verdict`)
        progress(`${label}: UNEXPECTED (exit ${run.exitCode})\n${tail(run.output)}`)
        continue
      }
      const decided = await decidableAt(world, run.deploymentId)
      if (decided.outcome === 'COMPLETED') throw new Error(`${label}: the crashing deployment completed`)
      outcomes.set(decided.outcome, (outcomes.get(decided.outcome) ?? 0) + 1)
      latency.push(run.verdictAt - decided.at)
      toExit.push(run.exitAt - decided.at)
      progress(`${label}: decidable (${decided.outcome}) → failure verdict ${ms(latency.at(-1) as number)}`)
    }
    if (latency.length === 0) throw new Error(`no run failed as expected: ${misses.join('; ')}`)
    const med = median(latency)
    const p95 = percentile(latency, 95)
    return {
      rows: [
        {
          metric: 'Failure detection latency, median (decidable → failure verdict)',
          value: ms(med),
          target: '≤ 5000 ms',
          pass: med <= 5000
        },
        { metric: 'Failure detection latency, p95', value: ms(p95), target: '≤ 5000 ms', pass: p95 <= 5000 },
        { metric: 'Failure: decidable → process exit, median', value: ms(median(toExit)) }
      ],
      details: [
        `Failure detection latency: ${spread(latency)}; timeline outcomes: ${[...outcomes].map(([k, v]) => `${k} × ${v}`).join(', ')}; ` +
          `the three failed starts were delayed by a random 0–${POLL_INTERVAL_MS / 1000} s of wall time in total, as above.`,
        `Failure, decidable → main step exited: ${spread(toExit)}.`,
        ...(misses.length
          ? [`Failure runs that did not fail as expected (excluded): ${misses.join('; ')}.`]
          : [])
      ],
      raw: { latencyMs: latency, decidableToExitMs: toExit, outcomes: Object.fromEntries(outcomes), misses }
    }
  } finally {
    await stopWorld(world)
  }
}

import { getCalls } from '../../packages/ecs-sim/testing.js'
import type { Options } from '../options.js'
import { median, ms, progress, spread, type ScenarioResult } from '../stats.js'
import {
  createCluster,
  createService,
  createWorld,
  deploy,
  imageRef,
  isEcs,
  stopWorld,
  SUCCESS_LINE,
  tail,
  waitSteady
} from '../world.js'

/**
 * Action overhead with (almost) no ECS delays: the simulator at a time scale of ~0, a healthy deploy, the
 * whole main step's wall time, split into before UpdateService, waiting, and after the verdict.
 */
export async function overheadScenario(opts: Options): Promise<ScenarioResult> {
  const world = await createWorld(opts.zeroScale, [])
  try {
    const cluster = 'bench-zero'
    await createCluster(world, cluster)
    await createService(world, cluster, 'web')
    await waitSteady(world, cluster, 'web')
    const wall: number[] = []
    const before: number[] = []
    const waiting: number[] = []
    const after: number[] = []
    const post: number[] = []
    const polls: number[] = []
    for (let i = 0; i < opts.overheadRuns; i++) {
      const run = await deploy(world, cluster, 'web', imageRef('app'), SUCCESS_LINE, { post: true })
      if (run.exitCode !== 0 || run.verdictAt === undefined)
        throw new Error(`zero-delay run ${i + 1} failed (exit ${run.exitCode}):\n${tail(run.output)}`)
      const calls = (await getCalls(world.sim.url)).filter(
        c => isEcs(c, cluster) && Date.parse(c.time) >= run.spawnedAt && Date.parse(c.time) <= run.exitAt
      )
      const update = calls.find(c => c.operation === 'UpdateService')
      if (!update) throw new Error(`zero-delay run ${i + 1}: no UpdateService call`)
      const updateAt = Date.parse(update.time)
      wall.push(run.exitAt - run.spawnedAt)
      before.push(updateAt - run.spawnedAt)
      waiting.push(run.verdictAt - updateAt)
      after.push(run.exitAt - run.verdictAt)
      post.push(run.doneAt - run.exitAt)
      polls.push(
        calls.filter(c => c.operation === 'DescribeServices' && Date.parse(c.time) > updateAt).length
      )
      progress(`zero-delay run ${i + 1}/${opts.overheadRuns}: main step ${ms(wall.at(-1) as number)}`)
    }
    return {
      rows: [
        {
          metric: `Action overhead, zero ECS delays (main step wall time, time scale ${opts.zeroScale}), median`,
          value: ms(median(wall))
        }
      ],
      details: [
        `Zero ECS delays, main step spawn → exit: ${spread(wall)}.`,
        `…of which spawn → UpdateService: ${spread(before)}; UpdateService → success line: ${spread(waiting)} ` +
          `(DescribeServices polls per run: median ${median(polls)}); success line → exit: ${spread(after)}.`,
        `Post step (spawn → exit, not part of the main step): ${spread(post)}.`
      ],
      raw: {
        wallMs: wall,
        beforeUpdateMs: before,
        waitMs: waiting,
        afterVerdictMs: after,
        postMs: post,
        polls
      }
    }
  } finally {
    await stopWorld(world)
  }
}

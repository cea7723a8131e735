/**
 * The scaling act of `npm run demo`, after the blue/green act: a second, rolling service (one idle task
 * since the demo's start: createScalingService) gets deploy #5 with `scaling-min`, `scaling-max`, `scale-on-cpu` and a short
 * `watch-minutes`. While the action runs, the demo puts load on the new revision's one task — the example
 * app burns a CPU while /tmp/burn exists, so `docker exec <container> touch /tmp/burn` on the task's real
 * container (they run with `--network none`: no HTTP from outside) — and follows what happens beside the
 * action: ECS's service events, the scaling activities (DescribeScalingActivities) and the task count,
 * in ECS and in Docker. The local Application Auto Scaling reads the service's CPU from the local
 * CloudWatch (measured from the containers' cgroup stats) and its target tracking scales the service out;
 * the load is taken off once the added tasks run. Then the job summary's "CPU and memory" and "Auto
 * scaling" sections are shown, and the outcome is checked (scripts/demo-expect.ts).
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand
} from '@aws-sdk/client-application-auto-scaling'
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs'
import { arnTail } from '../src/arn.js'
import { docker } from '../testkit/engine.js'
import { CREDENTIALS, type World } from '../testkit/world.js'
import { randomSha } from '../testkit/workspace.js'
import { scalingProblems, type ScalingSeen } from './demo-expect.js'
import {
  bold,
  clip,
  cyan,
  dim,
  green,
  info,
  printSummary,
  saveLog,
  say,
  seconds,
  usesLine,
  yellow
} from './demo-print.js'
import type { ActionRun } from './run-action.js'

/** The act's service, beside the blue/green act's `web`. */
export const SCALING_SERVICE = 'web-scaling'
export const SCALING = { min: 1, max: 3, cpu: 50 }
/**
 * The window after the deployment in which the act happens, in real minutes (the action's clock is not
 * the local ECS's): 75 s. At the demo's time scale 0.25 a metric period is 15 s, and target tracking
 * scales out after 3 periods above the target, so the scale-out comes about 45 s into the load.
 */
export const WATCH_MINUTES = 1.25

export interface ScalingActContext {
  world: World
  /** The revision the act's service runs before deploy #5 (createScalingService's). */
  from: string
  /** The inputs of a deploy, and the ones the world adds (shown in the `uses:` line). */
  inputs: Record<string, string>
  shown: Record<string, string>
  phase(n: number, title: string): void
  firstPhase: number
  run(inputs: Record<string, string>, sha: string): Promise<ActionRun>
  fail(message: string): never
}

/**
 * Creates the act's service early in the demo (1 task of `from`, rolling), so that it has idle minutes of
 * CPU history by deploy #5: the summary's chart then shows CPU before the load and under it.
 */
export async function createScalingService(world: World, from: string): Promise<void> {
  await world.createService(SCALING_SERVICE, from, { desiredCount: 1, timeoutMs: 120_000, intervalMs: 250 })
}

/** Shows the act; answers deploy #5's run and what the demo saw, once both went as expected. */
export async function scalingAct(ctx: ScalingActContext): Promise<{ run: ActionRun; seen: ScalingSeen }> {
  const { world } = ctx
  const service = SCALING_SERVICE
  const sha = randomSha()
  const window = seconds(WATCH_MINUTES * 60_000)
  ctx.phase(
    ctx.firstPhase,
    `Deploy #5: auto scaling on CPU (${sha.slice(0, 7)}), load on the app during a ${window} watch`
  )
  const inputs = {
    ...ctx.inputs,
    service,
    'scaling-min': String(SCALING.min),
    'scaling-max': String(SCALING.max),
    'scale-on-cpu': String(SCALING.cpu),
    'watch-minutes': String(WATCH_MINUTES)
  }
  info(usesLine({ ...inputs, ...ctx.shown }))
  info(
    dim(
      `the demo puts load on the new revision's task once it runs (docker exec … touch /tmp/burn: the app burns a CPU) and keeps it on until the run ends`
    )
  )
  const follow = followScaling(world, service, { since: Date.now(), from: ctx.from })
  const run = await ctx.run(inputs, sha)
  const seen = await follow.finish()
  const problems = scalingProblems(run, seen, run.summary, SCALING)
  if (problems.length) {
    say(`    ${yellow('?')} deploy #5 did not go as expected: ${problems.join('; ')}`)
    info(`full log of the run: ${saveLog(run, 'deploy-5')}`)
    ctx.fail(`deploy #5 should have scaled the service out under load: ${problems.join('; ')}`)
  }
  say(
    `    ${green(bold('✔ green'))} in ${seconds(run.durationMs)} (exit code 0); ${service} scaled ${seen.startDesired ?? 1} → ${seen.peakDesired} tasks under load, ${seen.peakInDocker} running in Docker at most`
  )
  printSummary(run.summary, ['Auto scaling', 'CPU and memory'])
  return { run, seen }
}

/** The container (id) of a task in Docker, running; undefined when there is none. */
async function containerOf(world: World, taskArn: string): Promise<string | undefined> {
  const ps = await docker([
    'ps',
    '-q',
    '--filter',
    `label=ecs-sim=${world.instance}`,
    '--filter',
    `label=ecs-sim.task=${arnTail(taskArn)}`,
    '--filter',
    'status=running'
  ])
  return ps.stdout.split('\n').find(Boolean)
}

/** How many of the service's tasks have a running container in Docker. */
async function runningInDocker(world: World, taskArns: string[]): Promise<number> {
  const ps = await docker([
    'ps',
    '--filter',
    `label=ecs-sim=${world.instance}`,
    '--filter',
    'status=running',
    '--format',
    '{{.Label "ecs-sim.task"}}'
  ])
  const running = new Set(ps.stdout.split('\n').filter(Boolean))
  return taskArns.filter(arn => running.has(arnTail(arn))).length
}

/**
 * Follows the service while deploy #5 runs: prints its new ECS events, the scaling activities and the
 * task count as they change; puts the load on the new revision's first RUNNING task, and takes it off
 * when the run ended (finish).
 */
export function followScaling(
  world: World,
  service: string,
  options: { since: number; from: string }
): { finish(): Promise<ScalingSeen> } {
  const scaling = new ApplicationAutoScalingClient({
    endpoint: world.sim.url,
    region: world.region,
    credentials: CREDENTIALS
  })
  const seen: ScalingSeen = { peakDesired: 0, peakInDocker: 0, activities: [] }
  const shownEvents = new Set<string>()
  const shownActivities = new Set<string>()
  let burning: { container: string; task: string } | undefined
  let count = ''
  let running = true
  const demo = yellow('◆ demo')
  const stamp = (d?: Date) => dim((d ?? new Date()).toISOString().slice(11, 19))

  const loadOff = async () => {
    if (!burning) return
    const b = burning
    burning = undefined
    await docker(['exec', b.container, 'rm', '-f', '/tmp/burn'])
    seen.loadOffAt = Date.now()
    info(`${demo} ${stamp()} docker exec ${b.container.slice(0, 12)} rm /tmp/burn: load off task ${b.task}`)
  }

  const tick = async () => {
    const out = await world.ecs.send(
      new DescribeServicesCommand({ cluster: world.cluster, services: [service] })
    )
    const s = out.services?.[0]
    if (!s) return
    seen.startDesired ??= s.desiredCount
    for (const e of [...(s.events ?? [])].reverse()) {
      if (!e.id || shownEvents.has(e.id) || (e.createdAt?.getTime() ?? 0) < options.since - 1000) continue
      shownEvents.add(e.id)
      info(`${dim('ECS')}   ${stamp(e.createdAt)} ${clip(e.message ?? '', 110)}`)
    }
    const activities = await scaling.send(
      new DescribeScalingActivitiesCommand({
        ServiceNamespace: 'ecs',
        ResourceId: `service/${world.cluster}/${service}`
      })
    )
    for (const a of [...(activities.ScalingActivities ?? [])].reverse()) {
      if (!a.ActivityId || shownActivities.has(a.ActivityId)) continue
      shownActivities.add(a.ActivityId)
      seen.activities.push({ description: a.Description, statusCode: a.StatusCode })
      info(`${green('AAS')}   ${stamp(a.StartTime)} ${a.Description ?? ''} ${a.StatusCode ?? ''}`)
      info(dim(`               cause: ${clip(a.Cause ?? '', 100)}`))
    }
    const list = await world.ecs.send(
      new ListTasksCommand({ cluster: world.cluster, serviceName: service, desiredStatus: 'RUNNING' })
    )
    const taskArns = list.taskArns ?? []
    const inDocker = await runningInDocker(world, taskArns)
    seen.peakDesired = Math.max(seen.peakDesired, s.desiredCount ?? 0)
    if (seen.loadOnAt) seen.peakInDocker = Math.max(seen.peakInDocker, inDocker)
    const now = `desired ${s.desiredCount ?? '?'}, running ${s.runningCount ?? '?'} (ECS), ${inDocker} container(s) running in Docker`
    if (now !== count) {
      count = now
      info(`${cyan('tasks')} ${stamp()} ${now}`)
    }
    if (!burning && !seen.loadOnAt && taskArns.length) {
      const tasks = await world.ecs.send(
        new DescribeTasksCommand({ cluster: world.cluster, tasks: taskArns })
      )
      const fresh = tasks.tasks?.find(t => t.taskDefinitionArn !== options.from && t.lastStatus === 'RUNNING')
      const container = fresh?.taskArn && (await containerOf(world, fresh.taskArn))
      if (fresh?.taskArn && container) {
        const touched = await docker(['exec', container, 'touch', '/tmp/burn'])
        if (touched.code !== 0)
          throw new Error(`docker exec ${container} touch /tmp/burn exited ${touched.code}`)
        burning = { container, task: arnTail(fresh.taskArn).slice(0, 8) }
        seen.loadOnAt = Date.now()
        info(
          `${demo} ${stamp()} docker exec ${container.slice(0, 12)} touch /tmp/burn: load on task ${burning.task} (${arnTail(fresh.taskDefinitionArn ?? '?')}), the app burns a CPU`
        )
      }
    }
  }

  const loop = (async () => {
    try {
      while (running) {
        await tick()
        await new Promise(r => setTimeout(r, 1000))
      }
    } catch (err) {
      seen.error = err instanceof Error ? err.message : String(err)
    }
  })()
  return {
    async finish() {
      running = false
      await loop
      await loadOff().catch(() => undefined)
      scaling.destroy()
      return seen
    }
  }
}

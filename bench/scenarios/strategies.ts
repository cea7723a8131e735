/**
 * Detection latency per native strategy, the action side by side with the ecspresso-style waiter
 * (bench/ecspresso.ts) in the same run, on the same local ECS: for each of BLUE_GREEN, LINEAR and CANARY
 * one service the action deploys to and one the waiter deploys to, N healthy deploys each, from the
 * instant the local ECS made the service deployment SUCCESSFUL (the timeline's decidableAt, which is the
 * service deployment's finishedAt) to the verdict: the output chunk with the action's
 * `Service deployment … succeeded`, the waiter's DescribeServiceDeployments answer with a terminal status.
 * And a failure lane: BLUE_GREEN with an alarm that goes into ALARM at a random point of the bake, from
 * the instant ECS started the rollback (the timeline's ROLLED_BACK) to the verdict, counting wrong ones.
 * Every lane runs its deploys back to back, all lanes at once.
 */
import { DescribeServiceDeploymentsCommand, type DeploymentConfiguration } from '@aws-sdk/client-ecs'
import { getTimeline, setAlarms } from '../../packages/ecs-sim/testing.js'
import { ECSPRESSO_INTERVAL_MS, ecspressoDeploy } from '../ecspresso.js'
import {
  createNativeService,
  findEntry,
  hasStage,
  registerRevision,
  STRATEGIES,
  strategyConfig,
  waitEntry,
  type NativeStrategy
} from '../native.js'
import type { Options } from '../options.js'
import { RuleBook } from '../rulebook.js'
import { median, ms, progress, spread, type Row, type ScenarioResult } from '../stats.js'
import {
  createCluster,
  createWorld,
  deploy,
  FAILURE_LINE,
  imageRef,
  stopWorld,
  tail,
  type World
} from '../world.js'

/** The action's native poll interval (src/watch/native.ts), fixed: there is no input for it. */
export const NATIVE_POLL_INTERVAL_MS = 3200
export const NATIVE_SUCCESS_LINE = /^Service deployment \S+ succeeded/m
/** The bake of the success lanes, in minutes of the simulator's clock. */
const BAKE_MINUTES = 1

const CLIENTS = ['ecs-deploy', 'ecspresso'] as const
type Client = (typeof CLIENTS)[number]
const INTERVAL: Record<Client, number> = {
  'ecs-deploy': NATIVE_POLL_INTERVAL_MS,
  ecspresso: ECSPRESSO_INTERVAL_MS
}

interface Lane {
  label: string
  cluster: string
  service: string
  client: Client
  /** The alarm lane: an alarm of this name goes into ALARM during the bake. */
  alarm?: string
}

interface LaneResult {
  lane: Lane
  latency: number[]
  /** Alarm lane: from ROLLBACK_SUCCESSFUL (the service deployment's finishedAt) to the verdict. */
  fromFinished: number[]
  wrong: string[]
  misses: string[]
}

interface One {
  verdictAt?: number
  ok: boolean
  what: string
  taskDefinition?: string
  serviceDeploymentArn?: string
}

/** One deploy by the lane's client; `ok` is whether its verdict was the right one. */
async function once(world: World, lane: Lane, image: string, expectFailure: boolean): Promise<One> {
  if (lane.client === 'ecspresso') {
    const taskDefinition = await registerRevision(world, image)
    const run = await ecspressoDeploy(world.ecs, {
      cluster: lane.cluster,
      service: lane.service,
      taskDefinition,
      timeoutMs: 10 * 60_000
    })
    const ok = run.verdict === (expectFailure ? 'failed' : 'deployed')
    const what = `${run.status} → reported as ${run.verdict}`
    return {
      verdictAt: run.verdictAt,
      ok,
      what,
      taskDefinition,
      serviceDeploymentArn: run.serviceDeploymentArn
    }
  }
  const line = expectFailure ? FAILURE_LINE : NATIVE_SUCCESS_LINE
  const run = await deploy(world, lane.cluster, lane.service, image, line)
  const ok = run.exitCode === (expectFailure ? 1 : 0) && run.verdictAt !== undefined
  const what = `exit ${run.exitCode}${run.verdictAt === undefined ? ', no verdict line' : ''}`
  if (!ok) progress(`${lane.label}: ${what}\n${tail(run.output)}`)
  return {
    verdictAt: run.verdictAt,
    ok,
    what,
    taskDefinition: run.taskDefinitionArn,
    serviceDeploymentArn: run.outputs['service-deployment-arn']
  }
}

/** Waits until the lane's deployment is in its bake, then a random 0–1 poll interval, then the alarm. */
async function ringDuringBake(world: World, lane: Lane, since: number): Promise<void> {
  await waitEntry(world, { cluster: lane.cluster, service: lane.service, since }, e =>
    hasStage(e, 'BAKE_TIME')
  )
  await new Promise(resolve => setTimeout(resolve, Math.random() * INTERVAL[lane.client]))
  await setAlarms(world.sim.url, { [lane.alarm as string]: 'ALARM' })
}

async function runLane(world: World, book: RuleBook, lane: Lane, runs: number): Promise<LaneResult> {
  const result: LaneResult = { lane, latency: [], fromFinished: [], wrong: [], misses: [] }
  for (let i = 0; i < runs; i++) {
    const label = `${lane.label} ${i + 1}/${runs}`
    const image = imageRef(`${lane.cluster}-${lane.service}`)
    const since = Date.now()
    // Success lanes: green's task starts after a random 0–1 poll interval of wall time, so the deployment
    // becomes decidable at a random point between two of this client's polls (as in the success scenario).
    const startDelayMs = lane.alarm ? 0 : (Math.random() * INTERVAL[lane.client]) / world.timeScale
    await book.add({ image, outcome: 'healthy', startDelayMs })
    if (lane.alarm) await setAlarms(world.sim.url, { [lane.alarm]: 'OK' })
    const ringing = lane.alarm ? ringDuringBake(world, lane, since) : undefined
    let one: One
    try {
      ;[one] = await Promise.all([once(world, lane, image, lane.alarm !== undefined), ringing])
    } finally {
      await book.remove(image)
      if (lane.alarm) await setAlarms(world.sim.url, { [lane.alarm]: 'OK' })
    }
    const entry = findEntry(await getTimeline(world.sim.url), {
      cluster: lane.cluster,
      service: lane.service,
      taskDefinition: one.taskDefinition
    })
    if (!one.taskDefinition || !entry?.decidableAt || one.verdictAt === undefined) {
      result.misses.push(`${label}: ${one.what}, decidable ${entry?.decidableAt ?? 'never'}`)
      progress(`${label}: not measured (${one.what})`)
      continue
    }
    const expected = lane.alarm ? 'ROLLED_BACK' : 'COMPLETED'
    if (entry.outcome !== expected)
      throw new Error(`${label}: the timeline says ${entry.outcome}, not ${expected}`)
    const latency = one.verdictAt - Date.parse(entry.decidableAt)
    result.latency.push(latency)
    if (!one.ok) result.wrong.push(`${label}: ${one.what}`)
    if (lane.alarm && one.serviceDeploymentArn) {
      const out = await world.ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [one.serviceDeploymentArn] })
      )
      const finishedAt = out.serviceDeployments?.[0]?.finishedAt?.getTime()
      if (finishedAt) result.fromFinished.push(one.verdictAt - finishedAt)
    }
    progress(
      `${label}: decidable (${entry.outcome}) → verdict ${ms(latency)}${one.ok ? '' : ` WRONG: ${one.what}`}`
    )
  }
  return result
}

function rowsOf(r: LaneResult): Row[] {
  const { lane } = r
  const med = median(r.latency)
  const n = r.latency.length
  if (lane.alarm) {
    const value = `${ms(med)}; wrong verdicts ${r.wrong.length}/${n}`
    return [
      lane.client === 'ecs-deploy'
        ? {
            metric: `${lane.label}, median (rollback started → red verdict)`,
            value,
            target: '0 wrong',
            pass: r.wrong.length === 0
          }
        : { metric: `${lane.label}, median (rollback started → its verdict)`, value }
    ]
  }
  const metric = `${lane.label}, median (decidable → verdict)`
  return lane.client === 'ecs-deploy'
    ? [{ metric, value: ms(med), target: '≤ 2000 ms', pass: med <= 2000 && r.wrong.length === 0 }]
    : [{ metric, value: ms(med) }]
}

function detailsOf(r: LaneResult): string {
  const parts = [`${r.lane.label}: ${spread(r.latency)}`]
  if (r.fromFinished.length)
    parts.push(`from ROLLBACK_SUCCESSFUL (finishedAt) to the verdict: ${spread(r.fromFinished)}`)
  if (r.wrong.length) parts.push(`wrong verdicts: ${r.wrong.join('; ')}`)
  if (r.misses.length) parts.push(`not measured: ${r.misses.join('; ')}`)
  return `${parts.join('; ')}.`
}

const slug = (s: NativeStrategy): string => s.toLowerCase().replace('_', '')

export async function strategiesScenario(opts: Options): Promise<ScenarioResult> {
  const world = await createWorld(opts.strategyScale, [])
  try {
    const book = new RuleBook(world.sim.url)
    const specs: { lane: Lane; config: DeploymentConfiguration }[] = []
    const service = (client: Client): string => (client === 'ecs-deploy' ? 'act' : 'esp')
    for (const strategy of STRATEGIES)
      for (const client of CLIENTS) {
        const lane = {
          label: `${strategy} success detection, ${clientName(client)}`,
          cluster: `bench-${slug(strategy)}`,
          service: service(client),
          client
        }
        specs.push({ lane, config: strategyConfig(strategy, BAKE_MINUTES) })
      }
    // The alarm lane's bake holds one poll interval of the slower waiter and a margin (wall time).
    const alarmBake = Math.ceil((ECSPRESSO_INTERVAL_MS + 3000) / (60_000 * world.timeScale))
    for (const client of CLIENTS) {
      const cluster = 'bench-bluegreen-alarm'
      const alarm = `${cluster}-${service(client)}-5xx`
      const lane = {
        label: `BLUE_GREEN alarm in the bake → rollback, ${clientName(client)}`,
        cluster,
        service: service(client),
        client,
        alarm
      }
      const config = {
        ...strategyConfig('BLUE_GREEN', alarmBake),
        alarms: { alarmNames: [alarm], enable: true, rollback: true }
      }
      await setAlarms(world.sim.url, { [alarm]: 'OK' })
      specs.push({ lane, config })
    }
    await Promise.all([...new Set(specs.map(x => x.lane.cluster))].map(c => createCluster(world, c)))
    await Promise.all(specs.map(x => createNativeService(world, x.lane.cluster, x.lane.service, x.config)))
    const lanes = specs.map(x => x.lane)
    progress(`strategies: ${lanes.length} lanes × ${opts.strategyRuns} deploys, all lanes at once`)
    const results = await Promise.all(lanes.map(l => runLane(world, book, l, opts.strategyRuns)))
    for (const r of results)
      if (r.latency.length === 0) throw new Error(`${r.lane.label}: nothing measured: ${r.misses.join('; ')}`)
    return {
      rows: results.flatMap(rowsOf),
      details: [
        `Strategies: simulator at time scale ${world.timeScale}; success lanes bake ${BAKE_MINUTES} simulated minute ` +
          `(${(BAKE_MINUTES * 60 * world.timeScale).toFixed(1)} s of wall time), ` +
          `LINEAR in two 50 % steps, CANARY 10 % first, 1-minute step bakes; the alarm lane bakes ${alarmBake} simulated minutes. ` +
          `ecs-deploy polls DescribeServiceDeployments every ${NATIVE_POLL_INTERVAL_MS / 1000} s, the ecspresso-style waiter every ${ECSPRESSO_INTERVAL_MS / 1000} s; ` +
          `in each lane green's start (success) or the alarm (failure) came a random 0–1 poll interval of that client after a fixed point.`,
        ...results.map(detailsOf)
      ],
      raw: Object.fromEntries(results.map(r => [r.lane.label, { ...r, lane: undefined }]))
    }
  } finally {
    await stopWorld(world)
  }
}

function clientName(client: Client): string {
  return client === 'ecs-deploy' ? 'ecs-deploy' : `ecspresso-style (${ECSPRESSO_INTERVAL_MS / 1000} s polls)`
}

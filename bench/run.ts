/**
 * Benchmarks of the bundled action (dist/index.js) against the local ECS with the scripted task backend,
 * so the timings are the action's own: `npm run bench [-- --runs 20 --time-scale 0.2 ...]`.
 * Prints a markdown table and writes it into bench/README.md between the results markers.
 * Benchmarks measure; they never fail CI: the exit code is 0 whatever the numbers, and 1 only when a
 * scenario could not be measured at all.
 */
import { spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs'
import {
  getCalls,
  getTimeline,
  health,
  setRules,
  startSim,
  type RunningSim,
  type ScriptRule,
  type SimCall
} from '../sim/testing.js'
import { distEntry, repoRoot, runAction } from '../scripts/run-action.js'

// The AWS SDK's "Node < 22" notice (once, from this process's own clients) is not a benchmark result.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

// ---------- options ----------

const USAGE = `usage: npm run bench -- [options]
  --runs <n>            deploys per latency scenario (success, failure, overhead); env BENCH_RUNS; default 20
  --success-runs <n>    override --runs for the success scenario
  --failure-runs <n>    override --runs for the failure scenario
  --overhead-runs <n>   override --runs for the zero-delay scenario
  --cold-runs <n>       node starts per cold-start measurement; env BENCH_COLD_RUNS; default 30
  --time-scale <f>      simulator time scale for the latency and call-rate scenarios; env BENCH_TIME_SCALE; default 0.2
  --zero-scale <f>      simulator time scale for "zero ECS delays" (must be > 0); default 0.001
  --long-seconds <s>    wall time of the long waits used for calls per minute; env BENCH_LONG_SECONDS; default 65
  --only <list>         comma-separated subset of: cold,bundle,overhead,success,failure,calls
  --serial              run the call-rate scenario on its own instead of alongside the failure scenario
  --no-readme           do not update bench/README.md
  --json <file>         also write the raw measurements as JSON
`

const SCENARIOS = ['cold', 'bundle', 'overhead', 'success', 'failure', 'calls'] as const
type Scenario = (typeof SCENARIOS)[number]

interface Options {
  successRuns: number
  failureRuns: number
  overheadRuns: number
  coldRuns: number
  timeScale: number
  zeroScale: number
  longMs: number
  only: Set<Scenario>
  serial: boolean
  readme: boolean
  json?: string
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      'success-runs': { type: 'string' },
      'failure-runs': { type: 'string' },
      'overhead-runs': { type: 'string' },
      'cold-runs': { type: 'string' },
      'time-scale': { type: 'string' },
      'zero-scale': { type: 'string' },
      'long-seconds': { type: 'string' },
      only: { type: 'string' },
      serial: { type: 'boolean', default: false },
      'no-readme': { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) {
    process.stdout.write(USAGE)
    process.exit(0)
  }
  const num = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined || text === '') return fallback
    const n = Number(text)
    if (!Number.isFinite(n) || n < min) throw new Error(`${name}: "${text}" is not a number ≥ ${min}`)
    return n
  }
  const int = (name: string, text: string | undefined, fallback: number): number =>
    Math.round(num(name, text, fallback, 1))
  const runs = int('--runs', values.runs ?? process.env.BENCH_RUNS, 20)
  const only = new Set<Scenario>()
  for (const s of (values.only ?? process.env.BENCH_ONLY ?? SCENARIOS.join(',')).split(',')) {
    const name = s.trim()
    if (!name) continue
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`--only: unknown scenario "${name}" (one of ${SCENARIOS.join(', ')})`)
    only.add(name as Scenario)
  }
  const timeScale = num('--time-scale', values['time-scale'] ?? process.env.BENCH_TIME_SCALE, 0.2, 0)
  const zeroScale = num('--zero-scale', values['zero-scale'], 0.001, 0)
  if (timeScale <= 0 || zeroScale <= 0) throw new Error('time scales must be greater than 0')
  return {
    successRuns: int('--success-runs', values['success-runs'], runs),
    failureRuns: int('--failure-runs', values['failure-runs'], runs),
    overheadRuns: int('--overhead-runs', values['overhead-runs'], runs),
    coldRuns: int('--cold-runs', values['cold-runs'] ?? process.env.BENCH_COLD_RUNS, 30),
    timeScale,
    zeroScale,
    longMs: num('--long-seconds', values['long-seconds'] ?? process.env.BENCH_LONG_SECONDS, 65, 1) * 1000,
    only,
    serial: values.serial,
    readme: !values['no-readme'],
    json: values.json
  }
}

// ---------- statistics and formatting ----------

/** Linear interpolation between closest ranks (numpy's default); NaN for no samples. */
function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo)
}

const median = (samples: number[]): number => percentile(samples, 50)

function ms(n: number): string {
  if (!Number.isFinite(n)) return 'n/a'
  return n >= 10 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`
}

function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${n.toLocaleString('en-US')} B (${(n / 1024 / 1024).toFixed(2)} MiB)`
  return `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(1)} KiB)`
}

function spread(samples: number[]): string {
  if (samples.length === 0) return 'no samples'
  return `min ${ms(Math.min(...samples))}, median ${ms(median(samples))}, p95 ${ms(percentile(samples, 95))}, max ${ms(Math.max(...samples))} (n = ${samples.length})`
}

interface Row {
  metric: string
  value: string
  target?: string
  pass?: boolean
}

interface ScenarioResult {
  rows: Row[]
  details: string[]
  raw: Record<string, unknown>
}

const started = Date.now()
function progress(message: string): void {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`)
}

// ---------- the simulated world ----------

const REGION = 'eu-west-1'
const CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
}
const REGISTRY = '127.0.0.1:5001'

const TASK_DEFINITION: RegisterTaskDefinitionCommandInput = {
  family: 'bench',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'web',
      image: `${REGISTRY}/bench/app:initial`,
      essential: true,
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/bench', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' }
      }
    }
  ]
}

/** The action's DescribeServices interval (src/watch.ts), fixed: there is no input for it. */
const POLL_INTERVAL_MS = 2000

/**
 * The action polls every 2 s from its UpdateService on, and a scripted deploy takes the same time every
 * run: left alone, the deployment would become decidable at the same point between two polls each time
 * and every run would measure the same latency. A random extra start delay, uniform over one poll
 * interval of wall time in total, puts that point anywhere between two polls, as real ECS's variable
 * timings do. `tasks` is how many task starts the outcome waits for (the delay is split between them).
 */
function phaseJitter(world: World, tasks = 1): { startDelayMs: number; wallMs: number } {
  const wallMs = Math.random() * POLL_INTERVAL_MS
  return { startDelayMs: wallMs / tasks / world.timeScale, wallMs }
}

/** A digest reference, so the action deploys it as given (no build, no registry): `bench/<repo>@sha256:…`. */
function imageRef(repo: string): string {
  return `${REGISTRY}/bench/${repo}@sha256:${randomBytes(32).toString('hex')}`
}

interface World {
  sim: RunningSim
  ecs: ECSClient
  workspace: string
  timeScale: number
  baseTaskDefinition: string
}

async function createWorld(timeScale: number, rules: ScriptRule[]): Promise<World> {
  const sim = await startSim({ tasks: 'scripted', timeScale })
  try {
    const reported = (await health(sim.url)).timeScale
    if (reported !== timeScale) throw new Error(`simulator runs at time scale ${reported}, not ${timeScale}`)
    await setRules(sim.url, rules)
    const ecs = new ECSClient({ endpoint: sim.url, region: REGION, credentials: CREDENTIALS })
    const registered = await ecs.send(new RegisterTaskDefinitionCommand(TASK_DEFINITION))
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-bench-'))
    fs.writeFileSync(path.join(workspace, 'task-definition.json'), JSON.stringify(TASK_DEFINITION, null, 2))
    return {
      sim,
      ecs,
      workspace,
      timeScale,
      baseTaskDefinition: registered.taskDefinition?.taskDefinitionArn as string
    }
  } catch (error) {
    await sim.stop()
    throw error
  }
}

async function stopWorld(world: World | undefined): Promise<void> {
  if (!world) return
  world.ecs.destroy()
  await world.sim.stop()
  fs.rmSync(world.workspace, { recursive: true, force: true })
}

async function createCluster(world: World, cluster: string): Promise<void> {
  await world.ecs.send(new CreateClusterCommand({ clusterName: cluster }))
}

async function createService(
  world: World,
  cluster: string,
  name: string,
  circuitBreaker?: { enable: boolean; rollback: boolean }
): Promise<void> {
  await world.ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: name,
      taskDefinition: world.baseTaskDefinition,
      desiredCount: 1,
      launchType: 'FARGATE',
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        ...(circuitBreaker ? { deploymentCircuitBreaker: circuitBreaker } : {})
      }
    })
  )
}

/** Until the service runs one COMPLETED deployment (outside every measured window). */
async function waitSteady(world: World, cluster: string, name: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const out = await world.ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))
    const d = out.services?.[0]?.deployments ?? []
    if (d.length === 1 && d[0].rolloutState === 'COMPLETED' && d[0].runningCount === d[0].desiredCount) return
    if (Date.now() > deadline) throw new Error(`service ${cluster}/${name} did not settle`)
    await new Promise(r => setTimeout(r, 50))
  }
}

// ---------- one run of the action ----------

const SUCCESS_LINE = /^Deployment \S+ completed: /m
const FAILURE_LINE = /^::error title=Deployment failed::/m

interface Deploy {
  exitCode: number | null
  /** Wall-clock ms (Date.now()) when the main step was spawned, printed its verdict, exited. */
  spawnedAt: number
  verdictAt?: number
  exitAt: number
  /** After the post step (when run) and reading the runner files. */
  doneAt: number
  deploymentId?: string
  output: string
}

async function deploy(
  world: World,
  cluster: string,
  service: string,
  image: string,
  verdict: RegExp,
  options: { inputs?: Record<string, string>; post?: boolean; killAfterMs?: number } = {}
): Promise<Deploy> {
  let spawnedAt = Date.now()
  let exitAt = 0
  let verdictAt: number | undefined
  let pending = ''
  let child: ChildProcess | undefined
  let killer: NodeJS.Timeout | undefined
  const result = await runAction({
    cwd: world.workspace,
    post: options.post ?? false,
    inputs: {
      cluster,
      service,
      image,
      'task-definition': 'task-definition.json',
      'wait-for-minutes': '5',
      ...options.inputs
    },
    env: {
      AWS_ENDPOINT_URL: world.sim.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      GITHUB_SHA: randomBytes(20).toString('hex')
    },
    onStart: c => {
      spawnedAt = Date.now()
      child = c
      c.once('exit', () => {
        exitAt = Date.now()
        if (killer) clearTimeout(killer)
      })
      killer = setTimeout(() => child?.kill('SIGKILL'), options.killAfterMs ?? 10 * 60_000)
    },
    onOutput: chunk => {
      const now = Date.now()
      if (verdictAt !== undefined) return
      // A line may arrive in two chunks: look at the unfinished tail together with the new chunk.
      pending += chunk
      if (verdict.test(pending)) verdictAt = now
      pending = pending.slice(pending.lastIndexOf('\n') + 1)
    }
  })
  return {
    exitCode: result.exitCode,
    spawnedAt,
    verdictAt,
    exitAt: exitAt || Date.now(),
    doneAt: Date.now(),
    deploymentId: result.outputs['deployment-id'],
    output: result.output
  }
}

function tail(output: string, lines = 15): string {
  return output.trimEnd().split('\n').slice(-lines).join('\n')
}

async function decidableAt(
  world: World,
  deploymentId: string | undefined
): Promise<{ at: number; outcome: string }> {
  if (!deploymentId) throw new Error('the action printed no deployment-id output')
  const entry = (await getTimeline(world.sim.url)).find(t => t.id === deploymentId)
  if (!entry) throw new Error(`deployment ${deploymentId} is not in the simulator's timeline`)
  if (!entry.decidableAt || !entry.outcome)
    throw new Error(`deployment ${deploymentId} never became decidable (outcome ${entry.outcome})`)
  return { at: Date.parse(entry.decidableAt), outcome: entry.outcome }
}

const isEcs = (c: SimCall, cluster: string): boolean => c.service === 'ecs' && c.request.cluster === cluster

// ---------- scenarios ----------

/** Success detection latency: the timeline's decidableAt (COMPLETED) → the action's success line. */
async function successScenario(opts: Options): Promise<ScenarioResult> {
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

/**
 * Failure detection latency: circuit breaker with rollback, a container that exits 3. From the timeline's
 * decidableAt (FAILED / ROLLED_BACK) to the action's final `::error title=Deployment failed::` line.
 * Services take turns so one can finish ECS's rollback while the next is deployed to.
 */
async function failureScenario(opts: Options): Promise<ScenarioResult> {
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

interface CallRate {
  calls: number
  windowMs: number
  perMinute: number
  maxIn60s: number
  byOperation: Record<string, number>
  /** The busiest 60 s: seconds after UpdateService it starts, and its calls by operation. */
  busiest: { fromS: number; byOperation: Record<string, number> }
}

function countByOperation(calls: SimCall[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const c of calls) counts[c.operation] = (counts[c.operation] ?? 0) + 1
  return counts
}

/**
 * ECS calls the action made after its UpdateService up to its verdict, or with `untilRollback`, up to
 * its own rollback's UpdateService (the first wait alone).
 */
function callRate(all: SimCall[], cluster: string, run: Deploy, untilRollback = false): CallRate {
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

function describeRate(name: string, r: CallRate): string {
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
async function callsScenario(opts: Options): Promise<ScenarioResult> {
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

/**
 * Action overhead with (almost) no ECS delays: the simulator at a time scale of ~0, a healthy deploy, the
 * whole main step's wall time, split into before UpdateService, waiting, and after the verdict.
 */
async function overheadScenario(opts: Options): Promise<ScenarioResult> {
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

/** `node dist/index.js` with no inputs (exits 1 with an ::error at once) against bare `node -e ""`. */
function coldScenario(opts: Options): ScenarioResult {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir() }
  const cwd = os.tmpdir()
  const time = (args: string[]): { ms: number; status: number | null; out: string } => {
    const t0 = process.hrtime.bigint()
    const r = spawnSync(process.execPath, args, { env, cwd, encoding: 'utf8' })
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e6
    return { ms: elapsed, status: r.status, out: `${r.stdout}${r.stderr}` }
  }
  const first = time([distEntry])
  if (first.status !== 1 || !first.out.includes('::error'))
    throw new Error(
      `node dist/index.js without inputs should exit 1 with an ::error, got ${first.status}:\n${first.out}`
    )
  for (let i = 0; i < 3; i++) {
    time(['-e', ''])
    time([distEntry])
  }
  const bare: number[] = []
  const action: number[] = []
  // Interleaved, so drift in the machine's load hits both alike.
  for (let i = 0; i < opts.coldRuns; i++) {
    bare.push(time(['-e', '']).ms)
    action.push(time([distEntry]).ms)
  }
  const diff = median(action) - median(bare)
  progress(`cold start: dist ${ms(median(action))}, bare node ${ms(median(bare))}`)
  return {
    rows: [
      {
        metric: 'Cold start `node dist/index.js` (no inputs → ::error, exit 1), median',
        value: ms(median(action))
      },
      { metric: 'Bare `node -e ""`, median', value: ms(median(bare)) },
      { metric: 'Cold start over bare node', value: ms(diff), target: '≤ 60 ms', pass: diff <= 60 }
    ],
    details: [`Cold start, dist/index.js: ${spread(action)}.`, `Bare node: ${spread(bare)}.`],
    raw: { distMs: action, bareMs: bare, overMs: diff }
  }
}

// ---------- bundle size and what it is made of ----------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** The source index of each mapped span of the generated file, by generated line: [startCol, source][]. */
function decodeSegments(mappings: string): Array<Array<[number, number]>> {
  const lines: Array<Array<[number, number]>> = []
  let source = 0
  for (const line of mappings.split(';')) {
    const segments: Array<[number, number]> = []
    let col = 0
    for (const segment of line.split(',')) {
      if (!segment) continue
      const fields: number[] = []
      let value = 0
      let shift = 0
      for (const ch of segment) {
        const digit = B64.indexOf(ch)
        value += (digit & 31) << shift
        if (digit & 32) shift += 5
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = 0
          shift = 0
        }
      }
      col += fields[0]
      if (fields.length >= 4) {
        source += fields[1]
        segments.push([col, source])
      } else segments.push([col, -1])
    }
    lines.push(segments)
  }
  return lines
}

function packageOf(source: string): string {
  const nm = source.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const parts = source.slice(nm + 'node_modules/'.length).split('/')
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
  }
  if (source.includes('webpack')) return '(webpack runtime)'
  return 'ecs-deploy (src)'
}

/** Characters of dist/index.js per npm package, from its source map. */
function bundleComposition(code: string, map: { sources: string[]; mappings: string }): Map<string, number> {
  const byPackage = new Map<string, number>()
  const add = (pkg: string, n: number): void => {
    if (n > 0) byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n)
  }
  const lines = code.split('\n')
  const segments = decodeSegments(map.mappings)
  lines.forEach((line, i) => {
    const segs = segments[i] ?? []
    const length = line.length + 1
    if (segs.length === 0) return add('(unmapped)', length)
    add('(unmapped)', segs[0][0])
    segs.forEach(([col, src], k) => {
      const end = k + 1 < segs.length ? segs[k + 1][0] : length
      add(src >= 0 ? packageOf(map.sources[src] ?? '') : '(unmapped)', end - col)
    })
  })
  return byPackage
}

function bundleScenario(): ScenarioResult {
  const code = fs.readFileSync(distEntry)
  const gzip = gzipSync(code, { level: 9 }).length
  const dist = path.dirname(distEntry)
  const sidecar = path.join(dist, 'sourcemap-register.cjs')
  const details: string[] = []
  const raw: Record<string, unknown> = { bytes: code.length, gzipBytes: gzip }
  if (fs.existsSync(sidecar)) {
    const size = fs.statSync(sidecar).size
    raw.sourcemapRegisterBytes = size
    details.push(
      `dist/index.js also loads dist/sourcemap-register.cjs (${size.toLocaleString('en-US')} B) on every start.`
    )
  }
  const mapFile = `${distEntry}.map`
  if (fs.existsSync(mapFile)) {
    const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[]; mappings: string }
    const text = code.toString('utf8')
    const parts = [...bundleComposition(text, map)].sort((a, b) => b[1] - a[1])
    const total = text.length
    raw.composition = Object.fromEntries(parts)
    details.push(
      `What dist/index.js is made of (characters per package, from index.js.map): ` +
        parts
          .slice(0, 10)
          .map(([pkg, n]) => `${pkg} ${(n / 1024).toFixed(0)} KiB (${((100 * n) / total).toFixed(0)} %)`)
          .join(', ') +
        (parts.length > 10 ? `, ${parts.length - 10} more` : '') +
        '.'
    )
  }
  return {
    rows: [
      { metric: 'Bundle size, dist/index.js', value: bytes(code.length) },
      { metric: 'Bundle size, gzip -9 (zlib)', value: bytes(gzip) }
    ],
    details,
    raw
  }
}

// ---------- machine, table, README ----------

function machine(): { cpu: string; cores: number; ramGiB: number; node: string } {
  let cpu = os.cpus()[0]?.model ?? 'unknown'
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))
    if (m) cpu = m[1].trim()
  } catch {
    // Not Linux: os.cpus() it is.
  }
  return {
    cpu,
    cores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version
  }
}

function load(avg: number[]): string {
  return avg.map(n => n.toFixed(2)).join(', ')
}

function table(rows: Row[]): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|')
  const lines = ['| Metric | Value | Target | Pass |', '| --- | --- | --- | --- |']
  for (const r of rows)
    lines.push(
      `| ${cell(r.metric)} | ${cell(r.value)} | ${cell(r.target ?? '—')} | ${r.pass === undefined ? '—' : r.pass ? '✅ pass' : '❌ miss'} |`
    )
  return lines.join('\n')
}

const START = '<!-- results:start -->'
const END = '<!-- results:end -->'

async function writeReadme(results: string): Promise<string> {
  const file = path.join(repoRoot, 'bench', 'README.md')
  const current = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmarks\n\nRun `npm run bench`.\n'
  const block = `${START}\n\n${results}\n\n${END}`
  const s = current.indexOf(START)
  const e = current.indexOf(END)
  const next =
    s >= 0 && e > s
      ? current.slice(0, s) + block + current.slice(e + END.length)
      : `${current.trimEnd()}\n\n${block}\n`
  // The same formatting `npm run format:check` expects.
  const prettier = await import('prettier')
  const config = (await prettier.resolveConfig(file)) ?? {}
  fs.writeFileSync(file, await prettier.format(next, { ...config, filepath: file }))
  return file
}

async function main(): Promise<void> {
  const opts = readOptions()
  const host = machine()
  const date = new Date().toISOString()
  const loadAtStart = os.loadavg()
  const results = new Map<Scenario, ScenarioResult>()
  const broken: string[] = []
  const attempt = async (
    name: Scenario,
    fn: () => ScenarioResult | Promise<ScenarioResult>
  ): Promise<void> => {
    if (!opts.only.has(name)) return
    progress(`${name}…`)
    try {
      results.set(name, await fn())
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      broken.push(`${name}: ${message}`)
      progress(`${name} could not be measured: ${message}`)
    }
  }

  // Quiet-machine measurements first, then the simulated deploys.
  await attempt('bundle', bundleScenario)
  await attempt('cold', () => coldScenario(opts))
  await attempt('overhead', () => overheadScenario(opts))
  await attempt('success', () => successScenario(opts))
  const concurrent = !opts.serial && opts.only.has('calls') && opts.only.has('failure')
  if (!concurrent) {
    await attempt('failure', () => failureScenario(opts))
    await attempt('calls', () => callsScenario(opts))
  } else {
    // The long waits are mostly idle (one DescribeServices every 2 s): they run alongside the failure runs.
    await Promise.all([
      attempt('calls', () => callsScenario(opts)),
      attempt('failure', () => failureScenario(opts))
    ])
  }

  const order: Scenario[] = ['success', 'failure', 'calls', 'overhead', 'cold', 'bundle']
  const rows = order.flatMap(s => results.get(s)?.rows ?? [])
  for (const b of broken)
    rows.push({ metric: `${b.split(':')[0]} (not measured)`, value: 'error, see below' })
  const missed = rows.filter(r => r.pass === false)
  const durationS = Math.round((Date.now() - started) / 1000)
  const runs = [
    opts.only.has('success') ? `success ${opts.successRuns}` : '',
    opts.only.has('failure') ? `failure ${opts.failureRuns}` : '',
    opts.only.has('overhead') ? `zero-delay ${opts.overheadRuns}` : '',
    opts.only.has('cold') ? `cold start ${opts.coldRuns} (+3 warm-up)` : '',
    opts.only.has('calls') ? `calls 2 long waits of ≥ ${opts.longMs / 1000} s` : ''
  ].filter(Boolean)

  const md = [
    `Date: ${date}  `,
    `Machine: ${host.cpu}, ${host.cores} cores, ${host.ramGiB} GiB RAM, Node ${host.node}, ${os.platform()} ${os.release()}  `,
    `Load average (1, 5, 15 min): ${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end  `,
    `Simulator: scripted tasks, time scale ${opts.timeScale} (zero-delay scenario: ${opts.zeroScale}); N: ${runs.join(', ')}  `,
    `Command: \`npm run bench\`${process.argv.length > 2 ? ` (arguments: \`${process.argv.slice(2).join(' ')}\`)` : ''}; took ${durationS} s${concurrent ? ', the call-rate waits alongside the failure runs' : ''}`,
    '',
    table(rows),
    '',
    missed.length
      ? `Missed: ${missed.map(r => `${r.metric} (${r.value}, target ${r.target})`).join('; ')}.`
      : 'Every target met.',
    '',
    ...order.flatMap(s => results.get(s)?.details ?? []).map(d => `- ${d}`),
    ...broken.map(b => `- Not measured: ${b.replace(/\n/g, ' ')}`)
  ].join('\n')

  process.stdout.write(`\n${md}\n`)
  if (opts.readme) progress(`wrote ${path.relative(process.cwd(), await writeReadme(md))}`)
  if (opts.json) {
    const raw = Object.fromEntries([...results].map(([k, v]) => [k, v.raw]))
    fs.writeFileSync(
      opts.json,
      JSON.stringify(
        { date, machine: host, options: { ...opts, only: [...opts.only] }, raw, broken },
        null,
        2
      )
    )
  }
  if (missed.length)
    process.stdout.write(`\n${missed.length} target(s) missed (benchmarks do not fail the build).\n`)
  // Missing a target is a result; a scenario that could not run at all is not.
  process.exitCode = broken.length ? 1 : 0
}

main().catch(error => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})

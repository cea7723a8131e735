/**
 * `npm run demo`: ecs-deploy end to end on this machine, without an AWS account.
 *
 * Brings up a Docker engine and a registry (scripts/test-env.sh), starts the local ECS/ECR simulator
 * with the docker task backend, creates a cluster, an ECR repository and a service from examples/app,
 * then runs the bundled action (dist/index.js) twice as the GitHub runner would: a good deploy (green)
 * and a version that crashes on start (red, annotations, rollback). Prints each job summary and tears
 * everything down again — also on failure and on Ctrl-C. Exits non-zero unless deploy #1 was green and
 * deploy #2 was red and rolled back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { distEntry, repoRoot, runAction, type ActionRun } from './run-action.js'
import { health, startSim, type RunningSim } from '../sim/testing.js'

// The bundled AWS SDK warns about Node 20 on every run; GitHub runs the action on Node 24, where it
// does not. Set before the SDK is loaded (it is imported dynamically below).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const REGION = 'eu-west-1'
const CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
}
const CLUSTER = 'demo'
const REPOSITORY = 'demo-app'
const SERVICE = 'web'
const CONTAINER = 'web'
const TIME_SCALE = 0.25
const PHASES = 7
const ENV_SCRIPT = path.join(repoRoot, 'scripts', 'test-env.sh')

/**
 * When dist/ was built: the last commit that touched it (a clone gives every file the clone's time), or
 * the file's time when dist/ has changes git has not seen (a local `npm run bundle`) or there is no git.
 */
function distBuilt(mtime: Date): string {
  const minute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  const git = (...args: string[]) =>
    spawnSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  const log = git('log', '-1', '--format=%h %cI', '--', 'dist')
  const [sha, date] = log.status === 0 ? log.stdout.trim().split(' ') : []
  const changed = git('status', '--porcelain', '--', 'dist')
  if (!sha || !date || changed.status !== 0 || changed.stdout.trim() !== '')
    return `built ${minute(mtime)}, file time`
  return `built ${minute(new Date(date))}, commit ${sha}`
}

// ---------------------------------------------------------------------------------------------------
// Output

const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s)
const bold = paint('1')
const dim = paint('2')
const red = paint('31')
const green = paint('32')
const yellow = paint('33')
const cyan = paint('36')
const WIDTH = Math.max(80, Math.min(process.stdout.columns || 120, 160))

/** Once the demo is cancelled, the main flow keeps running until exit but prints nothing more. */
let quiet = false
function say(line = ''): void {
  if (!quiet) process.stdout.write(`${line}\n`)
}
function phase(n: number, title: string): void {
  say()
  say(bold(cyan(`▶ [${n}/${PHASES}] ${title}`)))
}
const ok = (s: string) => say(`    ${green('✔')} ${s}`)
const info = (s: string) => say(`    ${s}`)
const clip = (s: string, width = WIDTH - 8) => (s.length > width ? `${s.slice(0, width - 1)}…` : s)
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`

class DemoError extends Error {}

// ---------------------------------------------------------------------------------------------------
// The Docker engine and registry (scripts/test-env.sh)

function runScript(
  args: string[],
  onStderr?: (line: string) => void
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [ENV_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      for (const line of d.split('\n')) if (line.trim()) onStderr?.(line)
    })
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}

/** `status` as { dockerd: pid?, registry: pid? }: what test-env.sh itself started and is running. */
async function envStatus(): Promise<{ dockerd?: number; registry?: number }> {
  const { stdout } = await runScript(['status'])
  const pid = (name: string) => {
    const m = new RegExp(`^${name}: running \\(pid (\\d+)\\)`, 'm').exec(stdout)
    return m ? Number(m[1]) : undefined
  }
  return { dockerd: pid('dockerd'), registry: pid('registry') }
}

// ---------------------------------------------------------------------------------------------------
// What the demo started, for the teardown

interface Started {
  envBefore?: { dockerd?: number; registry?: number }
  envUpCalled: boolean
  sim?: RunningSim
  simInstance?: string
  workspace?: string
  child?: ChildProcess
}
const started: Started = { envUpCalled: false }

function docker(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise(resolve => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'ignore'], env: process.env })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.on('error', () => resolve({ code: null, stdout }))
    child.on('close', code => resolve({ code, stdout }))
  })
}

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const registryInUse = () => process.env.ECS_DEPLOY_REGISTRY ?? '127.0.0.1:5001'

let teardownPromise: Promise<string[]> | undefined

/** Stops what the demo started, in reverse order; returns the problems it met (none: all clean). */
function teardown(): Promise<string[]> {
  teardownPromise ??= (async () => {
    const problems: string[] = []
    const log = (s: string) => process.stdout.write(`    ${s}\n`)
    // Each step runs even if an earlier one failed.
    const step = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn()
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null
    await step('stopping the action', async () => {
      const child = started.child
      if (!child || !running(child)) return
      child.kill('SIGTERM')
      await waitExit(child, 5000)
      if (running(child)) child.kill('SIGKILL')
      log(`${green('✔')} stopped the running action`)
    })
    await step('stopping the simulator', async () => {
      if (!started.sim) return
      await started.sim.stop()
      let note = ''
      if (started.simInstance) {
        // The simulator removes its containers on SIGTERM; check, and remove any it left.
        const left = (await docker(['ps', '-aq', '--filter', `label=ecs-sim=${started.simInstance}`])).stdout
          .split('\n')
          .filter(Boolean)
        if (left.length) {
          await docker(['rm', '-f', ...left])
          problems.push(`the simulator left ${left.length} container(s); the demo removed them`)
        }
        note = left.length ? `, ${left.length} leftover container(s) removed` : ', its containers are gone'
      }
      log(`${green('✔')} simulator stopped (pid ${started.sim.pid})${note}`)
    })
    await step('removing the workspace', async () => {
      if (!started.workspace) return
      fs.rmSync(started.workspace, { recursive: true, force: true })
      log(`${green('✔')} workspace ${started.workspace} removed`)
    })
    if (!started.envUpCalled) return problems
    const before = started.envBefore ?? {}
    const now = await envStatus()
    const ours = {
      dockerd: now.dockerd !== undefined && now.dockerd !== before.dockerd ? now.dockerd : undefined,
      registry: now.registry !== undefined && now.registry !== before.registry ? now.registry : undefined
    }
    if (ours.dockerd === undefined) {
      await step("removing the demo's images", async () => {
        // The engine is the user's own (a laptop) or one test-env.sh started earlier: it stays, without
        // the images the demo built.
        const listed = await docker([
          'image',
          'ls',
          '-q',
          '--filter',
          `reference=${registryInUse()}/${REPOSITORY}`
        ])
        const images = [...new Set(listed.stdout.split('\n').filter(Boolean))]
        if (!images.length) return
        await docker(['image', 'rm', '-f', ...images])
        log(`${green('✔')} removed the demo's ${images.length} image(s) from the Docker engine`)
      })
    }
    if (ours.dockerd === undefined && ours.registry === undefined) {
      log(`${green('✔')} Docker engine and registry left running as they were (the demo did not start them)`)
    } else if (before.dockerd === undefined && before.registry === undefined) {
      await step('scripts/test-env.sh down', async () => {
        const down = await runScript(['down'], line => log(dim(line)))
        if (down.code !== 0) throw new Error(`exited with ${down.code}`)
        log(`${green('✔')} stopped the Docker engine and registry the demo started`)
      })
    } else {
      // Partly up before (one of the two was running): `down` would stop both, so stop only what the
      // demo added, by its PID, as `down` would.
      for (const [name, pid] of Object.entries(ours)) {
        if (pid === undefined) continue
        await step(`stopping the ${name}`, async () => {
          process.kill(pid, 'SIGTERM')
          for (let i = 0; i < 60 && pidAlive(pid); i++) await new Promise(r => setTimeout(r, 250))
          if (pidAlive(pid)) process.kill(pid, 'SIGKILL')
          const envDir = process.env.ECS_DEPLOY_ENV_DIR
          if (envDir) fs.rmSync(path.join(envDir, `${name}.pid`), { force: true })
          log(`${green('✔')} stopped the ${name} the demo started (pid ${pid}); the other was running before`)
        })
      }
    }
    return problems
  })()
  return teardownPromise
}

let signalled: string | undefined
let signalledAt = 0
function onSignal(signal: NodeJS.Signals): void {
  if (signalled) {
    // Ctrl-C reaches us twice (from the terminal, and relayed by tsx): only a later one is the user's.
    if (Date.now() - signalledAt > 1000)
      process.stdout.write(`\n${yellow(`Still tearing down after ${signalled}, one moment…`)}\n`)
    return
  }
  signalled = signal
  signalledAt = Date.now()
  quiet = true
  process.stdout.write(`\n${yellow(`✘ ${signal}: the demo was interrupted; tearing down`)}\n`)
  void teardown().then(
    problems => {
      for (const p of problems) process.stdout.write(`    ${yellow('!')} ${p}\n`)
      process.exit(signal === 'SIGINT' ? 130 : 143)
    },
    (err: unknown) => {
      process.stdout.write(`    ${red('✘')} teardown failed: ${(err as Error).message}\n`)
      process.exit(1)
    }
  )
}

// ---------------------------------------------------------------------------------------------------
// Running the action and showing its log compactly

/** Prints the action's log as it comes: group names, commands, service events, results; no build noise. */
function compactPrinter(): { write(chunk: string): void; flush(): void } {
  let buffer = ''
  let group = ''
  const bar = dim('│')
  const line = (raw: string) => {
    const text = raw.replace(/\r$/, '')
    if (text.startsWith('::group::')) {
      group = text.slice('::group::'.length)
      say(`    ${bar} ${bold(group)}`)
      return
    }
    if (text.startsWith('::endgroup::')) {
      group = ''
      return
    }
    // Workflow commands (masks, debug, annotations) are the runner's, not the log's; annotations are shown after.
    if (/^::[a-z-]+( [^:]*)?::/.test(text) || !text.trim()) return
    const indent = group ? '    ' : '  '
    if (text.startsWith('[command]')) {
      // The OCI labels (source, revision, created) make the build command long; shown as one `--label …`.
      const command = text.slice('[command]'.length).replace(/( --label \S+)+/, ' --label …')
      say(`    ${bar}${indent}${dim('$ ' + clip(command, WIDTH - 16))}`)
      return
    }
    // Inside the Image group only the commands matter; the build and push progress is noise here.
    if (group === 'Image') return
    const event = /^\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d)\.\d+Z (.*)$/.exec(text)
    if (event) {
      say(`    ${bar}${indent}${dim(event[1])} ${clip(event[2], WIDTH - 22)}`)
      return
    }
    const styled = text.startsWith('✖')
      ? red(text)
      : /^Rolling back|^Rolled back/.test(text)
        ? yellow(text)
        : /completed: /.test(text)
          ? green(text)
          : text
    say(`    ${bar}${indent}${styled}`)
  }
  return {
    write(chunk: string) {
      buffer += chunk
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const l of lines) line(l)
    },
    flush() {
      if (buffer) line(buffer)
      buffer = ''
    }
  }
}

function randomSha(): string {
  return randomBytes(20).toString('hex')
}

interface World {
  sim: RunningSim
  registry: string
  workspace: string
}

async function runTheAction(
  world: World,
  inputs: Record<string, string>,
  sha: string,
  show: boolean
): Promise<ActionRun> {
  const printer = compactPrinter()
  const result = await runAction({
    cwd: world.workspace,
    inputs: { cluster: CLUSTER, network: 'none', ...inputs },
    env: {
      AWS_ENDPOINT_URL: world.sim.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      GITHUB_SHA: sha
    },
    onStart: child => (started.child = child),
    onOutput: show ? chunk => printer.write(chunk) : undefined
  })
  started.child = undefined
  printer.flush()
  if (show && result.post) {
    for (const l of result.post.output.split('\n'))
      if (l.trim() && !l.startsWith('::')) say(`    ${dim('│')} ${bold('Post')} ${l}`)
  }
  return result
}

function inputsLine(inputs: Record<string, string>): string {
  return Object.entries(inputs)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')
}

function printSummary(markdown: string): void {
  const rule = '─'.repeat(Math.max(10, Math.min(WIDTH - 8, 100) - 40))
  info(dim(`┌─ job summary ($GITHUB_STEP_SUMMARY, markdown) ${rule}`))
  for (const l of markdown.trimEnd().split('\n')) info(`${dim('│')} ${l}`)
  info(dim(`└${'─'.repeat(Math.min(WIDTH - 8, 100) - 1)}`))
}

/** Saves a run's whole log (build output included) for reading after the demo; returns its path. */
function saveLog(run: ActionRun, name: string): string {
  const file = path.join(os.tmpdir(), `ecs-deploy-demo-${name}-${Date.now()}.log`)
  const post = run.post ? `\n--- post step (exit code ${run.post.exitCode}) ---\n${run.post.output}` : ''
  const text = (run.output + post)
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
  fs.writeFileSync(file, text)
  return file
}

// ---------------------------------------------------------------------------------------------------
// The demo

async function demo(): Promise<string> {
  const t0 = Date.now()
  say(bold('ecs-deploy demo') + dim(' — a green and a red deploy against a local ECS/ECR, no AWS account'))
  // Before starting anything: without the bundle there is nothing to demonstrate.
  if (!fs.existsSync(distEntry))
    throw new DemoError(`${path.relative(repoRoot, distEntry)} is missing: run \`npm run bundle\` first`)

  // 1. Engine and registry
  phase(1, 'Starting the Docker engine and registry (scripts/test-env.sh up)')
  started.envBefore = await envStatus()
  started.envUpCalled = true
  const up = await runScript(['up'], l => info(dim(l)))
  if (up.code !== 0) throw new DemoError(`scripts/test-env.sh up exited with ${up.code}`)
  const exports = await runScript(['env'])
  for (const l of exports.stdout.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(l.trim())
    if (m) process.env[m[1]] = m[2]
  }
  const registry = process.env.ECS_DEPLOY_REGISTRY ?? '127.0.0.1:5001'
  const after = await envStatus()
  const engine = process.env.DOCKER_HOST ?? 'the default socket'
  const whose = (now?: number, before?: number) =>
    now !== undefined && now !== before ? 'started by the demo' : 'already running'
  ok(`Docker engine at ${engine} (${whose(after.dockerd, started.envBefore.dockerd)})`)
  ok(`registry at ${registry} (${whose(after.registry, started.envBefore.registry)})`)

  // 2. The bundled action
  phase(2, 'Checking the bundled action')
  if (!fs.existsSync(distEntry))
    throw new DemoError(`${path.relative(repoRoot, distEntry)} is missing: run \`npm run bundle\` first`)
  const stat = fs.statSync(distEntry)
  ok(
    `${path.relative(repoRoot, distEntry)} (${(stat.size / 1e6).toFixed(1)} MB, ${distBuilt(stat.mtime)}), run as the runner runs it`
  )

  // 3. Simulator
  phase(3, `Starting the local ECS/ECR (docker task backend, time scale ${TIME_SCALE})`)
  const sim = await startSim({ tasks: 'docker', registry, timeScale: TIME_SCALE })
  started.sim = sim
  started.simInstance = (await health(sim.url)).instance
  ok(`listening on ${sim.url} (pid ${sim.pid}); ECS delays run ${Math.round(1 / TIME_SCALE)}x faster`)
  info(dim(`tasks run as containers labelled ecs-sim=${started.simInstance}; images go to ${registry}`))

  // 4. Cluster, repository, first revision, service
  phase(4, `Creating cluster ${CLUSTER}, ECR repository ${REPOSITORY} and service ${SERVICE}`)
  const { ECSClient, CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand } =
    await import('@aws-sdk/client-ecs')
  const { ECRClient, CreateRepositoryCommand } = await import('@aws-sdk/client-ecr')
  const config = { endpoint: sim.url, region: REGION, credentials: CREDENTIALS }
  const ecs = new ECSClient(config)
  const ecr = new ECRClient(config)
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
  ok(`cluster ${CLUSTER}`)
  const repo = await ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }))
  ok(`ECR repository ${REPOSITORY} (${repo.repository?.repositoryUri ?? '?'})`)

  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-demo-'))
  started.workspace = workspace
  for (const f of ['Dockerfile', 'app.sh', 'task-definition.json'])
    fs.copyFileSync(path.join(repoRoot, 'examples/app', f), path.join(workspace, f))
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find(p => fs.existsSync(p))
  if (!busybox) throw new DemoError('busybox not found: install busybox-static (scripts/test-env.sh up does)')
  fs.copyFileSync(busybox, path.join(workspace, 'busybox'))
  ok(`workspace ${workspace}: examples/app (Dockerfile, app.sh, task-definition.json) + ${busybox}`)
  const world: World = { sim, registry, workspace }

  const base = {
    repository: REPOSITORY,
    'task-definition': 'task-definition.json',
    'container-name': CONTAINER
  }
  info(`registering the first revision with a register-only run of the action (no service input)…`)
  const first = await runTheAction(world, base, randomSha(), false)
  if (first.exitCode !== 0)
    throw new DemoError(
      `the register-only run exited with ${first.exitCode}: ${first.errors.map(e => e.title ?? e.message).join('; ')} (full log: ${saveLog(first, 'register')})`
    )
  const firstArn = first.outputs['task-definition-arn']
  ok(`${firstArn.split('/').pop()} registered in ${seconds(first.durationMs)}, image ${first.outputs.image}`)

  info(
    `creating service ${SERVICE}: 2 tasks, min 100% / max 200%, no circuit breaker (the action fails fast itself)…`
  )
  const creating = Date.now()
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: firstArn,
      desiredCount: 2,
      launchType: 'FARGATE',
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 }
    })
  )
  const describe = async () =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services?.[0]
  for (;;) {
    const s = await describe()
    const d = s?.deployments ?? []
    if (d.length === 1 && d[0].rolloutState === 'COMPLETED' && s?.runningCount === 2) break
    if (Date.now() - creating > 120_000)
      throw new DemoError(`service ${SERVICE} was not steady within 2 minutes`)
    await new Promise(r => setTimeout(r, 250))
  }
  ok(
    `service ${SERVICE} steady in ${seconds(Date.now() - creating)}: 2/2 tasks running ${firstArn.split('/').pop()}`
  )

  // The action counts service events from up to 1s before its UpdateService as its own (clock skew
  // allowance); a deploy that follows the service's creation this closely would list the creation's.
  await new Promise(r => setTimeout(r, 1500))
  const deployInputs = { ...base, service: SERVICE, 'wait-for-minutes': '5' }

  // 5. Deploy #1: good
  const goodSha = randomSha()
  phase(5, `Deploy #1: a good commit (${goodSha.slice(0, 7)})`)
  info(
    dim(`uses: ./ (dist/index.js) with ${inputsLine({ ...deployInputs, cluster: CLUSTER, network: 'none' })}`)
  )
  const good = await runTheAction(world, deployInputs, goodSha, true)
  const goodProblems: string[] = []
  if (good.exitCode !== 0) goodProblems.push(`exit code ${good.exitCode}`)
  if (good.errors.length) goodProblems.push(`${good.errors.length} error annotation(s)`)
  if (!good.outputs['deployment-id']) goodProblems.push('no deployment-id output')
  if (goodProblems.length) {
    say(`    ${red('✘ red')} in ${seconds(good.durationMs)} — expected green (${goodProblems.join(', ')})`)
    for (const e of good.errors) info(`${red('error')} ${bold(e.title ?? '')} ${e.message}`)
    info(`full log of the run: ${saveLog(good, 'deploy-1')}`)
    throw new DemoError(`deploy #1 should have been green: ${goodProblems.join(', ')}`)
  }
  say(`    ${green(bold('✔ green'))} in ${seconds(good.durationMs)} (exit code 0)`)
  info('outputs:')
  for (const [k, v] of Object.entries(good.outputs)) info(`  ${k.padEnd(20)} ${v}`)
  printSummary(good.summary)
  const goodArn = good.outputs['task-definition-arn']

  // 6. Deploy #2: crashes on start
  const badSha = randomSha()
  phase(6, `Deploy #2: a version that crashes on start (${badSha.slice(0, 7)}, build-args: APP_MODE=crash)`)
  const crashInputs = { ...deployInputs, 'build-args': 'APP_MODE=crash' }
  info(
    dim(`uses: ./ (dist/index.js) with ${inputsLine({ ...crashInputs, cluster: CLUSTER, network: 'none' })}`)
  )
  const bad = await runTheAction(world, crashInputs, badSha, true)
  const after2 = await describe()
  const badProblems: string[] = []
  if (bad.exitCode === 0) badProblems.push('it exited with code 0')
  if (!bad.errors.some(e => /exited with code 3/.test(`${e.title ?? ''} ${e.message}`)))
    badProblems.push('no "container exited with code 3" annotation')
  if (!/^Rolling back /m.test(bad.output) || !bad.errors.some(e => /Rolled back to /.test(e.message)))
    badProblems.push('no rollback reported')
  if (after2?.taskDefinition !== goodArn)
    badProblems.push(`the service is on ${after2?.taskDefinition ?? '?'}, not back on ${goodArn}`)
  if (badProblems.length) {
    say(`    ${yellow('?')} deploy #2 did not go as expected: ${badProblems.join('; ')}`)
    info(`full log of the run: ${saveLog(bad, 'deploy-2')}`)
    throw new DemoError(`deploy #2 should have been red and rolled back: ${badProblems.join('; ')}`)
  }
  say(`    ${red(bold('✘ red'))} in ${seconds(bad.durationMs)} (exit code ${bad.exitCode}) — as expected`)
  info(`annotations (what GitHub shows on the run and the pull request):`)
  for (const e of bad.errors) {
    info(`  ${red('Error:')} ${bold(e.title ?? '(no title)')}`)
    for (const l of e.message.split('\n')) info(`         ${l}`)
  }
  for (const w of bad.warnings) info(`  ${yellow('Warning:')} ${bold(w.title ?? '')} ${w.message}`)
  const rolledBack = /Rolled back to [^\n]*/.exec(bad.errors.map(e => e.message).join('\n'))?.[0]
  info(
    `rollback: ${yellow(rolledBack ?? 'see the log above')} — service ${SERVICE} is back on ${goodArn.split('/').pop()} (DescribeServices)`
  )
  printSummary(bad.summary)

  return `deploy #1 green in ${seconds(good.durationMs)}, deploy #2 red in ${seconds(bad.durationMs)} and rolled back; ${seconds(Date.now() - t0)} in all`
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let result: string | undefined
  let failure: unknown
  try {
    result = await demo()
  } catch (err) {
    failure = err
  }
  if (signalled) return // onSignal tears down and exits.
  if (failure !== undefined) {
    const message = failure instanceof Error ? failure.message : String(failure)
    say()
    say(red(bold(`✘ The demo failed: ${message}`)))
    if (!(failure instanceof DemoError) && failure instanceof Error && failure.stack) say(dim(failure.stack))
  }
  if (started.envUpCalled) phase(PHASES, 'Tearing down')
  const problems = await teardown()
  for (const p of problems) info(`${yellow('!')} ${p}`)
  say()
  if (failure !== undefined) {
    say(
      red(
        `✘ Demo failed (see above)${started.envUpCalled ? '; everything it started has been stopped' : ''}.`
      )
    )
    process.exit(1)
  }
  say(green(bold(`✔ Demo complete: ${result}.`)))
  say(dim("  Nothing the demo started is left running. Next: the README's Usage section."))
}

void main()

/**
 * `npm run demo`: ecs-deploy end to end on this machine, without an AWS account.
 *
 * Brings up a Docker engine and a registry (scripts/test-env.sh, testkit/engine.ts), starts the local
 * ECS/ECR with the docker task backend, a cluster and a workspace from examples/app (testkit/world.ts),
 * creates an ECR repository and a service, then runs the bundled action (dist/index.js) as the GitHub
 * runner would: a good deploy (green) and a version that crashes on start (red, annotations, rollback);
 * then the service becomes BLUE_GREEN (scripts/demo-bluegreen.ts) and a good deploy is green only after
 * the bake (blue and green containers both running in Docker meanwhile), and a deploy whose alarm goes
 * into ALARM during the bake is red with production traffic back on blue; then a second service gets a
 * deploy with auto scaling on CPU (scripts/demo-act-scaling.ts), the demo puts load on its task and the
 * local Application Auto Scaling scales it out. Prints each job summary and tears down what it started —
 * also on failure and on Ctrl-C. Exits non-zero unless each of the five deploys went as expected
 * (scripts/demo-expect.ts).
 */
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr'
import { arnTail } from '../src/arn.js'
import { removeImages, startEngine, type Engine } from '../testkit/engine.js'
import { startWorld, type World } from '../testkit/world.js'
import { busyboxPath, randomSha } from '../testkit/workspace.js'
import { distEntry, repoRoot } from './run-action.js'
import { greenProblems, redProblems } from './demo-expect.js'
import { blueGreenAct } from './demo-act-bluegreen.js'
import { SCALING, SCALING_SERVICE, createScalingService, scalingAct } from './demo-act-scaling.js'
import { taskDefinitionWithPort } from './demo-bluegreen.js'
import * as show from './demo-print.js'
import { bold, dim, green, info, ok, red, say, seconds, yellow } from './demo-print.js'

// The AWS SDK warns about Node 20 on every run; GitHub runs the action on Node 24, where it does not.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

const CLUSTER = 'demo'
const REPOSITORY = 'demo-app'
const SERVICE = 'web'
const TIME_SCALE = 0.25
/** The container port the blue/green act's load balancer sends traffic to. */
const PORT = 8080
const PHASES = 11
const phase = (n: number, title: string) => show.phase(n, PHASES, title)

class DemoError extends Error {}

/** What the demo started, for the teardown. */
const started: { upCalled: boolean; engine?: Engine; world?: World; child?: ChildProcess } = {
  upCalled: false
}

let teardownPromise: Promise<string[]> | undefined

/** Stops what the demo started, in reverse order; returns the problems it met (none: all clean). */
function teardown(): Promise<string[]> {
  teardownPromise ??= (async () => {
    const problems: string[] = []
    const log = (s: string) => process.stdout.write(`    ${s}\n`)
    const step = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn()
      } catch (err) {
        problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const { child, world, engine } = started
    const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null
    if (child && running(child))
      await step('stopping the action', async () => {
        child.kill('SIGTERM')
        await new Promise<void>(resolve => {
          const timer = setTimeout(resolve, 5000)
          child.once('exit', () => (clearTimeout(timer), resolve()))
        })
        if (running(child)) child.kill('SIGKILL')
        log(`${green('✔')} stopped the running action`)
      })
    if (world)
      await step('stopping the simulator', async () => {
        const { simPid, leftoverContainers: left } = await world.stop()
        if (left) problems.push(`the simulator left ${left} container(s); the demo removed them`)
        const note = left ? `, ${left} leftover container(s) removed` : ', its containers are gone'
        log(`${green('✔')} simulator stopped (pid ${simPid})${note}`)
        log(`${green('✔')} workspace ${world.workspace} removed`)
      })
    if (!started.upCalled) return problems
    if (engine && engine.ours.dockerd === undefined)
      await step("removing the demo's images", async () => {
        // The engine is the user's own (a laptop) or was running before: it stays, without the demo's images.
        const removed = await removeImages(`${engine.registry}/${REPOSITORY}`)
        if (removed) log(`${green('✔')} removed the demo's ${removed} image(s) from the Docker engine`)
      })
    if (!engine) return problems
    const { stopped, down, problems: engineProblems } = await engine.stop(line => log(dim(line)))
    problems.push(...engineProblems)
    if (engine.ours.dockerd === undefined && engine.ours.registry === undefined)
      log(`${green('✔')} Docker engine and registry left running as they were (the demo did not start them)`)
    else if (down) log(`${green('✔')} stopped the Docker engine and registry the demo started`)
    for (const [name, pid] of Object.entries(down ? {} : stopped))
      log(`${green('✔')} stopped the ${name} the demo started (pid ${pid}); the other was running before`)
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
  show.beQuiet()
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

/** One run of the action against the world; with `log`, its log is shown compactly as it comes. */
async function runTheAction(world: World, inputs: Record<string, string>, sha: string, log: boolean) {
  const printer = show.compactPrinter()
  const result = await world.run(inputs, {
    sha,
    onStart: child => (started.child = child),
    onOutput: log ? chunk => printer.write(chunk) : undefined
  })
  started.child = undefined
  printer.flush()
  if (log && result.post)
    for (const l of result.post.output.split('\n'))
      if (l.trim() && !l.startsWith('::')) say(`    ${dim('│')} ${bold('Post')} ${l}`)
  return result
}

async function demo(): Promise<string> {
  const t0 = Date.now()
  say(
    bold('ecs-deploy demo') +
      dim(' — green, red, blue/green, then auto scaling deploys against a local ECS/ECR, no AWS account')
  )
  // Before starting anything: without the bundle there is nothing to demonstrate.
  const bundle = path.relative(repoRoot, distEntry)
  if (!fs.existsSync(distEntry)) throw new DemoError(`${bundle} is missing: run \`npm run bundle\` first`)

  phase(1, 'Starting the Docker engine and registry (scripts/test-env.sh up)')
  started.upCalled = true
  const engine = await startEngine(l => info(dim(l))).catch((err: Error) => {
    throw new DemoError(err.message)
  })
  started.engine = engine
  const whose = (ours?: number) => (ours !== undefined ? 'started by the demo' : 'already running')
  ok(`Docker engine at ${engine.host} (${whose(engine.ours.dockerd)})`)
  ok(`registry at ${engine.registry} (${whose(engine.ours.registry)})`)

  phase(2, 'Checking the bundled action')
  if (!fs.existsSync(distEntry)) throw new DemoError(`${bundle} is missing: run \`npm run bundle\` first`)
  const stat = fs.statSync(distEntry)
  ok(
    `${bundle} (${(stat.size / 1e6).toFixed(1)} MB, ${show.distBuilt(stat.mtime)}), run as the runner runs it`
  )

  phase(3, `Starting the local ECS/ECR (docker task backend, time scale ${TIME_SCALE})`)
  const world = await startWorld({
    tasks: 'docker',
    registry: engine.registry,
    timeScale: TIME_SCALE,
    cluster: CLUSTER,
    // The example app's task definition with a container port, which the blue/green load balancer names.
    workspace: { prefix: 'ecs-deploy-demo-', files: { 'task-definition.json': taskDefinitionWithPort(PORT) } }
  }).catch((err: Error) => {
    throw new DemoError(err.message)
  })
  started.world = world
  ok(
    `listening on ${world.sim.url} (pid ${world.sim.pid}); ECS delays run ${Math.round(1 / TIME_SCALE)}x faster`
  )
  info(dim(`tasks run as containers labelled ecs-sim=${world.instance}; images go to ${world.registry}`))

  phase(
    4,
    `Creating cluster ${CLUSTER}, ECR repository ${REPOSITORY}, services ${SERVICE} and ${SCALING_SERVICE}`
  )
  ok(`cluster ${CLUSTER}`)
  const repo = await world.ecr.send(new CreateRepositoryCommand({ repositoryName: REPOSITORY }))
  ok(`ECR repository ${REPOSITORY} (${repo.repository?.repositoryUri ?? '?'})`)
  ok(
    `workspace ${world.workspace}: examples/app (Dockerfile, app.sh, task-definition.json) + ${busyboxPath()}`
  )

  const base = { repository: REPOSITORY, 'task-definition': 'task-definition.json', 'container-name': 'web' }
  info(`registering the first revision with a register-only run of the action (no service input)…`)
  const first = await runTheAction(world, base, randomSha(), false)
  if (first.exitCode !== 0)
    throw new DemoError(
      `the register-only run exited with ${first.exitCode}: ${first.errors.map(e => e.title ?? e.message).join('; ')} (full log: ${show.saveLog(first, 'register')})`
    )
  const firstArn = first.outputs['task-definition-arn']
  ok(`${arnTail(firstArn)} registered in ${seconds(first.durationMs)}, image ${first.outputs.image}`)

  info(
    `creating service ${SERVICE}: 2 tasks, min 100% / max 200%, no circuit breaker (the action fails fast itself)…`
  )
  const creating = Date.now()
  await world
    .createService(SERVICE, firstArn, { desiredCount: 2, timeoutMs: 120_000, intervalMs: 250 })
    .catch(() => {
      throw new DemoError(`service ${SERVICE} was not steady within 2 minutes`)
    })
  ok(`service ${SERVICE} steady in ${seconds(Date.now() - creating)}: 2/2 tasks running ${arnTail(firstArn)}`)
  const creatingScaling = Date.now()
  await createScalingService(world, firstArn).catch(() => {
    throw new DemoError(`service ${SCALING_SERVICE} was not steady within 2 minutes`)
  })
  ok(
    `service ${SCALING_SERVICE} steady in ${seconds(Date.now() - creatingScaling)}: 1 idle task ${arnTail(firstArn)}, for the scaling act (deploy #5)`
  )

  // The action counts service events from up to 1s before its UpdateService as its own (clock skew
  // allowance); a deploy that follows the service's creation this closely would list the creation's.
  await new Promise(r => setTimeout(r, 1500))
  const deployInputs = { ...base, service: SERVICE, 'wait-for-minutes': '5' }

  const goodSha = randomSha()
  phase(5, `Deploy #1: a good commit (${goodSha.slice(0, 7)})`)
  info(show.usesLine({ ...deployInputs, cluster: CLUSTER, network: 'none' }))
  const good = await runTheAction(world, deployInputs, goodSha, true)
  const goodProblems = greenProblems(good)
  if (goodProblems.length) {
    say(`    ${red('✘ red')} in ${seconds(good.durationMs)} — expected green (${goodProblems.join(', ')})`)
    for (const e of good.errors) info(`${red('error')} ${bold(e.title ?? '')} ${e.message}`)
    info(`full log of the run: ${show.saveLog(good, 'deploy-1')}`)
    throw new DemoError(`deploy #1 should have been green: ${goodProblems.join(', ')}`)
  }
  say(`    ${green(bold('✔ green'))} in ${seconds(good.durationMs)} (exit code 0)`)
  info('outputs:')
  for (const [k, v] of Object.entries(good.outputs)) info(`  ${k.padEnd(20)} ${v}`)
  show.printSummary(good.summary)
  const goodArn = good.outputs['task-definition-arn']

  const badSha = randomSha()
  phase(6, `Deploy #2: a version that crashes on start (${badSha.slice(0, 7)}, build-args: APP_MODE=crash)`)
  const crashInputs = { ...deployInputs, 'build-args': 'APP_MODE=crash' }
  info(show.usesLine({ ...crashInputs, cluster: CLUSTER, network: 'none' }))
  const bad = await runTheAction(world, crashInputs, badSha, true)
  const badProblems = redProblems(bad, (await world.service(SERVICE)).taskDefinition, goodArn)
  if (badProblems.length) {
    say(`    ${yellow('?')} deploy #2 did not go as expected: ${badProblems.join('; ')}`)
    info(`full log of the run: ${show.saveLog(bad, 'deploy-2')}`)
    throw new DemoError(`deploy #2 should have been red and rolled back: ${badProblems.join('; ')}`)
  }
  say(`    ${red(bold('✘ red'))} in ${seconds(bad.durationMs)} (exit code ${bad.exitCode}) — as expected`)
  show.printAnnotations(bad)
  const rolledBack = /Rolled back to [^\n]*/.exec(bad.errors.map(e => e.message).join('\n'))?.[0]
  info(
    `rollback: ${yellow(rolledBack ?? 'see the log above')} — service ${SERVICE} is back on ${arnTail(goodArn)} (DescribeServices)`
  )
  show.printSummary(bad.summary)

  const act = await blueGreenAct({
    world,
    service: SERVICE,
    container: 'web',
    port: PORT,
    timeScale: TIME_SCALE,
    blue: goodArn,
    inputs: deployInputs,
    shown: { cluster: CLUSTER, network: 'none' },
    phase,
    firstPhase: 7,
    run: (inputs, sha) => runTheAction(world, inputs, sha, true),
    fail: message => {
      throw new DemoError(message)
    }
  })

  const scaled = await scalingAct({
    world,
    from: firstArn,
    inputs: deployInputs,
    shown: { cluster: CLUSTER, network: 'none' },
    phase,
    firstPhase: 10,
    run: (inputs, sha) => runTheAction(world, inputs, sha, true),
    fail: message => {
      throw new DemoError(message)
    }
  })

  return `deploy #1 green in ${seconds(good.durationMs)}, deploy #2 red in ${seconds(bad.durationMs)} and rolled back, blue/green deploy #3 green after the bake in ${seconds(act.green.durationMs)}, deploy #4 red on its alarm in ${seconds(act.red.durationMs)} with traffic back on blue, deploy #5 green in ${seconds(scaled.run.durationMs)} with ${SCALING_SERVICE} scaled out to ${scaled.seen.peakDesired} tasks (max ${SCALING.max}) on CPU; ${seconds(Date.now() - t0)} in all`
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
  if (started.upCalled) phase(PHASES, 'Tearing down')
  const problems = await teardown()
  for (const p of problems) info(`${yellow('!')} ${p}`)
  say()
  if (failure !== undefined) {
    const all = started.upCalled ? '; everything it started has been stopped' : ''
    say(red(`✘ Demo failed (see above)${all}.`))
    process.exit(1)
  }
  say(green(bold(`✔ Demo complete: ${result}.`)))
  say(dim("  Nothing the demo started is left running. Next: the README's Usage section."))
}

void main()

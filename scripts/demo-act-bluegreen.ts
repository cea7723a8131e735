/**
 * The blue/green act of `npm run demo`, after its rolling deploys: the service becomes BLUE_GREEN
 * (scripts/demo-bluegreen.ts), deploy #3 is a good commit, green only after the bake, with blue's and
 * green's containers both running in Docker meanwhile; deploy #4's alarm goes into ALARM during the bake
 * (`PUT /_sim/alarms`) and the run is red, naming the alarm, with production traffic back on blue and
 * the service still on deploy #3's revision. Each outcome is checked (scripts/demo-expect.ts).
 */
import { arnTail } from '../src/arn.js'
import { setAlarms } from '../packages/ecs-sim/testing.js'
import type { World } from '../testkit/world.js'
import { randomSha } from '../testkit/workspace.js'
import {
  ALARM,
  BAKE_MINUTES,
  SMOKE_TEST,
  SMOKE_TEST_SECONDS,
  convertToBlueGreen,
  followDeployment
} from './demo-bluegreen.js'
import { alarmProblems, blueGreenProblems } from './demo-expect.js'
import {
  bold,
  dim,
  green,
  info,
  ok,
  printAnnotations,
  printSummary,
  red,
  saveLog,
  say,
  seconds,
  serviceDeploymentLine,
  usesLine,
  yellow
} from './demo-print.js'
import type { ActionRun } from './run-action.js'

export interface ActContext {
  world: World
  service: string
  /** The container the load balancer sends traffic to, and its port. */
  container: string
  port: number
  timeScale: number
  /** The revision the service runs now: blue in deploy #3. */
  blue: string
  /** The inputs of a deploy, and the ones the world adds (shown in the `uses:` line). */
  inputs: Record<string, string>
  shown: Record<string, string>
  phase(n: number, title: string): void
  /** The number of the act's first phase (it has three). */
  firstPhase: number
  /** One run of the action, its log shown as it comes. */
  run(inputs: Record<string, string>, sha: string): Promise<ActionRun>
  /** Ends the demo with a failure (throws). */
  fail(message: string): never
}

/** Shows the act; answers its two runs (deploy #3 green, deploy #4 red) once both went as expected. */
export async function blueGreenAct(ctx: ActContext): Promise<{ green: ActionRun; red: ActionRun }> {
  const { world, service, phase } = ctx
  const first = ctx.firstPhase
  phase(first, `Converting service ${service} to blue/green (UpdateService, same revision)`)
  await world.waitSteady(service, { timeoutMs: 60_000, intervalMs: 250 })
  await convertToBlueGreen(world, service, ctx.container, ctx.port)
  const bake = seconds(BAKE_MINUTES * 60_000 * ctx.timeScale)
  ok(`deploymentConfiguration.strategy BLUE_GREEN, bakeTimeInMinutes ${BAKE_MINUTES} (${bake} here)`)
  ok(`a load balancer: target groups demo-web-blue and demo-web-green, production and test listener rules`)
  ok(`deploymentConfiguration.alarms: ${ALARM} (rollback: true), OK for now (PUT /_sim/alarms)`)
  ok(
    `a Lambda hook after the test traffic shift (${SMOKE_TEST}: smoke tests on the test listener, ${seconds(SMOKE_TEST_SECONDS * 1000 * ctx.timeScale)} here, PUT /_sim/hooks)`
  )
  info(dim(`no deployment started: ${service} stays on ${arnTail(ctx.blue)}, blue in the next deploy`))

  const bgSha = randomSha()
  phase(first + 1, `Deploy #3: a good commit, blue/green (${bgSha.slice(0, 7)})`)
  info(usesLine({ ...ctx.inputs, ...ctx.shown }))
  const follow3 = followDeployment(world, service, { since: Date.now(), blue: ctx.blue })
  const bg = await ctx.run(ctx.inputs, bgSha)
  const seen3 = await follow3.finish()
  const bgArn = bg.outputs['task-definition-arn']
  const bgProblems = blueGreenProblems(bg, seen3, (await world.service(service)).taskDefinition, ctx.blue)
  if (bgProblems.length) {
    say(`    ${yellow('?')} deploy #3 did not go as expected: ${bgProblems.join('; ')}`)
    info(`full log of the run: ${saveLog(bg, 'deploy-3')}`)
    ctx.fail(`deploy #3 should have been green after the bake: ${bgProblems.join('; ')}`)
  }
  const afterBake = seconds((seen3.endedAt ?? 0) - (seen3.bakeSeenAt ?? 0))
  say(
    `    ${green(bold('✔ green'))} in ${seconds(bg.durationMs)} (exit code 0), ${afterBake} after the bake began (bake ${bake}, then clean-up)`
  )
  info(`service deployment: ${serviceDeploymentLine(seen3.last)}`)
  printSummary(bg.summary, ['Stages', 'Timeline'])

  const alarmSha = randomSha()
  phase(first + 2, `Deploy #4: ${ALARM} goes into ALARM during the bake (${alarmSha.slice(0, 7)})`)
  info(usesLine({ ...ctx.inputs, ...ctx.shown }))
  const follow4 = followDeployment(world, service, {
    since: Date.now(),
    blue: bgArn,
    onBake: async () => {
      await setAlarms(world.sim.url, { [ALARM]: 'ALARM' })
      info(`${yellow('◆ demo')} PUT /_sim/alarms {"${ALARM}": "ALARM"}: the alarm fires during the bake`)
    }
  })
  const alarmStart = Date.now()
  const hit = await ctx.run(ctx.inputs, alarmSha)
  const seen4 = await follow4.finish()
  const calls = (await world.callsSince(alarmStart)).map(c => c.operation)
  const alarmed = alarmProblems(hit, seen4, (await world.service(service)).taskDefinition, bgArn, ALARM)
  if (alarmed.length) {
    say(`    ${yellow('?')} deploy #4 did not go as expected: ${alarmed.join('; ')}`)
    info(`full log of the run: ${saveLog(hit, 'deploy-4')}`)
    ctx.fail(`deploy #4 should have been red, traffic back on blue: ${alarmed.join('; ')}`)
  }
  say(`    ${red(bold('✘ red'))} in ${seconds(hit.durationMs)} (exit code ${hit.exitCode}) — as expected`)
  printAnnotations(hit)
  // With alarms.rollback ECS rolls back itself; the action stops the deployment only when ECS does not.
  const stopped = calls.includes('StopServiceDeployment')
    ? 'rolled back by the action (StopServiceDeployment, stopType ROLLBACK)'
    : 'rolled back by ECS itself (alarms.rollback: true; the action needed no StopServiceDeployment)'
  info(`service deployment: ${serviceDeploymentLine(seen4.last)} — ${stopped}`)
  info(`service ${service} is still on ${arnTail(bgArn)} (DescribeServices)`)
  printSummary(hit.summary, ['Stages', 'Timeline'])

  return { green: bg, red: hit }
}

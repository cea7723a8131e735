/**
 * Issue 12, the action against the local ECS's native strategies (scripted backend): dist/index.js
 * deploys a BLUE_GREEN service and is green only after the bake; an alarm in the bake is red, naming the
 * alarm, with production traffic back on blue; a PAUSE hook with on-pause return, then a resume step;
 * LINEAR with its weights printed in order. Needs the local ECS's strategies (packages/ecs-sim, issue 12).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { startWorld, type World } from '../../testkit/world.js'
import { nativeWorld, setAlarms, weights } from './native-world.js'

let world: World
const ALARM = 'native-5xx'
const { newest, until, strategyService, deploy } = nativeWorld(() => world)

beforeAll(async () => {
  world = await startWorld({ tasks: 'scripted', timeScale: 0.05 })
}, 60_000)

afterAll(async () => {
  await world?.stop()
}, 60_000)

describe('native strategies against the local ECS', () => {
  test('BLUE_GREEN: green only after the bake, the stages printed in order', async () => {
    const { name } = await strategyService({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 2 })
    const run = await deploy(name)
    expect(run.exitCode).toBe(0)
    const bake = run.output.indexOf('stage BAKE_TIME')
    expect(bake).toBeGreaterThan(-1)
    expect(run.output.indexOf('succeeded')).toBeGreaterThan(bake)
    const service = await world.service(name)
    expect(service.taskDefinition).toBe(run.outputs['task-definition-arn'])
    const last = await newest(name)
    expect(last?.status).toBe('SUCCESSFUL')
    expect(last?.targetServiceRevision?.requestedProductionTrafficWeight).toBe(100)
  }, 120_000)

  test('an alarm in the bake: red naming the alarm, traffic back on blue', async () => {
    const { name, baseArn } = await strategyService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 10,
      alarms: { alarmNames: [ALARM], enable: true, rollback: true }
    })
    await setAlarms(world.sim.url, { [ALARM]: 'OK' })
    const running = deploy(name)
    await until(name, d => d.lifecycleStage === 'BAKE_TIME' && d.status === 'IN_PROGRESS')
    await setAlarms(world.sim.url, { [ALARM]: 'ALARM' })
    const run = await running
    expect(run.exitCode).toBe(1)
    // The cause travels in the run's one "Deployment failed" error, first.
    expect(run.output).toMatch(
      /::error title=Deployment failed::Rolled back: alarm "native-5xx" went into ALARM/
    )
    // ... once: the verdict after it does not restate it.
    const error = /^::error title=Deployment failed::(.*)$/m.exec(run.output)?.[1] ?? ''
    expect(error.split('went into ALARM')).toHaveLength(2)
    expect(run.output).not.toMatch(/::error.*completed/)
    expect((await world.service(name)).taskDefinition).toBe(baseArn)
    const last = await newest(name)
    expect(last?.status).toBe('ROLLBACK_SUCCESSFUL')
    expect(weights(last)).toEqual({ green: 0, blue: 100 })
  }, 120_000)

  test('a PAUSE hook: on-pause return ends green with the outputs; a resume step continues it to SUCCESSFUL', async () => {
    const { name } = await strategyService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
    })
    const paused = await deploy(name, { 'on-pause': 'return' })
    expect(paused.exitCode).toBe(0)
    expect(paused.output).toMatch(/::notice title=Deployment paused::/)
    const arn = paused.outputs['service-deployment-arn']
    expect(arn).toMatch(/:service-deployment\//)
    expect(paused.outputs['hook-id']).toBeTruthy()
    const resumed = await world.run({ service: name, resume: arn })
    expect(resumed.exitCode).toBe(0)
    expect(resumed.output).toMatch(/succeeded/)
    const last = await newest(name)
    expect(last?.status).toBe('SUCCESSFUL')
    expect(weights(last).green).toBe(100)
    expect((await world.service(name)).taskDefinition).toBe(paused.outputs['task-definition-arn'])
  }, 120_000)

  test('LINEAR: green, the production weights printed in order', async () => {
    const { name } = await strategyService({
      strategy: 'LINEAR',
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 }
    })
    const run = await deploy(name)
    expect(run.exitCode).toBe(0)
    const at = [25, 50, 75].map(w => run.output.indexOf(`production ${w}% new`))
    expect(at.every((p, i) => p > -1 && (i === 0 || p > at[i - 1]))).toBe(true)
    expect((await world.service(name)).taskDefinition).toBe(run.outputs['task-definition-arn'])
    const last = await newest(name)
    expect(last?.status).toBe('SUCCESSFUL')
    expect(weights(last).green).toBe(100)
  }, 120_000)
})

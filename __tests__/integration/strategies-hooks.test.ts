/**
 * Issue 12, the rest of the native strategies against the local ECS (scripted backend, dist/index.js):
 * a failed Lambda hook, a PAUSE hook continued by the action and one that times out into a rollback,
 * CANARY's weights in order, a rolling service's COUNT threshold of 5, and a run cancelled in the bake.
 * Each row checks the exit code, the annotation, the service's final revision and the weights of its
 * last service deployment. Beside strategies.test.ts, with the helpers of native-world.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals'
import type { ChildProcess } from 'node:child_process'
import { CreateServiceCommand } from '@aws-sdk/client-ecs'
import { setHookRules, setRules } from '../../packages/ecs-sim/testing.js'
import { startWorld, type World } from '../../testkit/world.js'
import { inOrder, nativeWorld, weights } from './native-world.js'

let world: World
const { newest, until, strategyService, deploy, image } = nativeWorld(() => world)

const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:s12t-smoke-test'
const HOOK_ROLE = 'arn:aws:iam::123456789012:role/s12t-ecs-hooks'

/** The "Deployment failed" error annotation of a run's output (its first line, percent-encoded as the runner reads it). */
function failure(output: string): string {
  return /^::error title=Deployment failed::(.*)$/m.exec(output)?.[1] ?? ''
}

beforeAll(async () => {
  world = await startWorld({ tasks: 'scripted', timeScale: 0.05 })
  await setRules(world.sim.url, [
    { image: '/crash/', outcome: 'crash', exitCode: 3, afterMs: 300, logs: ['app: FATAL: no config'] },
    { image: '/good/', outcome: 'healthy' }
  ])
}, 60_000)

afterEach(async () => {
  await setHookRules(world.sim.url, [])
})

afterAll(async () => {
  await world?.stop()
}, 60_000)

describe('lifecycle hooks, CANARY, the breaker threshold and cancelling, against the local ECS', () => {
  test('a failed Lambda hook: red naming the hook, ECS rolled back, traffic on blue', async () => {
    const { name, baseArn } = await strategyService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [
        {
          targetType: 'AWS_LAMBDA',
          hookTargetArn: FUNCTION,
          roleArn: HOOK_ROLE,
          lifecycleStages: ['POST_SCALE_UP']
        }
      ]
    })
    // The first deployment's hook succeeded (no rule); ours is told to fail.
    await setHookRules(world.sim.url, [{ hookTargetArn: FUNCTION, stage: 'POST_SCALE_UP', status: 'FAILED' }])
    const run = await deploy(name)
    expect(run.exitCode).toBe(1)
    const error = failure(run.output)
    expect(error).toMatch(
      /^Rolled back: Lambda hook s12t-smoke-test failed: stage POST_SCALE_UP, hook ecs-hook-\S+ \(target arn:aws:lambda:eu-west-1:123456789012:function:s12t-smoke-test\)\.%0AECS rolled back service deployment \d+\. /
    )
    // The cause, once.
    expect(error.split('failed')).toHaveLength(2)
    expect(run.output).not.toMatch(/::error.*completed/)
    expect((await world.service(name)).taskDefinition).toBe(baseArn)
    const last = await until(name, d => d.status === 'ROLLBACK_SUCCESSFUL')
    expect(last.lifecycleHookDetails?.map(h => [h.targetArn, h.status])).toEqual([[FUNCTION, 'FAILED']])
    expect(weights(last)).toEqual({ green: 0, blue: 100 })
  }, 120_000)

  test('a PAUSE hook with on-pause continue: the action continues it and is green after the bake', async () => {
    const { name } = await strategyService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 2,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
    })
    const run = await deploy(name, { 'on-pause': 'continue' })
    expect(run.exitCode).toBe(0)
    expect(run.output).toMatch(
      /is paused at hook ecs-pause-\S+ in stage POST_TEST_TRAFFIC_SHIFT\. Continuing it/
    )
    expect(run.output).not.toMatch(/^::(error|warning)/m)
    expect(inOrder(run.output, ['Continuing it (on-pause: continue)', 'stage BAKE_TIME', 'succeeded'])).toBe(
      true
    )
    expect((await world.service(name)).taskDefinition).toBe(run.outputs['task-definition-arn'])
    const last = await newest(name)
    expect(last?.status).toBe('SUCCESSFUL')
    expect(last?.lifecycleHookDetails?.map(h => h.status)).toEqual(['SUCCEEDED'])
    expect(weights(last).green).toBe(100)
  }, 120_000)

  test('a PAUSE hook with on-pause wait until its ROLLBACK timeout: red naming the hook, traffic on blue', async () => {
    const { name, baseArn } = await strategyService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [
        {
          targetType: 'PAUSE',
          lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
          // 1 minute: 3 s at the world's time scale of 0.05.
          timeoutConfiguration: { timeoutInMinutes: 1, action: 'ROLLBACK' }
        }
      ]
    })
    const run = await deploy(name, { 'on-pause': 'wait' })
    expect(run.exitCode).toBe(1)
    expect(run.output).toMatch(/::notice title=Deployment paused::.*Waiting until it is continued elsewhere/)
    const hookId = /paused at hook (ecs-pause-[\w-]+)/.exec(run.output)?.[1]
    expect(hookId).toBeTruthy()
    const error = failure(run.output)
    expect(error).toMatch(
      /^Rolled back: pause hook ecs-pause-[\w-]+ timed out: stage POST_TEST_TRAFFIC_SHIFT, timeout action ROLLBACK\.%0AECS rolled back service deployment \d+\. /
    )
    expect(error).toContain(`pause hook ${hookId} timed out`)
    expect(error.split('timed out')).toHaveLength(2)
    expect(error.split(hookId ?? '?')).toHaveLength(2)
    expect((await world.service(name)).taskDefinition).toBe(baseArn)
    const last = await until(name, d => d.status === 'ROLLBACK_SUCCESSFUL')
    expect(last.lifecycleHookDetails?.map(h => [h.hookId, h.status])).toEqual([[hookId, 'TIMED_OUT']])
    expect(weights(last)).toEqual({ green: 0, blue: 100 })
  }, 120_000)

  test('CANARY: green, the production weights printed in order (canaryPercent, then 100)', async () => {
    const { name } = await strategyService({
      strategy: 'CANARY',
      canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 2 }
    })
    const run = await deploy(name)
    expect(run.exitCode).toBe(0)
    expect(run.output).not.toMatch(/^::(error|warning)/m)
    expect(
      inOrder(run.output, ['production 20% new / 80% old', 'production 100% new / 0% old', 'succeeded'])
    ).toBe(true)
    expect((await world.service(name)).taskDefinition).toBe(run.outputs['task-definition-arn'])
    const last = await newest(name)
    expect(last?.status).toBe('SUCCESSFUL')
    expect(weights(last).green).toBe(100)
  }, 120_000)

  test("a rolling service's COUNT threshold of 5: the action stops at 5 failed tasks, not 3, red", async () => {
    const first = await world.run({ image: image(), 'task-definition': 'task-definition.json' })
    expect(first.exitCode).toBe(0)
    const baseArn = first.outputs['task-definition-arn']
    const name = 'rolling-count-5'
    await world.ecs.send(
      new CreateServiceCommand({
        cluster: world.cluster,
        serviceName: name,
        taskDefinition: baseArn,
        // One task at a time, crashing at once: a task that lived longer would count as running and the
        // rolling update would complete before it crashed.
        desiredCount: 1,
        launchType: 'FARGATE',
        // ECS's own breaker is off, so the stop is the action's, at the threshold the service names.
        deploymentConfiguration: {
          deploymentCircuitBreaker: {
            enable: false,
            rollback: false,
            thresholdConfiguration: { type: 'COUNT', value: 5 }
          }
        }
      })
    )
    await world.waitSteady(name)
    const run = await deploy(name, {}, { kind: 'crash' })
    expect(run.exitCode).toBe(1)
    // The limit is the service's threshold, 5, not the old default of 3, and the watch went past 3.
    const stopped = /stopped after (\d+) failed tasks \(limit (\d+)/.exec(failure(run.output))
    expect(stopped?.[2]).toBe('5')
    expect(Number(stopped?.[1])).toBeGreaterThanOrEqual(5)
    // The stopped tasks it saw: every one of them, not the 3 of the old default.
    const seen = /exited with code 3 \((\d+) tasks/.exec(run.output)
    expect(Number(seen?.[1])).toBeGreaterThanOrEqual(5)
    const service = await world.service(name)
    expect(service.taskDefinition).toBe(baseArn)
    expect(service.deployments?.find(d => d.status === 'PRIMARY')?.taskDefinition).toBe(baseArn)
    // The last service deployment is the action's rollback (UpdateService, rolling), done.
    const last = await newest(name)
    expect(last?.status).toBe('SUCCESSFUL')
  }, 120_000)

  test('cancelled in the bake: StopServiceDeployment ROLLBACK, ROLLBACK_SUCCESSFUL, traffic 100 on blue', async () => {
    const { name, baseArn } = await strategyService({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 10 })
    let child: ChildProcess | undefined
    let signalled = false
    const since = Date.now()
    const run = await deploy(
      name,
      {},
      {
        onStart: c => {
          child = c
        },
        onOutput: chunk => {
          if (!signalled && chunk.includes('stage BAKE_TIME')) {
            signalled = true
            setTimeout(() => child?.kill('SIGTERM'), 300)
          }
        }
      }
    )
    expect(signalled).toBe(true)
    expect(run.exitCode).toBe(1)
    expect(run.output).toContain('Received SIGTERM')
    expect(run.output).toMatch(/StopServiceDeployment, stopType ROLLBACK/)
    expect(failure(run.output)).toMatch(
      /^Cancelled while waiting for the deployment: The run was cancelled while \d+ was in progress\.%0ARollback of service deployment \d+ started \(StopServiceDeployment ROLLBACK\)/
    )
    const last = await until(name, d => d.status === 'ROLLBACK_SUCCESSFUL', 60_000)
    expect(last.lifecycleStage).toBe('BAKE_TIME')
    expect(weights(last)).toEqual({ green: 0, blue: 100 })
    expect((await world.service(name)).taskDefinition).toBe(baseArn)
    // One stop, ours; ROLLBACK_SUCCESSFUL (not STOPPED) says it was a ROLLBACK, not an ABORT.
    const stops = (await world.callsSince(since)).filter(c => c.operation === 'StopServiceDeployment')
    expect(stops).toHaveLength(1)
  }, 120_000)
})

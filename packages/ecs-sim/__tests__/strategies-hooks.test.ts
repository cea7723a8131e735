/**
 * Lifecycle hooks through the real SDK against the scripted backend: Lambda hooks answered by the rules
 * of PUT /_sim/hooks (failed, in progress then succeeded, never answering), PAUSE hooks continued, rolled
 * back, and timed out with each timeout action.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  ContinueServiceDeploymentCommand,
  DeploymentLifecycleHook,
  ECSClient,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import { reset, RunningSim, setHookRules, startSim } from '../testing.js'
import { clients, errorOf, service } from './helpers.js'
import { deployV2, finished, inOrder, LAMBDA, ROLE, strategyService } from './strategy-helpers.js'

const SCALE = 0.001
let sim: RunningSim
let ecs: ECSClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: SCALE })
  ecs = clients(sim.url).ecs
})
afterAll(async () => {
  await sim?.stop()
})
beforeEach(async () => {
  await reset(sim.url)
})

function withHook(hook: DeploymentLifecycleHook) {
  return { strategy: 'BLUE_GREEN' as const, bakeTimeInMinutes: 1, lifecycleHooks: [hook] }
}

const lambdaHook: DeploymentLifecycleHook = {
  targetType: 'AWS_LAMBDA',
  hookTargetArn: LAMBDA,
  roleArn: ROLE,
  lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
  timeoutConfiguration: { timeoutInMinutes: 5, action: 'ROLLBACK' }
}

describe('AWS_LAMBDA hooks', () => {
  it('a hook answering FAILED rolls the deployment back', async () => {
    await strategyService(ecs, 'hook-failed', withHook(lambdaHook))
    await setHookRules(sim.url, [
      { hookTargetArn: LAMBDA, stage: 'POST_TEST_TRAFFIC_SHIFT', status: 'FAILED' }
    ])
    const seen = await deployV2(ecs, 'hook-failed')
    const last = seen[seen.length - 1]
    expect(last.status).toBe('ROLLBACK_SUCCESSFUL')
    expect(last.statusReason).toMatch(new RegExp(`\\(${LAMBDA}\\) failed at POST_TEST_TRAFFIC_SHIFT`))
    expect(last.lifecycleHookDetails).toEqual([
      expect.objectContaining({
        targetType: 'AWS_LAMBDA',
        targetArn: LAMBDA,
        status: 'FAILED',
        timeoutAction: 'ROLLBACK'
      })
    ])
    expect(seen.some(sd => sd.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT')).toBe(false)
    expect((await service(ecs, 'hook-failed', 'web')).taskDefinition).toMatch(/web:1$/)
  })

  it('IN_PROGRESS, then SUCCEEDED: the stage waits for it, then the deployment goes on', async () => {
    await strategyService(ecs, 'hook-later', withHook(lambdaHook))
    await setHookRules(sim.url, [{ status: 'IN_PROGRESS', afterSeconds: 300, then: 'SUCCEEDED' }])
    const seen = await deployV2(ecs, 'hook-later')
    const statuses = inOrder(seen.flatMap(sd => sd.lifecycleHookDetails ?? []).map(h => h.status!))
    expect(statuses).toEqual(['IN_PROGRESS', 'SUCCEEDED'])
    const last = seen[seen.length - 1]
    expect(last.status).toBe('SUCCESSFUL')
    // The hook held its stage for its 300 s, then the 1-minute bake followed.
    expect(last.finishedAt!.getTime() - last.createdAt!.getTime()).toBeGreaterThanOrEqual(
      (300 + 60) * 1000 * SCALE
    )
  })

  it('a hook that never answers times out (TIMED_OUT) and takes its timeout action, ROLLBACK', async () => {
    await strategyService(ecs, 'hook-never', withHook(lambdaHook))
    await setHookRules(sim.url, [{ hookTargetArn: LAMBDA, status: 'IN_PROGRESS' }])
    const last = (await deployV2(ecs, 'hook-never')).pop()!
    expect(last.status).toBe('ROLLBACK_SUCCESSFUL')
    expect(last.lifecycleHookDetails).toEqual([
      expect.objectContaining({ targetArn: LAMBDA, status: 'TIMED_OUT', timeoutAction: 'ROLLBACK' })
    ])
    expect(last.finishedAt!.getTime() - last.createdAt!.getTime()).toBeGreaterThanOrEqual(5 * 60_000 * SCALE)
  })

  it('a first deployment whose hook fails has no blue to return to: ROLLBACK_FAILED', async () => {
    await setHookRules(sim.url, [{ hookTargetArn: LAMBDA, status: 'FAILED' }])
    await expect(strategyService(ecs, 'hook-first', withHook(lambdaHook))).rejects.toThrow(
      /first deployment ended ROLLBACK_FAILED: .*no earlier service revision/
    )
  })
})

describe('PAUSE hooks', () => {
  const pause = (timeout?: { timeoutInMinutes: number; action: 'CONTINUE' | 'ROLLBACK' }) =>
    withHook({
      targetType: 'PAUSE',
      lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
      timeoutConfiguration: timeout
    })

  it.each([
    ['CONTINUE', 'SUCCESSFUL', 'SUCCEEDED', /web:2$/],
    ['ROLLBACK', 'ROLLBACK_SUCCESSFUL', 'FAILED', /web:1$/]
  ] as const)(
    'waits in AWAITING_ACTION until ContinueServiceDeployment %s, then ends %s',
    async (action, status, hookStatus, td) => {
      const cluster = `pause-${action.toLowerCase()}`
      // The first deployment's pause times out at once (CONTINUE); web:2's waits the default 1440 minutes.
      await strategyService(ecs, cluster, pause({ timeoutInMinutes: 1, action: 'CONTINUE' }))
      await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', deploymentConfiguration: pause() }))
      let waitedSince: number | undefined
      let continued = false
      const seen = await deployV2(ecs, cluster, finished, async sd => {
        const hook = sd.lifecycleHookDetails?.[0]
        if (hook?.status !== 'AWAITING_ACTION' || continued) return
        waitedSince ??= Date.now()
        // Still paused after a while (the default timeout, 1440 minutes, is 86 s here).
        if (Date.now() - waitedSince < 300) return
        expect(sd.lifecycleStage).toBe('POST_TEST_TRAFFIC_SHIFT')
        expect(sd.targetServiceRevision).toMatchObject({
          requestedTestTrafficWeight: 100,
          requestedProductionTrafficWeight: 0
        })
        expect(hook.expiresAt!.getTime()).toBeGreaterThan(Date.now())
        continued = true
        await ecs.send(
          new ContinueServiceDeploymentCommand({
            serviceDeploymentArn: sd.serviceDeploymentArn,
            hookId: hook.hookId,
            action
          })
        )
      })
      const last = seen[seen.length - 1]
      expect(continued).toBe(true)
      expect(last.status).toBe(status)
      expect(last.lifecycleHookDetails).toEqual([
        expect.objectContaining({ targetType: 'PAUSE', status: hookStatus })
      ])
      expect((await service(ecs, cluster, 'web')).taskDefinition).toMatch(td)
      // A hook that is no longer waiting cannot be continued.
      const err = await errorOf(
        ecs.send(
          new ContinueServiceDeploymentCommand({
            serviceDeploymentArn: last.serviceDeploymentArn,
            hookId: last.lifecycleHookDetails![0].hookId
          })
        )
      )
      expect(err.name).toBe('ClientException')
    },
    20000
  )

  it.each([
    ['CONTINUE', 'SUCCESSFUL', /web:2$/],
    ['ROLLBACK', 'ROLLBACK_SUCCESSFUL', /web:1$/]
  ] as const)('times out (TIMED_OUT) with action %s and ends %s', async (action, status, td) => {
    const cluster = `pause-timeout-${action.toLowerCase()}`
    // The first deployment's pause times out too: CONTINUE for it, so it succeeds.
    await strategyService(ecs, cluster, pause({ timeoutInMinutes: 2, action: 'CONTINUE' }))
    if (action === 'ROLLBACK')
      await ecs.send(
        new UpdateServiceCommand({
          cluster,
          service: 'web',
          deploymentConfiguration: pause({ timeoutInMinutes: 2, action: 'ROLLBACK' })
        })
      )
    const seen = await deployV2(ecs, cluster)
    const last = seen[seen.length - 1]
    expect(last.status).toBe(status)
    const hook = last.lifecycleHookDetails![0]
    expect(hook).toMatchObject({ status: 'TIMED_OUT', timeoutAction: action })
    const waitedMs = 2 * 60_000 * SCALE
    expect(last.finishedAt!.getTime() - last.createdAt!.getTime()).toBeGreaterThanOrEqual(waitedMs)
    expect((await service(ecs, cluster, 'web')).taskDefinition).toMatch(td)
  })
})

describe('ContinueServiceDeployment refusals', () => {
  it('refuses an unknown service deployment and an unknown hook', async () => {
    await strategyService(ecs, 'refuse', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 })
    const missing = await errorOf(
      ecs.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/refuse/web/nope',
          hookId: 'h'
        })
      )
    )
    expect(missing.name).toBe('ServiceDeploymentNotFoundException')
    const last = (await deployV2(ecs, 'refuse')).pop()!
    const hook = await errorOf(
      ecs.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: last.serviceDeploymentArn,
          hookId: 'nope'
        })
      )
    )
    expect(hook.name).toBe('InvalidParameterException')
    expect(hook.message).toMatch(/lifecycle hook nope was not found/)
  })
})

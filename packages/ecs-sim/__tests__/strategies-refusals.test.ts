/**
 * What CreateService, UpdateService and StopServiceDeployment refuse about deployment strategies, and
 * the control API's alarms and hook rules, through the real SDK against the scripted backend.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeploymentConfiguration,
  ECSClient,
  LoadBalancer,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import { getAlarms, reset, RunningSim, setAlarms, setHookRules, startSim } from '../testing.js'
import { clients, errorOf, messages, service } from './helpers.js'
import { deployV2, LAMBDA, newestDeployment, ROLE, strategyService } from './strategy-helpers.js'

let sim: RunningSim
let ecs: ECSClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.001 })
  ecs = clients(sim.url).ecs
})
afterAll(async () => {
  await sim?.stop()
})
beforeEach(async () => {
  await reset(sim.url)
})

const lambda = { targetType: 'AWS_LAMBDA' as const, hookTargetArn: LAMBDA, roleArn: ROLE }
const TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1'

describe('CreateService refuses, as ECS does', () => {
  // Every row has its four values: with fewer, jest would pass the test its `done` callback.
  const rows: [string, DeploymentConfiguration, RegExp, LoadBalancer[]?][] = [
    ['an unknown strategy', { strategy: 'RED_BLACK' as never }, /Invalid deployment strategy 'RED_BLACK'/],
    [
      'a PAUSE hook on TEST_TRAFFIC_SHIFT',
      {
        strategy: 'BLUE_GREEN',
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['TEST_TRAFFIC_SHIFT'] }]
      },
      /PAUSE lifecycle hooks are not supported for the TEST_TRAFFIC_SHIFT/
    ],
    [
      'a PAUSE hook on PRODUCTION_TRAFFIC_SHIFT',
      {
        strategy: 'CANARY',
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }]
      },
      /PAUSE lifecycle hooks are not supported for the PRODUCTION_TRAFFIC_SHIFT/
    ],
    [
      'an unknown lifecycle stage',
      { strategy: 'BLUE_GREEN', lifecycleHooks: [{ ...lambda, lifecycleStages: ['BAKE_TIME' as never] }] },
      /Invalid lifecycle stage 'BAKE_TIME'/
    ],
    [
      'a Lambda hook without its function',
      {
        strategy: 'BLUE_GREEN',
        lifecycleHooks: [{ targetType: 'AWS_LAMBDA', roleArn: ROLE, lifecycleStages: ['PRE_SCALE_UP'] }]
      },
      /hookTargetArn is required/
    ],
    [
      'lifecycle hooks on a rolling update',
      { lifecycleHooks: [{ ...lambda, lifecycleStages: ['PRE_SCALE_UP'] }] },
      /only supported with the BLUE_GREEN, LINEAR and CANARY/
    ],
    [
      'stepPercent 2',
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 2 } },
      /stepPercent must be a multiple of 0.1 from 3 to 100/
    ],
    [
      'stepPercent 101',
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 101 } },
      /stepPercent must be/
    ],
    [
      'stepPercent 10.05',
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 10.05 } },
      /stepPercent must be/
    ],
    [
      'canaryPercent 0',
      { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 0 } },
      /canaryPercent must be/
    ],
    [
      'linearConfiguration with BLUE_GREEN',
      { strategy: 'BLUE_GREEN', linearConfiguration: { stepPercent: 10 } },
      /linearConfiguration is only supported with the LINEAR/
    ],
    [
      'canaryConfiguration with LINEAR',
      { strategy: 'LINEAR', canaryConfiguration: { canaryPercent: 10 } },
      /canaryConfiguration is only supported with the CANARY/
    ],
    [
      'a bake of 1441 minutes',
      { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1441 },
      /bakeTimeInMinutes must be an integer from 0 to 1440/
    ],
    [
      'a hook timeout of 0 minutes',
      {
        strategy: 'BLUE_GREEN',
        lifecycleHooks: [
          { ...lambda, lifecycleStages: ['PRE_SCALE_UP'], timeoutConfiguration: { timeoutInMinutes: 0 } }
        ]
      },
      /timeoutInMinutes must be an integer from 1 to 1440/
    ],
    [
      'an unknown threshold type',
      {
        deploymentCircuitBreaker: {
          enable: true,
          rollback: true,
          thresholdConfiguration: { type: 'MOST' as never, value: 3 }
        }
      },
      /Invalid threshold type 'MOST'/
    ],
    [
      'alarms without enable',
      { alarms: { alarmNames: ['a'], rollback: true } as never },
      /alarms requires enable and rollback/
    ],
    [
      'a blue/green load balancer without advancedConfiguration',
      { strategy: 'BLUE_GREEN' },
      /advancedConfiguration with alternateTargetGroupArn and roleArn is required/,
      [{ targetGroupArn: TG, containerName: 'app', containerPort: 80 }]
    ]
  ]
  it.each(rows.map(([name, config, message, lbs]) => [name, config, message, lbs ?? []] as const))(
    '%s',
    async (_name, deploymentConfiguration, message, loadBalancers) => {
      await ecs.send(new CreateClusterCommand({ clusterName: 'refuse' }))
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [{ name: 'app', image: 'app:v1', memory: 64 }]
        })
      )
      const err = await errorOf(
        ecs.send(
          new CreateServiceCommand({
            cluster: 'refuse',
            serviceName: 'web',
            taskDefinition: 'web:1',
            desiredCount: 1,
            deploymentConfiguration,
            loadBalancers
          })
        )
      )
      expect(err.name).toBe('InvalidParameterException')
      expect(err.message).toMatch(message)
    }
  )
})

describe('the strategy as state', () => {
  it('stores strategy, bake, hooks and alarms, rendered with their defaults, and keeps them across updates', async () => {
    const config: DeploymentConfiguration = {
      strategy: 'LINEAR',
      bakeTimeInMinutes: 0,
      linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 0 },
      lifecycleHooks: [{ ...lambda, lifecycleStages: ['PRE_SCALE_UP'] }],
      alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true }
    }
    await strategyService(ecs, 'state', config)
    await ecs.send(new UpdateServiceCommand({ cluster: 'state', service: 'web', desiredCount: 3 }))
    const s = await service(ecs, 'state', 'web')
    expect(s.deploymentConfiguration).toMatchObject(config)
    await ecs.send(
      new UpdateServiceCommand({
        cluster: 'state',
        service: 'web',
        deploymentConfiguration: { strategy: 'CANARY' }
      })
    )
    const canary = (await service(ecs, 'state', 'web')).deploymentConfiguration!
    expect(canary.strategy).toBe('CANARY')
    expect(canary.linearConfiguration).toBeUndefined()
  })
})

describe('StopServiceDeployment refuses', () => {
  it('an unknown service deployment, and one that already finished', async () => {
    const missing = await errorOf(
      ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/c/web/nope'
        })
      )
    )
    expect(missing.name).toBe('ServiceDeploymentNotFoundException')
    await strategyService(ecs, 'done', { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 })
    const sd = await newestDeployment(ecs, 'done')
    const err = await errorOf(
      ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: sd.serviceDeploymentArn,
          stopType: 'ROLLBACK'
        })
      )
    )
    expect(err.name).toBe('ConflictException')
    expect(err.message).toMatch(/SUCCESSFUL/)
  })

  it('rolls a rolling update back to the last completed deployment (ROLLBACK)', async () => {
    await strategyService(ecs, 'rolling-stop', {})
    let stopped = false
    const seen = await deployV2(
      ecs,
      'rolling-stop',
      sd => sd.status === 'ROLLBACK_SUCCESSFUL',
      async sd => {
        if (stopped) return
        stopped = true
        await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: sd.serviceDeploymentArn }))
      }
    )
    const last = seen[seen.length - 1]
    expect(last.statusReason).toBe('Service deployment rolled back by StopServiceDeployment.')
    expect(last.rollback!.serviceRevisionArn).toMatch(/service-revision\/rolling-stop\/web\//)
    const events = messages(await service(ecs, 'rolling-stop', 'web'))
    expect(
      events.some(e =>
        /\(deployment ecs-svc\/\d+\) deployment failed: stopped by StopServiceDeployment\.$/.test(e)
      )
    ).toBe(true)
    expect((await service(ecs, 'rolling-stop', 'web')).taskDefinition).toMatch(/web:1$/)
  })
})

describe('control API', () => {
  it('PUT /_sim/alarms sets states, GET reads them; a bad state is refused', async () => {
    expect(await setAlarms(sim.url, { 'web-5xx': 'ALARM', 'web-latency': 'OK' })).toEqual({
      'web-5xx': 'ALARM',
      'web-latency': 'OK'
    })
    await setAlarms(sim.url, { 'web-5xx': 'OK' })
    expect(await getAlarms(sim.url)).toEqual({ 'web-5xx': 'OK', 'web-latency': 'OK' })
    await expect(setAlarms(sim.url, { x: 'RED' as never })).rejects.toThrow(
      /400 alarm x: state must be one of OK, ALARM, INSUFFICIENT_DATA/
    )
  })

  it('PUT /_sim/hooks sets the Lambda answers; a bad rule is refused', async () => {
    const rules = [
      { hookTargetArn: LAMBDA, status: 'IN_PROGRESS' as const, afterSeconds: 30, then: 'FAILED' as const }
    ]
    expect(await setHookRules(sim.url, rules)).toEqual(rules)
    await expect(setHookRules(sim.url, [{ status: 'MAYBE' as never }])).rejects.toThrow(
      /400 rule 0: status must be/
    )
    await expect(setHookRules(sim.url, [{ status: 'FAILED', then: 'SUCCEEDED' }])).rejects.toThrow(
      /then goes with status IN_PROGRESS/
    )
  })
})

/**
 * Target tracking end to end against a started sim (scripted backend), through the real SDK clients only:
 * a load model puts the service's CPU with CloudWatch's PutMetricData every 50 ms as total load / running
 * tasks (capped at 100%), so scaling out really lowers the metric, as it does in ECS. PutMetricData refuses
 * the reserved AWS/ namespaces, so the policy tracks the same metric in our own namespace through a
 * CustomizedMetricSpecification; the predefined ECSServiceAverageCPUUtilization reads the same store under
 * AWS/ECS (autoscaling-api.test.ts checks which metric each predefined type names).
 * Checks: high CPU scales out to ≥ 2 tasks, proportionally and no sooner than the scale-out cooldown allows
 * (scaled by the time scale); low CPU scales in, no sooner than its 15 low periods; DescribeScalingActivities
 * tells it as AWS words it; ECS's service events show the tasks started. A second row tracks the predefined
 * ECSServiceAverageCPUUtilization, the AWS/ECS metric the sim measures from its tasks (scripted `cpu` rule).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  ScalingActivity
} from '@aws-sdk/client-application-auto-scaling'
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import { PERIOD_MS } from '../autoscaling/loop.js'
import { RunningSim, setRules, startSim } from '../testing.js'
import { clients, service, waitFor } from './helpers.js'

const SCALE = 0.005
const PERIOD = PERIOD_MS * SCALE
const COOLDOWN_S = 300
const NS = 'AasLoop/ECS'
const dims = [
  { Name: 'ClusterName', Value: 'aas-loop' },
  { Name: 'ServiceName', Value: 'web' }
]

let sim: RunningSim
let ecs: ECSClient
let cw: CloudWatchClient
let aas: ApplicationAutoScalingClient
let load = 0
let writing = true
let writer: Promise<void>

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: SCALE })
  ;({ ecs, cloudwatch: cw } = clients(sim.url))
  aas = new ApplicationAutoScalingClient({
    endpoint: sim.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' }
  })
})

afterAll(async () => {
  writing = false
  await writer
  await sim?.stop()
})

/** The load model: each 50 ms, CPU = load / running tasks (at most 100%), put as the service's metric. */
async function writeLoad(): Promise<void> {
  while (writing) {
    const n = (await service(ecs, 'aas-loop', 'web')).runningCount ?? 0
    if (n > 0)
      await cw.send(
        new PutMetricDataCommand({
          Namespace: NS,
          MetricData: [
            {
              MetricName: 'CPUUtilization',
              Dimensions: dims,
              Value: Math.min(100, load / n),
              Unit: 'Percent'
            }
          ]
        })
      )
    await new Promise(r => setTimeout(r, 50))
  }
}

async function activities(): Promise<ScalingActivity[]> {
  const out = await aas.send(
    new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/aas-loop/web' })
  )
  return out.ScalingActivities!
}

describe('target tracking on CPU', () => {
  it('scales out under load, after the scaled cooldown again, then in when the load goes', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'aas-loop' }))
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'a', image: 'x:1', memory: 128 }]
      })
    )
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'aas-loop',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 1
      })
    )
    const target = {
      ServiceNamespace: 'ecs' as const,
      ResourceId: 'service/aas-loop/web',
      ScalableDimension: 'ecs:service:DesiredCount' as const
    }
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
    const { Alarms } = await aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'cpu50',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          CustomizedMetricSpecification: {
            Namespace: NS,
            MetricName: 'CPUUtilization',
            Dimensions: dims,
            Statistic: 'Average'
          },
          ScaleOutCooldown: COOLDOWN_S,
          ScaleInCooldown: COOLDOWN_S
        }
      })
    )
    await waitFor(
      '1 running',
      () => service(ecs, 'aas-loop', 'web'),
      s => s.runningCount === 1
    )
    writer = writeLoad()

    // 150 task-% of load: 100% on one task, 75% on two, 50% (the target: no more scaling) on three.
    load = 150
    const acts = await waitFor('two scale-outs', activities, a => a.length >= 2, 30000)
    const [second, first] = acts
    expect(first).toMatchObject({
      Description: 'Setting desired count to 2.',
      Cause: `monitor alarm ${Alarms![0].AlarmName} in state ALARM triggered policy cpu50`,
      StatusCode: 'Successful',
      StatusMessage: 'Successfully set desired count to 2. Change successfully fulfilled by ecs.'
    })
    expect(first.Cause).toMatch(/^monitor alarm TargetTracking-service\/aas-loop\/web-AlarmHigh-/)
    expect(second).toMatchObject({ Description: 'Setting desired count to 3.', StatusCode: 'Successful' })
    // During the scale-out cooldown the first scale-out's capacity counts: 2 × 75 / 50 waits for it to end.
    const gap = second.StartTime!.getTime() - first.StartTime!.getTime()
    expect(gap).toBeGreaterThanOrEqual(COOLDOWN_S * 1000 * SCALE - 50)
    const scaled = await waitFor(
      '3 running',
      () => service(ecs, 'aas-loop', 'web'),
      s => s.runningCount === 3 && s.desiredCount === 3
    )
    expect(scaled.events!.map(e => e.message)).toContainEqual(expect.stringMatching(/has started 1 tasks/))
    // At the target the service stays put.
    await new Promise(r => setTimeout(r, 4 * PERIOD))
    expect((await activities()).length).toBe(2)

    // Load gone: 15 periods below 90% of the target, then ceil(3 × 6.7 / 50) = 1.
    load = 20
    const lowSince = Date.now()
    const after = await waitFor('a scale-in', activities, a => a.length >= 3, 30000)
    expect(after[0]).toMatchObject({
      Description: 'Setting desired count to 1.',
      Cause: `monitor alarm ${Alarms![1].AlarmName} in state ALARM triggered policy cpu50`,
      StatusCode: 'Successful'
    })
    expect(after[0].StartTime!.getTime() - lowSince).toBeGreaterThanOrEqual(14 * PERIOD)
    await waitFor(
      '1 running',
      () => service(ecs, 'aas-loop', 'web'),
      s => s.runningCount === 1 && s.desiredCount === 1
    )
  }, 60000)
})

describe('target tracking on the AWS/ECS CPU the sim measures', () => {
  it('ECSServiceAverageCPUUtilization: busy tasks scale the service out to max, idle ones back to min', async () => {
    await setRules(sim.url, [{ image: 'hot:', outcome: 'healthy', cpu: 90 }])
    await ecs.send(new CreateClusterCommand({ clusterName: 'aas-hot' }))
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'hot',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'a', image: 'hot:1' }]
      })
    )
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'aas-hot',
        serviceName: 'api',
        taskDefinition: 'hot',
        desiredCount: 1
      })
    )
    const target = {
      ServiceNamespace: 'ecs' as const,
      ResourceId: 'service/aas-hot/api',
      ScalableDimension: 'ecs:service:DesiredCount' as const
    }
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 3 }))
    const { Alarms } = await aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'cpu50',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          ScaleOutCooldown: 60,
          ScaleInCooldown: 60
        }
      })
    )
    const list = async () =>
      (
        await aas.send(
          new DescribeScalingActivitiesCommand({ ServiceNamespace: 'ecs', ResourceId: target.ResourceId })
        )
      ).ScalingActivities!
    // Every task at 90%: ceil(1 × 90 / 50) = 2, then (cooldown over) ceil(2 × 90 / 50) = 4, clamped to 3.
    const out = await waitFor('scaled out to 3', list, a => a.length >= 2, 30000)
    expect(out.map(a => a.Description).reverse()).toEqual([
      'Setting desired count to 2.',
      'Setting desired count to 3.'
    ])
    await waitFor(
      '3 running',
      () => service(ecs, 'aas-hot', 'api'),
      s => s.runningCount === 3
    )
    // The policy's AlarmHigh, in the local CloudWatch, evaluated from the same metric: in ALARM.
    await waitFor(
      'AlarmHigh in ALARM',
      async () =>
        (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [Alarms![0].AlarmName!] }))).MetricAlarms![0],
      a => a.StateValue === 'ALARM'
    )
    // Idle: 15 periods at 5%, then ceil(3 × 5 / 50) = 1.
    await setRules(sim.url, [{ image: 'hot:', outcome: 'healthy', cpu: 5 }])
    const back = await waitFor('scaled in', list, a => a.length >= 3, 30000)
    expect(back[0]).toMatchObject({ Description: 'Setting desired count to 1.', StatusCode: 'Successful' })
    expect(back[0].Cause).toMatch(
      /^monitor alarm TargetTracking-service\/aas-hot\/api-AlarmLow-.* in state ALARM triggered policy cpu50$/
    )
    await waitFor(
      '1 running',
      () => service(ecs, 'aas-hot', 'api'),
      s => s.runningCount === 1
    )
  }, 60000)
})

/**
 * Target tracking at work, in process: the local ECS's server with the scripted backend, the real SDK clients,
 * and a metrics reader that stands in for CloudWatch (the metric store is another part of the sim). A load model
 * writes the service's average CPU each 50 ms as total load / running tasks (capped at 100%), so scaling out
 * really lowers the metric, as it does in ECS. Checks: high CPU scales out to ≥ 2 tasks, proportionally and no
 * sooner than the scale-out cooldown allows (scaled by the time scale); low CPU scales in, no sooner than the 15
 * low periods; DescribeScalingActivities tells it as AWS words it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  ScalingActivity
} from '@aws-sdk/client-application-auto-scaling'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import { Clock } from '../clock.js'
import { SimContext } from '../context.js'
import { Ecr } from '../ecr/index.js'
import { Scheduler } from '../ecs/scheduler.js'
import { createSimServer } from '../server.js'
import { ScriptedBackend } from '../tasks/scripted.js'
import type { MetricKey, MetricsReader, MetricStatistic } from '../cloudwatch/reader.js'
import { PERIOD_MS } from '../autoscaling/loop.js'
import { clients, service, waitFor } from './helpers.js'

const SCALE = 0.005
const PERIOD = PERIOD_MS * SCALE
const COOLDOWN_S = 300

/** Datapoints of one metric (the service's CPUUtilization), answered as CloudWatch would: Average over a window. */
class FakeCpu implements MetricsReader {
  readonly points: { t: number; v: number }[] = []
  constructor(
    private readonly cluster: string,
    private readonly svc: string
  ) {}
  statistic(key: MetricKey, stat: MetricStatistic, from: number, to: number): number | undefined {
    const dims = Object.fromEntries(key.dimensions.map(d => [d.Name, d.Value]))
    if (key.namespace !== 'AWS/ECS' || key.metricName !== 'CPUUtilization' || stat !== 'Average')
      return undefined
    if (dims.ClusterName !== this.cluster || dims.ServiceName !== this.svc || key.dimensions.length !== 2)
      return undefined
    const vs = this.points.filter(p => p.t >= from && p.t < to).map(p => p.v)
    return vs.length ? vs.reduce((a, b) => a + b, 0) / vs.length : undefined
  }
}

let server: Server
let ctx: SimContext
let scheduler: Scheduler
let ecs: ECSClient
let aas: ApplicationAutoScalingClient
let load = 0
let writer: NodeJS.Timeout
const cpu = new FakeCpu('aas-loop', 'web')

function running(): number {
  let n = 0
  for (const t of ctx.region('eu-west-1').tasks.values())
    if (t.serviceName === 'web' && t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING') n++
  return n
}

beforeAll(async () => {
  const clock = new Clock(SCALE)
  const scripted = new ScriptedBackend(clock)
  ctx = new SimContext({ clock, backend: scripted, scripted, registry: '127.0.0.1:1', instance: 'aasloop' })
  ctx.metrics = cpu
  scheduler = new Scheduler(ctx)
  server = createSimServer(ctx, new Ecr('127.0.0.1:1'), scheduler)
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  scheduler.start()
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  ecs = clients(url).ecs
  aas = new ApplicationAutoScalingClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' }
  })
  writer = setInterval(() => {
    const n = running()
    if (n > 0) cpu.points.push({ t: Date.now(), v: Math.min(100, load / n) })
  }, 50)
})

afterAll(async () => {
  clearInterval(writer)
  await scheduler?.quiesce()
  server?.closeAllConnections()
  await new Promise(r => server?.close(r))
})

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
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          ScaleOutCooldown: COOLDOWN_S,
          ScaleInCooldown: COOLDOWN_S
        }
      })
    )
    await waitFor(
      '1 running',
      async () => running(),
      n => n === 1
    )

    // 150 task-% of load: 100% on one task, 75% on two, 50% (the target, no more scaling) on three.
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
    await waitFor(
      '3 running',
      () => service(ecs, 'aas-loop', 'web'),
      s => s.runningCount === 3 && s.desiredCount === 3
    )
    // At the target the service stays put.
    await new Promise(r => setTimeout(r, 4 * PERIOD))
    expect((await activities()).length).toBe(2)
    const svc = await service(ecs, 'aas-loop', 'web')
    expect(svc.events!.map(e => e.message)).toContainEqual(expect.stringMatching(/has started 1 tasks/))

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

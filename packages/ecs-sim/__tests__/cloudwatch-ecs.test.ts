/**
 * The AWS/ECS metrics of the scripted tasks (the rules' cpu and memory) through the real
 * @aws-sdk/client-cloudwatch: per service and cluster, Container Insights only when enabled, sampled every
 * 20 s scaled, a metric alarm on CPUUtilization firing when the load rises, and a BLUE_GREEN deployment rolled
 * back by a metric alarm its new tasks breach.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  MetricAlarm,
  PutMetricAlarmCommand
} from '@aws-sdk/client-cloudwatch'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import { reset, RunningSim, setRules, startSim } from '../testing.js'
import { clients, service, waitFor } from './helpers.js'
import { deployV2, finished, strategyService } from './strategy-helpers.js'

// 60-second alarm periods are 600 ms here; ECS samples tasks every 200 ms.
const SCALE = 0.01
let sim: RunningSim
let cw: CloudWatchClient
let ecs: ECSClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: SCALE })
  ;({ cloudwatch: cw, ecs } = clients(sim.url, 1))
})
afterAll(async () => {
  await sim?.stop()
})
beforeEach(async () => {
  await reset(sim.url)
})

async function alarm(name: string): Promise<MetricAlarm | undefined> {
  return (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]
}

async function cpuService(cluster: string, insights: boolean): Promise<void> {
  await ecs.send(
    new CreateClusterCommand({
      clusterName: cluster,
      settings: [{ name: 'containerInsights', value: insights ? 'enabled' : 'disabled' }]
    })
  )
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'api',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '512',
      memory: '1024',
      containerDefinitions: [{ name: 'app', image: 'api:v1', essential: true }]
    })
  )
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'api',
      taskDefinition: 'api:1',
      desiredCount: 2,
      launchType: 'FARGATE'
    })
  )
}

describe('AWS/ECS metrics of the scripted tasks', () => {
  it('publishes CPU and memory per service and cluster from the rules, and a CPU alarm fires when the load rises', async () => {
    await setRules(sim.url, [{ image: 'api:', outcome: 'healthy', cpu: 20, memory: 30 }])
    await cpuService('shop', true)
    const dims = [
      { Name: 'ClusterName', Value: 'shop' },
      { Name: 'ServiceName', Value: 'api' }
    ]
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'api-cpu-high',
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: dims,
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Threshold: 50,
        ComparisonOperator: 'GreaterThanThreshold'
      })
    )
    await waitFor(
      'api-cpu-high OK',
      () => alarm('api-cpu-high'),
      a => a?.StateValue === 'OK'
    )
    await setRules(sim.url, [{ image: 'api:', outcome: 'healthy', cpu: 80, memory: 30 }])
    const fired = await waitFor(
      'api-cpu-high ALARM',
      () => alarm('api-cpu-high'),
      a => a?.StateValue === 'ALARM'
    )
    expect(fired!.StateReason).toMatch(
      /^Threshold Crossed: 2 out of the last 2 datapoints \[80\.0 .*\] were greater than the threshold \(50\.0\)/
    )

    const now = Date.now()
    const q = (id: string, namespace: string, metric: string, d: typeof dims, stat = 'Average') => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: namespace, MetricName: metric, Dimensions: d },
        Period: 1,
        Stat: stat
      }
    })
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 60_000),
        EndTime: new Date(now + 1000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [
          q('cpu', 'AWS/ECS', 'CPUUtilization', dims),
          q('mem', 'AWS/ECS', 'MemoryUtilization', dims),
          q('cluster', 'AWS/ECS', 'CPUUtilization', [dims[0]], 'SampleCount'),
          q('used', 'ECS/ContainerInsights', 'CpuUtilized', dims, 'Maximum'),
          q('count', 'ECS/ContainerInsights', 'RunningTaskCount', dims, 'Maximum')
        ]
      })
    )
    const [cpu, mem, cluster, used, count] = out.MetricDataResults!
    expect(cpu.Values![0]).toBe(20)
    expect(Math.max(...cpu.Values!)).toBe(80)
    expect(new Set(mem.Values)).toEqual(new Set([30]))
    expect(cluster.Values!.length).toBeGreaterThan(0)
    // 80 % of 512 units, two tasks.
    expect(used.Values!.at(-1)).toBeCloseTo(2 * 0.8 * 512)
    expect(count.Values!.at(-1)).toBe(2)
    // Sampled every 20 s scaled (200 ms): a whole past second holds about 5 samples of each of the 2 tasks,
    // not one a scheduler tick (20 ms); a loaded machine may take fewer.
    const second = Math.floor(Date.now() / 1000) * 1000 - 2000
    const samples = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(second),
        EndTime: new Date(second + 1000),
        MetricDataQueries: [q('n', 'AWS/ECS', 'CPUUtilization', dims, 'SampleCount')]
      })
    )
    expect(samples.MetricDataResults![0].Values![0]).toBeGreaterThanOrEqual(2)
    expect(samples.MetricDataResults![0].Values![0]).toBeLessThanOrEqual(14)
    const listed = await cw.send(
      new ListMetricsCommand({ Namespace: 'AWS/ECS', Dimensions: [{ Name: 'ServiceName', Value: 'api' }] })
    )
    expect(listed.Metrics!.map(m => m.MetricName).sort()).toEqual(['CPUUtilization', 'MemoryUtilization'])
  })

  it('publishes no Container Insights metrics when the cluster has them disabled', async () => {
    await cpuService('plain', false)
    await waitFor(
      'AWS/ECS metrics',
      async () => (await cw.send(new ListMetricsCommand({ Namespace: 'AWS/ECS' }))).Metrics!,
      m => m.length > 0
    )
    expect((await cw.send(new ListMetricsCommand({ Namespace: 'ECS/ContainerInsights' }))).Metrics).toEqual(
      []
    )
  })
})

describe('deployment alarms fired by a metric alarm', () => {
  it('rolls a BLUE_GREEN deployment back when its new tasks peg the CPU', async () => {
    await setRules(sim.url, [
      { image: 'app:v1', outcome: 'healthy', cpu: 10 },
      { image: 'app:v2', outcome: 'healthy', cpu: 95 }
    ])
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'web-cpu',
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Dimensions: [
          { Name: 'ClusterName', Value: 'bg-cpu' },
          { Name: 'ServiceName', Value: 'web' }
        ],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 50,
        ComparisonOperator: 'GreaterThanThreshold'
      })
    )
    await strategyService(ecs, 'bg-cpu', {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 10,
      alarms: { alarmNames: ['web-cpu'], enable: true, rollback: true }
    })
    await waitFor(
      'web-cpu OK',
      () => alarm('web-cpu'),
      a => a?.StateValue === 'OK'
    )
    const seen = await deployV2(ecs, 'bg-cpu', finished)
    const last = seen[seen.length - 1]
    expect(last.status).toBe('ROLLBACK_SUCCESSFUL')
    expect(last.alarms).toMatchObject({ status: 'TRIGGERED', triggeredAlarmNames: ['web-cpu'] })
    expect((await alarm('web-cpu'))!.StateReason).toMatch(/\[95\.0 /)
    const s = await service(ecs, 'bg-cpu', 'web')
    expect(s.taskDefinition).toMatch(/web:1$/)
  })
})

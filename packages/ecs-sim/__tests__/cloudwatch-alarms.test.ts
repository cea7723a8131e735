/**
 * The local CloudWatch's metric alarms through the real @aws-sdk/client-cloudwatch against a started
 * simulator (scripted backend): PutMetricAlarm/DescribeAlarms/SetAlarmState/DeleteAlarms/DescribeAlarmHistory,
 * an alarm going OK → ALARM from PutMetricData and from the scripted tasks' CPU (AWS/ECS metrics), one alarm
 * model with `PUT /_sim/alarms`, and a BLUE_GREEN deployment rolled back by a metric alarm.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  ListMetricsCommand,
  MetricAlarm,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  SetAlarmStateCommand
} from '@aws-sdk/client-cloudwatch'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import { getAlarms, reset, RunningSim, setAlarms, setRules, startSim } from '../testing.js'
import { clients, errorOf, service, waitFor } from './helpers.js'
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

const NS = 'Shop/Checkout'
const latencyAlarm = (over: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: 'checkout-latency',
  Namespace: NS,
  MetricName: 'Latency',
  Dimensions: [{ Name: 'Stage', Value: 'prod' }],
  Statistic: 'Maximum',
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 50,
  ComparisonOperator: 'GreaterThanThreshold',
  TreatMissingData: 'ignore',
  ...over
})

async function alarm(name: string): Promise<MetricAlarm | undefined> {
  return (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]
}

/** Puts `value` now, again and again, until the alarm is in `state` (each put lands in the next evaluation). */
async function putUntil(value: number, name: string, state: string): Promise<MetricAlarm> {
  return waitFor(
    `${name} in ${state}`,
    async () => {
      await cw.send(
        new PutMetricDataCommand({
          Namespace: NS,
          MetricData: [
            { MetricName: 'Latency', Dimensions: [{ Name: 'Stage', Value: 'prod' }], Value: value }
          ]
        })
      )
      return (await alarm(name))!
    },
    a => a.StateValue === state
  )
}

describe('metric alarms from PutMetricData', () => {
  it('start INSUFFICIENT_DATA, go OK then ALARM with CloudWatch’s reason, and keep their history', async () => {
    await cw.send(new PutMetricAlarmCommand(latencyAlarm({ AlarmDescription: 'p-max latency' })))
    const created = await alarm('checkout-latency')
    expect(created).toMatchObject({
      AlarmName: 'checkout-latency',
      AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:checkout-latency',
      AlarmDescription: 'p-max latency',
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      Namespace: NS,
      MetricName: 'Latency',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 50,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
      ActionsEnabled: true
    })
    expect(created!.StateUpdatedTimestamp).toBeInstanceOf(Date)
    await putUntil(10, 'checkout-latency', 'OK')
    const fired = await putUntil(91, 'checkout-latency', 'ALARM')
    expect(fired.StateReason).toMatch(
      /^Threshold Crossed: 1 datapoint \[91\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)\] was greater than the threshold \(50\.0\)\.$/
    )
    expect(JSON.parse(fired.StateReasonData!)).toMatchObject({
      statistic: 'Maximum',
      period: 60,
      recentDatapoints: [91],
      threshold: 50
    })
    // The control API sees the same alarm.
    expect(await getAlarms(sim.url)).toEqual({ 'checkout-latency': 'ALARM' })
    const history = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'checkout-latency', ScanBy: 'TimestampAscending' })
    )
    expect(history.AlarmHistoryItems!.map(h => h.HistorySummary)).toEqual([
      'Alarm "checkout-latency" created',
      'Alarm updated from INSUFFICIENT_DATA to OK',
      'Alarm updated from OK to ALARM'
    ])
    const states = await cw.send(new DescribeAlarmHistoryCommand({ HistoryItemType: 'StateUpdate' }))
    expect(states.AlarmHistoryItems).toHaveLength(2)
    expect(JSON.parse(states.AlarmHistoryItems![0].HistoryData!)).toMatchObject({
      oldState: { stateValue: 'OK' },
      newState: { stateValue: 'ALARM' }
    })
  })

  it('DescribeAlarms filters by names, prefix and state, and pages', async () => {
    for (const name of ['a-1', 'a-2', 'a-3', 'b-1'])
      await cw.send(new PutMetricAlarmCommand(latencyAlarm({ AlarmName: name })))
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'a-2', StateValue: 'ALARM', StateReason: 'testing' }))
    const names = async (input: ConstructorParameters<typeof DescribeAlarmsCommand>[0] = {}) =>
      (await cw.send(new DescribeAlarmsCommand(input))).MetricAlarms!.map(a => a.AlarmName)
    expect(await names({ AlarmNamePrefix: 'a-' })).toEqual(['a-1', 'a-2', 'a-3'])
    expect(await names({ StateValue: 'ALARM' })).toEqual(['a-2'])
    expect(await names({ AlarmNames: ['b-1', 'nope'] })).toEqual(['b-1'])
    expect(await names({ AlarmTypes: ['CompositeAlarm'] })).toEqual([])
    const page = await cw.send(new DescribeAlarmsCommand({ MaxRecords: 3 }))
    expect(page.MetricAlarms!.map(a => a.AlarmName)).toEqual(['a-1', 'a-2', 'a-3'])
    expect(
      (
        await cw.send(new DescribeAlarmsCommand({ MaxRecords: 3, NextToken: page.NextToken }))
      ).MetricAlarms!.map(a => a.AlarmName)
    ).toEqual(['b-1'])
    const both = await errorOf(
      cw.send(new DescribeAlarmsCommand({ AlarmNames: ['a-1'], AlarmNamePrefix: 'a' }))
    )
    expect(both.name).toBe('InvalidParameterCombinationException')
  })

  it('SetAlarmState and PUT /_sim/alarms set the same alarms; DeleteAlarms deletes none when one is unknown', async () => {
    await cw.send(new PutMetricAlarmCommand(latencyAlarm()))
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: 'checkout-latency',
        StateValue: 'ALARM',
        StateReason: 'drill',
        StateReasonData: '{"why":"drill"}'
      })
    )
    expect(await alarm('checkout-latency')).toMatchObject({
      StateValue: 'ALARM',
      StateReason: 'drill',
      StateReasonData: '{"why":"drill"}'
    })
    await setAlarms(sim.url, { 'checkout-latency': 'OK', 'web-5xx': 'ALARM' })
    expect(await alarm('checkout-latency')).toMatchObject({
      StateValue: 'OK',
      StateReason: expect.stringMatching(/control API/)
    })
    // A name no PutMetricAlarm created is a bare alarm state: listed, with no metric.
    const bare = await alarm('web-5xx')
    expect(bare).toMatchObject({ AlarmName: 'web-5xx', StateValue: 'ALARM' })
    expect(bare!.MetricName).toBeUndefined()

    const unknown = await errorOf(
      cw.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' }))
    )
    expect(unknown).toMatchObject({ name: 'ResourceNotFound', message: 'Alarm nope not found' })
    expect(unknown.$metadata.httpStatusCode).toBe(404)
    const json = await errorOf(
      cw.send(
        new SetAlarmStateCommand({
          AlarmName: 'checkout-latency',
          StateValue: 'OK',
          StateReason: 'x',
          StateReasonData: '{'
        })
      )
    )
    expect(json.name).toBe('InvalidFormatFault')
    const none = await errorOf(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['checkout-latency', 'nope'] })))
    expect(none.name).toBe('ResourceNotFound')
    expect(await alarm('checkout-latency')).toBeDefined()
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['checkout-latency', 'web-5xx'] }))
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([])
    expect(await getAlarms(sim.url)).toEqual({})
  })

  it.each([
    ['a period of 45 s', { Period: 45 }, 'InvalidParameterValueException', /Period/],
    [
      'DatapointsToAlarm above EvaluationPeriods',
      { EvaluationPeriods: 2, DatapointsToAlarm: 3 },
      'InvalidParameterValueException',
      /DatapointsToAlarm/
    ],
    [
      'Statistic and ExtendedStatistic',
      { ExtendedStatistic: 'p99' },
      'InvalidParameterCombinationException',
      /Exactly one/
    ],
    [
      'an unknown TreatMissingData',
      { TreatMissingData: 'sometimes' },
      'InvalidParameterValueException',
      /TreatMissingData/
    ],
    ['no threshold', { Threshold: undefined }, 'MissingRequiredParameterException', /Threshold/],
    [
      'a week and a day of periods',
      { Period: 3600, EvaluationPeriods: 193 },
      'InvalidParameterValueException',
      /seven days/
    ],
    [
      'metric math',
      { Metrics: [{ Id: 'm1', Expression: 'SUM(METRICS())' }], Namespace: undefined },
      'InvalidParameterValueException',
      /not supported/
    ]
  ])('PutMetricAlarm refuses %s', async (_what, over, name, message) => {
    const err = await errorOf(
      cw.send(new PutMetricAlarmCommand(latencyAlarm(over as Partial<PutMetricAlarmCommandInput>)))
    )
    expect(err.name).toBe(name)
    expect(err.message).toMatch(message)
  })
})

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

/**
 * The local CloudWatch's metric alarms through the real @aws-sdk/client-cloudwatch against a started
 * simulator (scripted backend): PutMetricAlarm/DescribeAlarms/DescribeAlarmsForMetric/SetAlarmState/
 * DeleteAlarms/DescribeAlarmHistory, an alarm going OK → ALARM from PutMetricData, and one alarm model with
 * `PUT /_sim/alarms` (cloudwatch-ecs.test.ts: alarms on the AWS/ECS metrics).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  MetricAlarm,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  SetAlarmStateCommand
} from '@aws-sdk/client-cloudwatch'
import { getAlarms, reset, RunningSim, setAlarms, startSim } from '../testing.js'
import { clients, errorOf, waitFor } from './helpers.js'

// 60-second alarm periods are 600 ms here.
const SCALE = 0.01
let sim: RunningSim
let cw: CloudWatchClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: SCALE })
  cw = clients(sim.url, 1).cloudwatch
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
    await cw.send(
      new PutMetricAlarmCommand(
        latencyAlarm({ AlarmName: 'p99', Statistic: undefined, ExtendedStatistic: 'p99' })
      )
    )
    const forMetric = async (
      input: Partial<ConstructorParameters<typeof DescribeAlarmsForMetricCommand>[0]>
    ) =>
      (
        await cw.send(
          new DescribeAlarmsForMetricCommand({
            Namespace: NS,
            MetricName: 'Latency',
            Dimensions: [{ Name: 'Stage', Value: 'prod' }],
            ...input
          })
        )
      ).MetricAlarms!.map(a => a.AlarmName)
    expect(await forMetric({})).toEqual(['a-1', 'a-2', 'a-3', 'b-1', 'p99'])
    expect(await forMetric({ ExtendedStatistic: 'p99' })).toEqual(['p99'])
    expect(await forMetric({ Statistic: 'Maximum', Period: 300 })).toEqual([])
    expect(await forMetric({ Dimensions: [] })).toEqual([])
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

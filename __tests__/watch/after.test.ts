/** The post-deploy watch: its pure parts as tables, the window against a mocked CloudWatch client. */
import { describe, expect, test, beforeEach } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch'
import { DeployError } from '../../src/errors.js'
import {
  afterOutcome,
  firstInAlarm,
  missingAlarms,
  pollCount,
  pollInterval,
  watchAfterDeployment,
  type AlarmState
} from '../../src/watch/after.js'
import type { WatchOutcome } from '../../src/watch/loop.js'

const cloudwatch = new CloudWatchClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDAFTER', secretAccessKey: 'after-secret' },
  maxAttempts: 1
})
const mock = mockClient(cloudwatch)
beforeEach(() => {
  mock.reset()
})

const ok = (name: string): AlarmState => ({ name, state: 'OK' })
const alarm = (name: string, reason = 'Threshold Crossed'): AlarmState => ({ name, state: 'ALARM', reason })

describe('pure parts', () => {
  test.each<[number, number, number]>([
    // window, interval, polls
    [10 * 60_000, 30_000, 21],
    [60_000, 15_000, 5],
    [2000, 1000, 3],
    [6 * 3600_000, 30_000, 721]
  ])('a %d ms window polls every %d ms, %d times', (windowMs, interval, polls) => {
    expect(pollInterval(windowMs)).toBe(interval)
    expect(pollCount(windowMs, interval)).toBe(polls)
  })

  test.each<[string, string[], AlarmState[], string | undefined]>([
    ['none in ALARM', ['a', 'b'], [ok('a'), ok('b')], undefined],
    ['one in ALARM', ['a', 'b'], [ok('a'), alarm('b')], 'b'],
    ['two: the first named', ['a', 'b'], [alarm('b'), alarm('a')], 'a'],
    ['INSUFFICIENT_DATA is not ALARM', ['a'], [{ name: 'a', state: 'INSUFFICIENT_DATA' }], undefined],
    ['an alarm not asked for is ignored', ['a'], [alarm('z'), ok('a')], undefined]
  ])('firstInAlarm: %s', (_name, names, states, expected) => {
    expect(firstInAlarm(names, states)?.name).toBe(expected)
  })

  test('missingAlarms names what DescribeAlarms did not find', () => {
    expect(missingAlarms(['a', 'b', 'c'], [ok('b')])).toEqual(['a', 'c'])
  })

  const deployed: WatchOutcome = {
    status: 'completed',
    message: 'Deployment ecs-svc/1 completed',
    events: [{ id: 'e1', message: 'steady' }],
    stoppedTasks: [],
    notes: ['n'],
    deployment: { id: 'ecs-svc/1' },
    serviceDeployment: { serviceDeploymentArn: 'arn:sd' }
  }
  test.each<[string, Parameters<typeof afterOutcome>[1], Partial<WatchOutcome>]>([
    [
      'an alarm: failed, naming it and its reason (defanged)',
      { status: 'alarm', alarm: alarm('web-5xx', 'Threshold Crossed ::error::x'), afterMs: 90_000, polls: 4 },
      {
        status: 'failed',
        message: expect.stringMatching(
          /^Alarm web-5xx went into ALARM 1.5 minutes into the watch after the deployment \(watch-minutes: 10 minutes\): Threshold Crossed :\\u003aerror/
        ) as unknown as string,
        cause: 'alarm web-5xx in ALARM after the deployment'
      }
    ],
    [
      'cancelled',
      { status: 'cancelled', afterMs: 30_000, polls: 2 },
      {
        status: 'cancelled',
        message: expect.stringContaining('cancelled 30 seconds into') as unknown as string
      }
    ]
  ])('afterOutcome: %s', (_name, result, expected) => {
    const outcome = afterOutcome(deployed, result, 10 * 60_000)
    expect(outcome).toMatchObject({ ...expected, deployment: deployed.deployment, events: deployed.events })
    // The service deployment completed: the rollback is an update to the previous revision.
    expect(outcome.serviceDeployment).toBeUndefined()
    expect(outcome.stoppedTasks).toEqual([])
  })
})

describe('watchAfterDeployment', () => {
  const noSleep = async (): Promise<void> => {}

  test('green: polls the bounded number of times, metric and composite alarms', async () => {
    mock.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }],
      CompositeAlarms: [{ AlarmName: 'b', StateValue: 'OK' }]
    })
    const result = await watchAfterDeployment({
      cloudwatch,
      alarms: ['a', 'b'],
      windowMs: 60_000,
      sleep: noSleep
    })
    expect(result).toEqual({ status: 'green', polls: 5 })
    const calls = mock.commandCalls(DescribeAlarmsCommand)
    expect(calls).toHaveLength(5)
    expect(calls[0].args[0].input).toMatchObject({
      AlarmNames: ['a', 'b'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm']
    })
  })

  test('red at the third poll: stops there, with the alarm and its reason', async () => {
    mock
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }] })
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }] })
      .resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'ALARM', StateReason: 'p99 > 2 s' }] })
    const result = await watchAfterDeployment({ cloudwatch, alarms: ['a'], windowMs: 60_000, sleep: noSleep })
    expect(result).toMatchObject({ status: 'alarm', alarm: { name: 'a', reason: 'p99 > 2 s' }, polls: 3 })
    expect(mock.commandCalls(DescribeAlarmsCommand)).toHaveLength(3)
  })

  test('more than 100 names: one call per 100', async () => {
    mock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] })
    const alarms = Array.from({ length: 150 }, (_, i) => `a${i}`)
    await watchAfterDeployment({ cloudwatch, alarms, windowMs: 1000, pollIntervalMs: 1000, sleep: noSleep })
    const sizes = mock.commandCalls(DescribeAlarmsCommand).map(c => c.args[0].input.AlarmNames?.length)
    expect(sizes).toEqual([100, 50, 100, 50])
  })

  test('a transient error is retried at the next poll; a lasting one fails naming the permission', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} })
    mock
      .on(DescribeAlarmsCommand)
      .rejectsOnce(throttled)
      .resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }] })
    expect(
      await watchAfterDeployment({
        cloudwatch,
        alarms: ['a'],
        windowMs: 2000,
        pollIntervalMs: 1000,
        sleep: noSleep
      })
    ).toEqual({ status: 'green', polls: 3 })

    mock.reset()
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied', $metadata: {} })
    mock.on(DescribeAlarmsCommand).rejects(denied)
    const error = await watchAfterDeployment({
      cloudwatch,
      alarms: ['a'],
      windowMs: 2000,
      sleep: noSleep
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).hint).toBe('check permission cloudwatch:DescribeAlarms')
  })

  test('cancelled: ends at once, no further calls', async () => {
    mock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }] })
    const controller = new AbortController()
    const sleep = async (): Promise<void> => controller.abort()
    const result = await watchAfterDeployment({
      cloudwatch,
      alarms: ['a'],
      windowMs: 60_000,
      sleep,
      signal: controller.signal
    })
    expect(result.status).toBe('cancelled')
    expect(mock.commandCalls(DescribeAlarmsCommand)).toHaveLength(1)
  })

  test('no alarms: no DescribeAlarms (it would list every alarm); the window only waits', async () => {
    const waited: number[] = []
    const result = await watchAfterDeployment({
      cloudwatch,
      alarms: [],
      windowMs: 5000,
      sleep: async ms => {
        waited.push(ms)
      }
    })
    expect(result.status).toBe('green')
    expect(waited).toEqual([5000])
    expect(mock.commandCalls(DescribeAlarmsCommand)).toHaveLength(0)
  })

  test('a slow window (the clock past its end) ends with one last poll', async () => {
    mock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'a', StateValue: 'OK' }] })
    let t = 0
    const result = await watchAfterDeployment({
      cloudwatch,
      alarms: ['a'],
      windowMs: 60_000,
      now: () => (t += 40_000),
      sleep: noSleep
    })
    expect(result.status).toBe('green')
    expect(mock.commandCalls(DescribeAlarmsCommand).length).toBeLessThanOrEqual(3)
  })
})

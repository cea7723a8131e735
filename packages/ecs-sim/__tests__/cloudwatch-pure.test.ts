/** The local CloudWatch's pure parts as tables: aggregation, alarm evaluation, ECS utilization, docker stats. */
import { describe, expect, it } from '@jest/globals'
import { buckets, isStat, sampleOf, statistic, type Sample } from '../cloudwatch/aggregate.js'
import { evaluate, reasonTime, type AlarmRule, type PeriodValue } from '../cloudwatch/evaluate.js'
import { reservation, units, utilization } from '../cloudwatch/ecs-metrics.js'
import { AlarmStore, CONTROL_REASON } from '../cloudwatch/alarm-store.js'
import { MetricStore, metricId } from '../cloudwatch/store.js'
import { engineAddress, usageFromStats } from '../tasks/docker-stats.js'
import { alarmsInAlarm } from '../ecs/alarms.js'

const T = Date.UTC(2026, 11, 2, 1, 45, 0)
const set = (t: number, sum: number, count: number, min: number, max: number): Sample => ({
  t,
  sum,
  count,
  min,
  max
})

describe('statistic', () => {
  const raw = [sampleOf(T, [10]), sampleOf(T + 1, [30, 50], [1, 2]), sampleOf(T + 2, [20])]
  it.each([
    ['Average', raw, (10 + 30 + 100 + 20) / 5],
    ['Sum', raw, 160],
    ['SampleCount', raw, 5],
    ['Minimum', raw, 10],
    ['Maximum', raw, 50],
    ['p50', raw, 30],
    ['p100', raw, 50],
    ['p0', raw, 10],
    ['p99.9', raw, 50],
    ['Average', [set(T, 100, 4, 5, 60)], 25],
    ['Maximum', [set(T, 100, 4, 5, 60), sampleOf(T, [70])], 70],
    // A statistic set has no raw values: no percentile.
    ['p90', [set(T, 100, 4, 5, 60)], undefined],
    ['Average', [], undefined]
  ])('%s of %j is %s', (stat, samples, want) => {
    expect(statistic(samples as Sample[], stat as never)).toBe(want)
  })

  it.each([
    ['Average', true],
    ['p95', true],
    ['p99.99', true],
    ['p100', true],
    ['p101', false],
    ['p99.999', false],
    ['Median', false],
    ['tm90', false]
  ])('%s is a statistic: %s', (s, ok) => {
    expect(isStat(s)).toBe(ok)
  })
})

describe('buckets', () => {
  it.each([
    [
      'aligned to the period, empty ones left out',
      [T + 1000, T + 59_000, T + 120_000],
      60_000,
      T,
      T + 180_000,
      [
        [T, 2],
        [T + 120_000, 1]
      ]
    ],
    [
      'the period holding fromMs is in, the one at toMs is out',
      [T + 5000, T + 60_000],
      60_000,
      T + 30_000,
      T + 60_000,
      [[T, 1]]
    ],
    [
      'high resolution',
      [T, T + 500, T + 1000],
      1000,
      T,
      T + 2000,
      [
        [T, 2],
        [T + 1000, 1]
      ]
    ]
  ])('%s', (_what, times, period, from, to, want) => {
    const got = buckets(
      times.map(t => sampleOf(t, [1])),
      period,
      from,
      to
    ).map(b => [b.start, b.samples.length])
    expect(got).toEqual(want)
  })
})

describe('MetricStore', () => {
  it('matches a metric by its whole set of dimensions in any order, and reads windows', () => {
    const store = new MetricStore()
    const a = { Name: 'ClusterName', Value: 'c' }
    const b = { Name: 'ServiceName', Value: 's' }
    const key = { namespace: 'AWS/ECS', metricName: 'CPUUtilization', dimensions: [a, b] }
    expect(metricId(key)).toBe(metricId({ ...key, dimensions: [b, a] }))
    expect(metricId(key)).not.toBe(metricId({ ...key, dimensions: [a] }))
    store.put(key, sampleOf(T + 2000, [30]), 'Percent', T)
    store.put(key, sampleOf(T, [10]), 'Percent', T)
    store.put(key, sampleOf(T + 1000, [20]), 'Percent', T)
    expect(store.statistic({ ...key, dimensions: [b, a] }, 'Average', T, T + 2000)).toBe(15)
    expect(store.statistic(key, 'Maximum', T, T + 3000)).toBe(30)
    expect(store.statistic({ ...key, dimensions: [a] }, 'Average', T, T + 3000)).toBeUndefined()
    expect(store.list({ namespace: 'AWS/ECS', dimensions: [{ Name: 'ServiceName' }] })).toHaveLength(1)
  })
})

const rule = (over: Partial<AlarmRule> = {}): AlarmRule => ({
  statistic: 'Average',
  period: 60,
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  threshold: 50,
  comparison: 'GreaterThanThreshold',
  treatMissingData: 'missing',
  ...over
})
/** Newest first: a number is a datapoint, null a period with no data. */
const periods = (...vs: (number | null)[]): PeriodValue[] =>
  vs.map((v, i) => ({ start: T - i * 60_000, ...(v === null ? {} : { value: v, sampleCount: 1 }) }))

describe('evaluate', () => {
  it.each([
    ['one datapoint above', rule(), periods(91), 'ALARM'],
    ['one datapoint at the threshold, GreaterThan', rule(), periods(50), 'OK'],
    [
      'one datapoint at the threshold, GreaterThanOrEqualTo',
      rule({ comparison: 'GreaterThanOrEqualToThreshold' }),
      periods(50),
      'ALARM'
    ],
    ['LessThan', rule({ comparison: 'LessThanThreshold', threshold: 10 }), periods(5), 'ALARM'],
    [
      'LessThanOrEqualTo',
      rule({ comparison: 'LessThanOrEqualToThreshold', threshold: 10 }),
      periods(11),
      'OK'
    ],
    ['2 of 3 breaching', rule({ evaluationPeriods: 3, datapointsToAlarm: 2 }), periods(60, 10, 70), 'ALARM'],
    [
      '1 of 3 breaching, 2 needed',
      rule({ evaluationPeriods: 3, datapointsToAlarm: 2 }),
      periods(60, 10, 20),
      'OK'
    ],
    ['no data, missing', rule(), periods(null), 'INSUFFICIENT_DATA'],
    ['no data, ignore: unchanged', rule({ treatMissingData: 'ignore' }), periods(null), undefined],
    ['no data, breaching', rule({ treatMissingData: 'breaching' }), periods(null), 'ALARM'],
    ['no data, notBreaching', rule({ treatMissingData: 'notBreaching' }), periods(null), 'OK'],
    [
      'one missing counted as breaching makes 2 of 3',
      rule({ evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: 'breaching' }),
      periods(60, null, 10),
      'ALARM'
    ],
    [
      'one missing skipped: 1 of 2 present breaching, 2 needed',
      rule({ evaluationPeriods: 3, datapointsToAlarm: 2 }),
      periods(60, null, 10),
      'OK'
    ]
  ])('%s', (_what, r, ps, state) => {
    expect(evaluate(r, ps, T).state).toBe(state)
  })

  it.each([
    [
      rule(),
      periods(91),
      `Threshold Crossed: 1 datapoint [91.0 (02/12/26 01:45:00)] was greater than the threshold (50.0).`
    ],
    [
      rule({ threshold: 50.5 }),
      periods(12.25),
      `Threshold Crossed: 1 datapoint [12.25 (02/12/26 01:45:00)] was not greater than the threshold (50.5).`
    ],
    [
      rule({ evaluationPeriods: 3, datapointsToAlarm: 2, comparison: 'GreaterThanOrEqualToThreshold' }),
      periods(60, 10, 70),
      'Threshold Crossed: 2 out of the last 3 datapoints [60.0 (02/12/26 01:45:00), 70.0 (02/12/26 01:43:00)] were ' +
        'greater than or equal to the threshold (50.0) (minimum 2 datapoints for OK -> ALARM transition).'
    ],
    [rule({ evaluationPeriods: 2 }), periods(null, null), 'Insufficient Data: 2 datapoints were unknown.']
  ])('the reason reads like CloudWatch’s: %#', (r, ps, reason) => {
    expect(evaluate(r, ps, T).reason).toBe(reason)
  })

  it('gives the reason data CloudWatch gives', () => {
    expect(JSON.parse(evaluate(rule(), periods(91), T).reasonData)).toEqual({
      version: '1.0',
      queryDate: '2026-12-02T01:45:00.000+0000',
      startDate: '2026-12-02T01:45:00.000+0000',
      statistic: 'Average',
      period: 60,
      recentDatapoints: [91],
      threshold: 50,
      evaluatedDatapoints: [{ timestamp: '2026-12-02T01:45:00.000+0000', sampleCount: 1, value: 91 }]
    })
    expect(reasonTime(Date.UTC(2027, 0, 5, 7, 8, 9))).toBe('05/01/27 07:08:09')
  })
})

describe('AlarmStore: one alarm model', () => {
  it('is the Map the strategies read, PUT /_sim/alarms is SetAlarmState, and state changes are history', () => {
    const alarms = new AlarmStore()
    alarms.set('bare', 'ALARM')
    expect(alarms.record('bare')).toMatchObject({ state: 'ALARM', reason: CONTROL_REASON })
    expect(alarmsInAlarm(alarms, ['bare', 'other'])).toEqual(['bare'])
    const def = {
      namespace: 'N',
      metricName: 'M',
      dimensions: [],
      statistic: 'Average' as const,
      period: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      comparison: 'GreaterThanThreshold' as const,
      treatMissingData: 'missing' as const,
      actionsEnabled: true,
      okActions: [],
      alarmActions: [],
      insufficientDataActions: [],
      updatedAt: T
    }
    // PutMetricAlarm on a name the control API set keeps its state.
    alarms.define('bare', 'eu-west-1', def, T)
    expect(alarms.get('bare')).toBe('ALARM')
    alarms.define('cpu', 'eu-west-1', def, T)
    expect(alarms.get('cpu')).toBe('INSUFFICIENT_DATA')
    alarms.set('cpu', 'OK')
    alarms.set('cpu', 'OK')
    expect(alarms.record('cpu')!.history.map(h => h.summary)).toEqual([
      'Alarm "cpu" created',
      'Alarm updated from INSUFFICIENT_DATA to OK'
    ])
    expect(Object.fromEntries(alarms)).toEqual({ bare: 'ALARM', cpu: 'OK' })
    alarms.delete('cpu')
    expect(alarms.record('cpu')).toBeUndefined()
    alarms.clear()
    expect(alarms.all()).toEqual([])
  })
})

describe('ECS utilization', () => {
  it.each([
    ['256', 'cpu', 256],
    ['1 vCPU', 'cpu', 1024],
    ['0.5 vcpu', 'cpu', 512],
    ['512', 'memory', 512],
    ['2 GB', 'memory', 2048],
    ['2 GB', 'cpu', undefined],
    ['lots', 'memory', undefined]
  ])('%s of %s is %s', (v, kind, want) => {
    expect(units(v, kind as 'cpu' | 'memory')).toBe(want)
  })

  it.each([
    ['task-level sizes', { cpu: '512', memory: '1 GB', containers: [] }, { cpu: 512, memory: 1024 }],
    [
      'else the containers’ sum',
      { containers: [{ cpu: '128', memory: '256' }, { cpu: '128' }] },
      { cpu: 256, memory: 256 }
    ],
    ['none reserved', { containers: [{}] }, { cpu: undefined, memory: undefined }]
  ])('reservation: %s', (_what, task, want) => {
    expect(reservation(task as never)).toEqual(want)
  })

  it.each([
    [
      'measured: a full core of a 256-unit task',
      { cpu: 256, memory: 512 },
      { cpuUnits: 1024, memoryMiB: 128 },
      { cpu: 400, memory: 25, cpuUnits: 1024, memoryMiB: 128 }
    ],
    [
      'scripted: percent of the reservation',
      { cpu: 1024, memory: 2048 },
      { cpuPercent: 80, memoryPercent: 40 },
      { cpu: 80, memory: 40, cpuUnits: 819.2, memoryMiB: 819.2 }
    ],
    [
      'measured with nothing reserved',
      {},
      { cpuUnits: 100, memoryMiB: 10 },
      { cpu: undefined, memory: undefined, cpuUnits: 100, memoryMiB: 10 }
    ]
  ])('utilization: %s', (_what, reserved, used, want) => {
    expect(utilization(reserved, used)).toEqual(want)
  })
})

describe('docker stats', () => {
  it.each([
    [
      'cgroup v2: a busy core of two',
      {
        cpu_stats: {
          cpu_usage: { total_usage: 2_000_000_000 },
          system_cpu_usage: 12_000_000_000,
          online_cpus: 2
        },
        precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 10_000_000_000 },
        memory_stats: { usage: 10_000_000, stats: { inactive_file: 4_000_000 } }
      },
      { cpuPercent: 100, memoryBytes: 6_000_000 }
    ],
    [
      'cgroup v1: idle, cache left out',
      {
        cpu_stats: { cpu_usage: { total_usage: 5, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 2000 },
        precpu_stats: { cpu_usage: { total_usage: 5 }, system_cpu_usage: 1000 },
        memory_stats: { usage: 3_000_000, stats: { total_inactive_file: 1_000_000 } }
      },
      { cpuPercent: 0, memoryBytes: 2_000_000 }
    ],
    [
      'a container that stopped: no precpu sample, no memory',
      { cpu_stats: {}, precpu_stats: {}, memory_stats: {} },
      { cpuPercent: undefined, memoryBytes: undefined }
    ]
  ])('%s', (_what, stats, want) => {
    expect(usageFromStats(stats)).toEqual(want)
  })

  it.each([
    // Empty is unset (undefined would read this process's own DOCKER_HOST, the default).
    ['', { socketPath: '/var/run/docker.sock' }],
    ['unix:///tmp/d/docker.sock', { socketPath: '/tmp/d/docker.sock' }],
    ['tcp://127.0.0.1:2376', { host: '127.0.0.1', port: 2376 }]
  ])('DOCKER_HOST %s', (host, want) => {
    expect(engineAddress(host)).toEqual(want)
  })
})

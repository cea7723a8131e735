import { beforeEach, describe, expect, it } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import { CloudWatchClient, GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch'
import {
  chooseSeries,
  metricQueries,
  metricsWindow,
  periodFor,
  pointsById,
  ratio,
  readDeployMetrics
} from '../src/metrics.js'

const cwMock = mockClient(CloudWatchClient)
const cloudwatch = new CloudWatchClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  maxAttempts: 1
})

const T0 = Date.UTC(2026, 11, 1, 21, 0, 0)
const at = (minutes: number, seconds = 0) => new Date(T0 + minutes * 60_000 + seconds * 1000)
const points = (pairs: Array<[number, number]>) => pairs.map(([m, value]) => ({ at: at(m), value }))
const result = (id: string, pairs: Array<[number, number]>): MetricDataResult => ({
  Id: id,
  Timestamps: pairs.map(([m]) => at(m)),
  Values: pairs.map(([, v]) => v)
})

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } })
}

beforeEach(() => {
  cwMock.reset()
})

describe('periodFor: the smallest period that keeps a chart within 120 points', () => {
  it.each<[string, number, number]>([
    ['30 min before + a 1 min deploy', 31, 60],
    ['exactly 120 minutes', 120, 60],
    ['121 minutes', 121, 120],
    ['30 min + a 60 min watch', 90, 60],
    ['a day', 24 * 60, 900],
    ['no time at all', 0, 60],
    ['a year (the largest period)', 365 * 24 * 60, 3600]
  ])('%s', (_name, minutes, period) => {
    expect(periodFor(at(0), at(minutes))).toBe(period)
  })
})

describe('metricsWindow: 30 minutes before the deploy to the end, on whole periods', () => {
  it.each<[string, Date, Date, Date, Date, number]>([
    ['a deploy at 21:30:07 that ended at 21:31:00', at(30, 7), at(31), at(0), at(31), 60],
    ['an end inside a minute is rounded up', at(30, 7), at(31, 20), at(0), at(32), 60],
    ['an end before the deploy (clock skew) counts as the deploy', at(30, 7), at(29), at(0), at(31), 60],
    ['a long watch takes a longer period', at(30), at(30 + 200), at(0), at(230), 120]
  ])('%s', (_name, deployAt, end, from, to, period) => {
    expect(metricsWindow(deployAt, end)).toEqual({ from, to, periodSeconds: period })
  })
})

describe('metricQueries', () => {
  const queries = metricQueries('prod', 'web', 60)

  it('asks for the service, Container Insights and the cluster in one request (≤ 500 queries)', () => {
    expect(queries.length).toBeLessThanOrEqual(500)
    const ids = queries.map(q => q.Id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9_]*$/)
    const named = queries.map(q => {
      const m = q.MetricStat?.Metric
      return `${m?.Namespace} ${m?.MetricName} ${(m?.Dimensions ?? []).map(d => `${d.Name}=${d.Value}`).join(',')}`
    })
    expect(named).toEqual(
      expect.arrayContaining([
        'AWS/ECS CPUUtilization ClusterName=prod,ServiceName=web',
        'AWS/ECS MemoryUtilization ClusterName=prod,ServiceName=web',
        'ECS/ContainerInsights CpuUtilized ClusterName=prod,ServiceName=web',
        'ECS/ContainerInsights RunningTaskCount ClusterName=prod,ServiceName=web',
        'AWS/ECS CPUUtilization ClusterName=prod',
        'AWS/ECS MemoryUtilization ClusterName=prod',
        'AWS/ECS CPUReservation ClusterName=prod',
        'AWS/ECS MemoryReservation ClusterName=prod'
      ])
    )
    for (const q of queries) expect(q.MetricStat).toMatchObject({ Period: 60, Stat: 'Average' })
  })
})

describe('pointsById', () => {
  it('merges pages of one id, oldest first, and drops what is not a finite number', () => {
    const merged = pointsById([
      result('svc_cpu', [
        [2, 30],
        [0, 10]
      ]),
      { Id: 'svc_mem', Timestamps: [at(0), at(1)], Values: [Number.NaN, 5] },
      result('svc_cpu', [[1, 20]]),
      { Timestamps: [at(0)], Values: [1] }
    ])
    expect(merged.get('svc_cpu')).toEqual(
      points([
        [0, 10],
        [1, 20],
        [2, 30]
      ])
    )
    expect(merged.get('svc_mem')).toEqual(points([[1, 5]]))
    expect([...merged.keys()].sort()).toEqual(['svc_cpu', 'svc_mem'])
  })
})

describe('ratio: Container Insights amounts as percent of what is reserved', () => {
  it.each<[string, Array<[number, number]>, Array<[number, number]>, Array<[number, number]>]>([
    [
      'same timestamps',
      [
        [0, 128],
        [1, 256]
      ],
      [
        [0, 256],
        [1, 256]
      ],
      [
        [0, 50],
        [1, 100]
      ]
    ],
    [
      'only where both have a point',
      [
        [0, 64],
        [1, 64]
      ],
      [[1, 256]],
      [[1, 25]]
    ],
    ['nothing reserved is no point', [[0, 64]], [[0, 0]], []]
  ])('%s', (_name, used, reserved, expected) => {
    expect(ratio(points(used), points(reserved))).toEqual(points(expected))
  })
})

describe('chooseSeries', () => {
  const byId = (entries: Record<string, Array<[number, number]>>) =>
    new Map(Object.entries(entries).map(([id, pairs]) => [id, points(pairs)]))

  it.each<[string, Record<string, Array<[number, number]>>, string, string[], number | undefined]>([
    [
      'AWS/ECS when it has the service (Container Insights ignored for CPU/memory)',
      { svc_cpu: [[0, 40]], svc_mem: [[0, 50]], ci_cpu_used: [[0, 1]], ci_cpu_reserved: [[0, 2]] },
      'AWS/ECS',
      ['service-cpu', 'service-memory'],
      40
    ],
    [
      'Container Insights when AWS/ECS has nothing',
      { ci_cpu_used: [[0, 64]], ci_cpu_reserved: [[0, 256]], ci_tasks: [[0, 2]] },
      'ECS/ContainerInsights',
      ['service-cpu', 'service-tasks'],
      25
    ],
    [
      'the cluster beside the service, reservation when EC2 reports it',
      { svc_cpu: [[0, 40]], cl_cpu: [[0, 30]], cl_cpu_res: [[0, 60]], cl_mem_res: [[0, 70]] },
      'AWS/ECS',
      ['service-cpu', 'cluster-cpu', 'cluster-cpu-reservation', 'cluster-memory-reservation'],
      40
    ],
    ['nothing at all', {}, 'AWS/ECS', [], undefined]
  ])('%s', (_name, entries, source, ids, firstCpu) => {
    const chosen = chooseSeries(byId(entries))
    expect(chosen.source).toBe(source)
    expect(chosen.series.map(s => s.id)).toEqual(ids)
    expect(chosen.series.find(s => s.id === 'service-cpu')?.points[0]?.value).toBe(firstCpu)
  })
})

describe('readDeployMetrics', () => {
  const request = { cluster: 'prod', service: 'web', deployAt: at(30, 7), deployEnd: at(31), end: at(35) }

  it('sends one request with every query for the window, and follows NextToken', async () => {
    cwMock
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [result('svc_cpu', [[0, 40]])], NextToken: 'page-2' })
      .resolves({ MetricDataResults: [result('svc_cpu', [[34, 60]]), result('svc_mem', [[34, 50]])] })
    const metrics = await readDeployMetrics(cloudwatch, request)
    const calls = cwMock.commandCalls(GetMetricDataCommand)
    expect(calls).toHaveLength(2)
    const first = calls[0].args[0].input
    expect(first).toMatchObject({ StartTime: at(0), EndTime: at(35), ScanBy: 'TimestampAscending' })
    expect(first.MetricDataQueries).toEqual(metricQueries('prod', 'web', 60))
    expect(first.NextToken).toBeUndefined()
    expect(calls[1].args[0].input.NextToken).toBe('page-2')
    expect(metrics).toMatchObject({
      deployAt: at(30, 7),
      deployEnd: at(31),
      from: at(0),
      to: at(35),
      periodSeconds: 60,
      source: 'AWS/ECS'
    })
    expect(metrics.error).toBeUndefined()
    expect(metrics.series.find(s => s.id === 'service-cpu')?.points).toEqual(
      points([
        [0, 40],
        [34, 60]
      ])
    )
  })

  it('never throws: a refusal is one line naming the permission', async () => {
    cwMock
      .on(GetMetricDataCommand)
      .rejects(
        awsError('AccessDeniedException', 'User is not authorized to perform cloudwatch:GetMetricData')
      )
    const metrics = await readDeployMetrics(cloudwatch, request)
    expect(metrics.series).toEqual([])
    expect(metrics.error).toMatch(
      /^Could not read the metrics: GetMetricData \(service web\): AccessDeniedException/
    )
    expect(metrics.error).toContain('(check permission cloudwatch:GetMetricData)')
    expect(metrics.error?.split('\n')).toHaveLength(1)
  })

  it('an empty answer is no series and no error', async () => {
    cwMock
      .on(GetMetricDataCommand)
      .resolves({ MetricDataResults: [{ Id: 'svc_cpu', Timestamps: [], Values: [] }] })
    const metrics = await readDeployMetrics(cloudwatch, request)
    expect(metrics.series).toEqual([])
    expect(metrics.error).toBeUndefined()
  })
})

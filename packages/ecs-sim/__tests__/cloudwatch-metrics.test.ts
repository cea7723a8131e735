/**
 * The local CloudWatch's metric operations through the real @aws-sdk/client-cloudwatch (AWS JSON 1.0,
 * awsQueryCompatible): PutMetricData (gzip-compressed from 10 KB), GetMetricData with paging,
 * GetMetricStatistics, ListMetrics, and CloudWatch's errors as the SDK raises them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type ListMetricsCommandInput,
  PutMetricDataCommand
} from '@aws-sdk/client-cloudwatch'
import { getCalls, reset, RunningSim, startSim } from '../testing.js'
import { clients, errorOf } from './helpers.js'

let sim: RunningSim
let cw: CloudWatchClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.01 })
  cw = clients(sim.url, 1).cloudwatch
})
afterAll(async () => {
  await sim?.stop()
})
beforeEach(async () => {
  await reset(sim.url)
})

const NS = 'Shop/Checkout'
const DIMS = [
  { Name: 'Stage', Value: 'prod' },
  { Name: 'Route', Value: '/pay' }
]
const minute = (n: number) => new Date(Math.floor(Date.now() / 3600_000) * 3600_000 - 3600_000 + n * 60_000)

async function put(values: [number, number][], dims = DIMS, name = 'Latency'): Promise<void> {
  await cw.send(
    new PutMetricDataCommand({
      Namespace: NS,
      MetricData: values.map(([m, v]) => ({
        MetricName: name,
        Dimensions: dims,
        Timestamp: minute(m),
        Value: v,
        Unit: 'Milliseconds'
      }))
    })
  )
}

describe('PutMetricData and GetMetricData', () => {
  it('aggregates per period, dimensions in any order, newest first by default', async () => {
    await put([
      [0, 10],
      [0.5, 30],
      [1, 50],
      [3, 70]
    ])
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: minute(0),
        EndTime: minute(5),
        MetricDataQueries: [
          {
            Id: 'avg',
            MetricStat: {
              Metric: { Namespace: NS, MetricName: 'Latency', Dimensions: [...DIMS].reverse() },
              Period: 60,
              Stat: 'Average'
            }
          },
          {
            Id: 'most',
            Label: 'slowest',
            MetricStat: {
              Metric: { Namespace: NS, MetricName: 'Latency', Dimensions: DIMS },
              Period: 120,
              Stat: 'Maximum'
            }
          },
          {
            Id: 'other',
            MetricStat: { Metric: { Namespace: NS, MetricName: 'Latency' }, Period: 60, Stat: 'Sum' }
          }
        ]
      })
    )
    const [avg, most, other] = out.MetricDataResults!
    expect(avg).toMatchObject({ Id: 'avg', Label: 'Latency', StatusCode: 'Complete', Values: [70, 50, 20] })
    expect(avg.Timestamps).toEqual([minute(3), minute(1), minute(0)])
    expect(most).toMatchObject({ Label: 'slowest', Values: [70, 50] })
    // No dimensions is another metric: it has no data.
    expect(other).toMatchObject({ Values: [], Timestamps: [] })
  })

  it('pages by MaxDatapoints and NextToken, ascending when asked', async () => {
    await put(Array.from({ length: 5 }, (_, i): [number, number] => [i, i]))
    const query = {
      StartTime: minute(0),
      EndTime: minute(10),
      ScanBy: 'TimestampAscending' as const,
      MaxDatapoints: 2,
      MetricDataQueries: [
        {
          Id: 'a',
          MetricStat: {
            Metric: { Namespace: NS, MetricName: 'Latency', Dimensions: DIMS },
            Period: 60,
            Stat: 'p50'
          }
        }
      ]
    }
    const seen: number[] = []
    let NextToken: string | undefined
    let pages = 0
    do {
      const out = await cw.send(new GetMetricDataCommand({ ...query, NextToken }))
      pages++
      seen.push(...out.MetricDataResults![0].Values!)
      expect(out.MetricDataResults![0].StatusCode).toBe(out.NextToken ? 'PartialData' : 'Complete')
      NextToken = out.NextToken
    } while (NextToken)
    expect(pages).toBe(3)
    expect(seen).toEqual([0, 1, 2, 3, 4])
    const bad = await errorOf(cw.send(new GetMetricDataCommand({ ...query, NextToken: 'nope' })))
    expect(bad.name).toBe('InvalidNextToken')
  })

  it('takes a gzip-compressed body of 10 KB and more', async () => {
    const data = Array.from({ length: 150 }, (_, i) => ({
      MetricName: 'Bytes',
      Dimensions: [{ Name: 'Shard', Value: `shard-${String(i % 3).padStart(40, '0')}` }],
      Timestamp: minute(1),
      Values: [i, i + 1],
      Counts: [1, 2]
    }))
    expect(JSON.stringify(data).length).toBeGreaterThan(10 * 1024)
    await cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: data }))
    const calls = await getCalls(sim.url, 'PutMetricData')
    expect(calls.at(-1)).toMatchObject({
      service: 'cloudwatch',
      status: 200,
      request: { contentEncoding: 'gzip' }
    })
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: NS,
        MetricName: 'Bytes',
        Dimensions: [{ Name: 'Shard', Value: `shard-${'0'.repeat(40)}` }],
        StartTime: minute(0),
        EndTime: minute(2),
        Period: 60,
        Statistics: ['SampleCount', 'Sum', 'Maximum']
      })
    )
    // 50 data of shard 0, each values i (×1) and i+1 (×2).
    const is = Array.from({ length: 50 }, (_, k) => 3 * k)
    expect(stats.Datapoints).toEqual([
      {
        Timestamp: minute(1),
        SampleCount: 150,
        Sum: is.reduce((a, i) => a + i + 2 * (i + 1), 0),
        Maximum: 148,
        Unit: 'None'
      }
    ])
  })
})

describe('GetMetricStatistics and ListMetrics', () => {
  it('answers the statistics asked for, and lists metrics by namespace, name and dimension filters', async () => {
    await put([
      [0, 1],
      [0, 3]
    ])
    await put([[0, 5]], [{ Name: 'Stage', Value: 'dev' }])
    await put([[0, 7]], [{ Name: 'Stage', Value: 'dev' }], 'Errors')
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: NS,
        MetricName: 'Latency',
        Dimensions: DIMS,
        StartTime: minute(0),
        EndTime: minute(1),
        Period: 60,
        ExtendedStatistics: ['p100', 'p0']
      })
    )
    expect(out.Label).toBe('Latency')
    expect(out.Datapoints![0]).toMatchObject({ ExtendedStatistics: { p100: 3, p0: 1 }, Unit: 'Milliseconds' })
    const list = async (input: ListMetricsCommandInput) =>
      (await cw.send(new ListMetricsCommand(input))).Metrics!.map(
        m => `${m.MetricName} ${m.Dimensions!.map(d => `${d.Name}=${d.Value}`).join(',')}`
      )
    expect(await list({ Namespace: NS })).toEqual([
      'Latency Stage=prod,Route=/pay',
      'Latency Stage=dev',
      'Errors Stage=dev'
    ])
    expect(await list({ Namespace: NS, Dimensions: [{ Name: 'Stage', Value: 'dev' }] })).toEqual([
      'Latency Stage=dev',
      'Errors Stage=dev'
    ])
    expect(
      await list({ MetricName: 'Latency', Dimensions: [{ Name: 'Route' }], RecentlyActive: 'PT3H' })
    ).toEqual(['Latency Stage=prod,Route=/pay'])
  })
})

describe('errors, as CloudWatch names them', () => {
  const now = new Date()
  it.each([
    [
      'an AWS/ namespace',
      () => new PutMetricDataCommand({ Namespace: 'AWS/ECS', MetricData: [{ MetricName: 'X', Value: 1 }] }),
      'InvalidParameterValueException',
      /The value AWS\/ECS for parameter Namespace is invalid/
    ],
    [
      'no MetricData',
      () => new PutMetricDataCommand({ Namespace: NS, MetricData: [] }),
      'MissingRequiredParameterException',
      /MetricData is required/
    ],
    [
      'no value',
      () => new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: 'X' }] }),
      'MissingRequiredParameterException',
      /MetricData.member.1.Value/
    ],
    [
      'Values and Counts of different sizes',
      () =>
        new PutMetricDataCommand({
          Namespace: NS,
          MetricData: [{ MetricName: 'X', Values: [1, 2], Counts: [1] }]
        }),
      'InvalidParameterCombinationException',
      /same size/
    ],
    [
      'a timestamp three weeks old',
      () =>
        new PutMetricDataCommand({
          Namespace: NS,
          MetricData: [{ MetricName: 'X', Value: 1, Timestamp: new Date(Date.now() - 21 * 86400_000) }]
        }),
      'InvalidParameterValueException',
      /two weeks/
    ],
    [
      'a period of 45 s',
      () =>
        new GetMetricStatisticsCommand({
          Namespace: NS,
          MetricName: 'X',
          StartTime: now,
          EndTime: new Date(+now + 60_000),
          Period: 45,
          Statistics: ['Sum']
        }),
      'InvalidParameterValueException',
      /multiple of 60/
    ],
    [
      'no statistic',
      () =>
        new GetMetricStatisticsCommand({
          Namespace: NS,
          MetricName: 'X',
          StartTime: now,
          EndTime: new Date(+now + 60_000),
          Period: 60
        }),
      'MissingRequiredParameterException',
      /Statistics/
    ],
    [
      'more than 1,440 datapoints',
      () =>
        new GetMetricStatisticsCommand({
          Namespace: NS,
          MetricName: 'X',
          StartTime: new Date(+now - 86400_000 * 2),
          EndTime: now,
          Period: 60,
          Statistics: ['Sum']
        }),
      'InvalidParameterCombinationException',
      /exceeds the limit of 1,440/
    ],
    [
      'an Id with a capital first',
      () =>
        new GetMetricDataCommand({
          StartTime: new Date(+now - 60_000),
          EndTime: now,
          MetricDataQueries: [
            { Id: 'Bad', MetricStat: { Metric: { Namespace: NS, MetricName: 'X' }, Period: 60, Stat: 'Sum' } }
          ]
        }),
      'InvalidParameterValueException',
      /lowercase/
    ],
    [
      'a math expression',
      () =>
        new GetMetricDataCommand({
          StartTime: new Date(+now - 60_000),
          EndTime: now,
          MetricDataQueries: [{ Id: 'e1', Expression: 'SUM(METRICS())' }]
        }),
      'InvalidParameterValueException',
      /not supported/
    ],
    [
      'an unknown statistic',
      () =>
        new GetMetricDataCommand({
          StartTime: new Date(+now - 60_000),
          EndTime: now,
          MetricDataQueries: [
            {
              Id: 'q',
              MetricStat: { Metric: { Namespace: NS, MetricName: 'X' }, Period: 60, Stat: 'Median' }
            }
          ]
        }),
      'InvalidParameterValueException',
      /Median/
    ]
  ])('%s', async (_what, command, name, message) => {
    const err = await errorOf(cw.send(command() as never))
    expect(err.name).toBe(name)
    expect(err.message).toMatch(message)
    expect(err.$metadata.httpStatusCode).toBe(400)
  })
})

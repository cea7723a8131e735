/**
 * The edge that reads CPU and memory for the summary's charts: one GetMetricData request (all queries,
 * paged by NextToken) for the 30 minutes before the deploy and the window after it. The service's
 * `AWS/ECS` CPUUtilization and MemoryUtilization (ClusterName, ServiceName), Container Insights
 * (`ECS/ContainerInsights`: utilised / reserved, and the running task count) when the cluster has it, and
 * the cluster's own utilisation and, on EC2 container instances, reservation (ClusterName).
 *
 * Best effort: a failure to read never fails a deploy; `readDeployMetrics` returns the failure as one line.
 * Metric names and labels in the result are ours (the ids below), never CloudWatch's.
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult
} from '@aws-sdk/client-cloudwatch'
import { awsFailure } from './aws.js'
import { DeployError, errorMessage } from './errors.js'

/** One series as the charts draw it: our own name, percent (or a count), oldest point first. */
export interface MetricSeries {
  id: SeriesId
  points: Array<{ at: Date; value: number }>
}

export type SeriesId =
  | 'service-cpu'
  | 'service-memory'
  | 'service-tasks'
  | 'cluster-cpu'
  | 'cluster-memory'
  | 'cluster-cpu-reservation'
  | 'cluster-memory-reservation'

/** What the summary's "CPU and memory" section shows. */
export interface DeployMetrics {
  /** When ECS was asked to deploy (the mark on the charts). */
  deployAt: Date
  /** When the deployment ended (its watch, or the post-deploy watch): the end of the "after" part. */
  deployEnd: Date
  from: Date
  to: Date
  periodSeconds: number
  /** Where the service's CPU and memory came from. */
  source: 'AWS/ECS' | 'ECS/ContainerInsights'
  series: MetricSeries[]
  /** Set when the read failed: one line (the summary and the log say it instead of a chart). */
  error?: string
}

export const BEFORE_MINUTES = 30
/** At most this many points per series: a readable chart, whatever the window. */
const MAX_POINTS = 120
const PERIODS = [60, 120, 300, 600, 900, 1800, 3600]
const MAX_PAGES = 20

/** The smallest CloudWatch period (s) that keeps the window within MAX_POINTS points. */
export function periodFor(from: Date, to: Date): number {
  const seconds = Math.max(0, (to.getTime() - from.getTime()) / 1000)
  return PERIODS.find(p => seconds / p <= MAX_POINTS) ?? PERIODS[PERIODS.length - 1]
}

/** The window read: from BEFORE_MINUTES before the deploy to `end`, on whole periods. */
export function metricsWindow(deployAt: Date, end: Date): { from: Date; to: Date; periodSeconds: number } {
  const rawFrom = deployAt.getTime() - BEFORE_MINUTES * 60_000
  const rawTo = Math.max(end.getTime(), deployAt.getTime())
  const periodSeconds = periodFor(new Date(rawFrom), new Date(rawTo))
  const step = periodSeconds * 1000
  return {
    from: new Date(Math.floor(rawFrom / step) * step),
    to: new Date(Math.max(Math.ceil(rawTo / step) * step, Math.floor(rawFrom / step) * step + step)),
    periodSeconds
  }
}

type Dimensions = Array<{ Name: string; Value: string }>

function stat(id: string, namespace: string, name: string, dimensions: Dimensions, period: number) {
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: namespace, MetricName: name, Dimensions: dimensions },
      Period: period,
      Stat: 'Average'
    },
    ReturnData: true
  } satisfies MetricDataQuery
}

/** The queries of the one request (ids are ours: lower-case first, as GetMetricData requires). */
export function metricQueries(cluster: string, service: string, period: number): MetricDataQuery[] {
  const svc = [
    { Name: 'ClusterName', Value: cluster },
    { Name: 'ServiceName', Value: service }
  ]
  const cl = [{ Name: 'ClusterName', Value: cluster }]
  const ecs = 'AWS/ECS'
  const ci = 'ECS/ContainerInsights'
  return [
    stat('svc_cpu', ecs, 'CPUUtilization', svc, period),
    stat('svc_mem', ecs, 'MemoryUtilization', svc, period),
    stat('ci_cpu_used', ci, 'CpuUtilized', svc, period),
    stat('ci_cpu_reserved', ci, 'CpuReserved', svc, period),
    stat('ci_mem_used', ci, 'MemoryUtilized', svc, period),
    stat('ci_mem_reserved', ci, 'MemoryReserved', svc, period),
    stat('ci_tasks', ci, 'RunningTaskCount', svc, period),
    stat('cl_cpu', ecs, 'CPUUtilization', cl, period),
    stat('cl_mem', ecs, 'MemoryUtilization', cl, period),
    stat('cl_cpu_res', ecs, 'CPUReservation', cl, period),
    stat('cl_mem_res', ecs, 'MemoryReservation', cl, period)
  ]
}

type Points = MetricSeries['points']

/** A result's points, oldest first, finite values only; pages of one id are merged. */
export function pointsById(results: MetricDataResult[]): Map<string, Points> {
  const byId = new Map<string, Points>()
  for (const r of results) {
    if (!r.Id) continue
    const points = byId.get(r.Id) ?? []
    const times = r.Timestamps ?? []
    const values = r.Values ?? []
    times.forEach((at, i) => {
      const value = values[i]
      if (at instanceof Date && typeof value === 'number' && Number.isFinite(value))
        points.push({ at, value })
    })
    byId.set(r.Id, points)
  }
  for (const points of byId.values()) points.sort((a, b) => a.at.getTime() - b.at.getTime())
  return byId
}

/** 100 × used / reserved at the timestamps both have (Container Insights reports amounts, not percent). */
export function ratio(used: Points, reserved: Points): Points {
  const byTime = new Map(reserved.map(p => [p.at.getTime(), p.value]))
  return used.flatMap(p => {
    const r = byTime.get(p.at.getTime())
    return r && r > 0 ? [{ at: p.at, value: (100 * p.value) / r }] : []
  })
}

/** The series to show, from what the request returned: AWS/ECS first, Container Insights where it lacks. */
export function chooseSeries(byId: Map<string, Points>): Pick<DeployMetrics, 'source' | 'series'> {
  const get = (id: string) => byId.get(id) ?? []
  const ecsHas = get('svc_cpu').length > 0 || get('svc_mem').length > 0
  const ciCpu = ratio(get('ci_cpu_used'), get('ci_cpu_reserved'))
  const ciMem = ratio(get('ci_mem_used'), get('ci_mem_reserved'))
  const useCi = !ecsHas && (ciCpu.length > 0 || ciMem.length > 0)
  const series: MetricSeries[] = [
    { id: 'service-cpu', points: useCi ? ciCpu : get('svc_cpu') },
    { id: 'service-memory', points: useCi ? ciMem : get('svc_mem') },
    { id: 'service-tasks', points: get('ci_tasks') },
    { id: 'cluster-cpu', points: get('cl_cpu') },
    { id: 'cluster-memory', points: get('cl_mem') },
    { id: 'cluster-cpu-reservation', points: get('cl_cpu_res') },
    { id: 'cluster-memory-reservation', points: get('cl_mem_res') }
  ]
  return {
    source: useCi ? 'ECS/ContainerInsights' : 'AWS/ECS',
    series: series.filter(s => s.points.length > 0)
  }
}

export interface MetricsRequest {
  cluster: string
  service: string
  /** When ECS was asked to deploy. */
  deployAt: Date
  /** When the deployment ended (the deploy band's end); `end` when not given. */
  deployEnd?: Date
  /** The end of the window: when the deploy ended, or the end of the post-deploy watch. */
  end: Date
  signal?: AbortSignal
}

/** Reads the charts' metrics; never throws (a failure is the result's `error`, one line). */
export async function readDeployMetrics(
  cloudwatch: CloudWatchClient,
  request: MetricsRequest
): Promise<DeployMetrics> {
  const { from, to, periodSeconds } = metricsWindow(request.deployAt, request.end)
  const deployEnd = request.deployEnd ?? request.end
  const base = { deployAt: request.deployAt, deployEnd, from, to, periodSeconds }
  try {
    const queries = metricQueries(request.cluster, request.service, periodSeconds)
    const results: MetricDataResult[] = []
    let token: string | undefined
    let pages = 0
    do {
      let page
      try {
        page = await cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: from,
            EndTime: to,
            ScanBy: 'TimestampAscending',
            NextToken: token
          }),
          { abortSignal: request.signal }
        )
      } catch (error) {
        throw awsFailure('cloudwatch:GetMetricData', error, { subject: `service ${request.service}` })
      }
      results.push(...(page.MetricDataResults ?? []))
      token = page.NextToken || undefined
      pages += 1
    } while (token && pages < MAX_PAGES)
    return { ...base, ...chooseSeries(pointsById(results)) }
  } catch (error) {
    const hint = error instanceof DeployError && error.hint ? ` (${error.hint})` : ''
    return {
      ...base,
      source: 'AWS/ECS',
      series: [],
      error: `Could not read the metrics: ${errorMessage(error)}${hint}`
    }
  }
}

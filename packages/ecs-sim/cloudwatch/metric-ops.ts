/**
 * CloudWatch's metric operations: PutMetricData, GetMetricData, GetMetricStatistics, ListMetrics.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_ListMetrics.html
 */
import type { Json } from '../util.js'
import { buckets, isStat, sampleOf, statistic, type Sample, type Stat } from './aggregate.js'
import { combination, invalidValue, missing } from './errors.js'
import {
  dimensions,
  metricKey,
  offsetOf,
  optInt,
  optList,
  optNum,
  optObj,
  optStr,
  queryPeriod,
  reqNum,
  reqStr,
  strings,
  time,
  token
} from './params.js'
import type { MetricKey } from './reader.js'
import type { MetricStore } from './store.js'

const DAY = 24 * 3600 * 1000
const MAX_ABS = 1.174271e108
const MIN_ABS = 8.51592e-109

function checkValue(v: number, path: string): void {
  const a = Math.abs(v)
  if (a !== 0 && (a > MAX_ABS || a < MIN_ABS))
    throw invalidValue(path, v, 'Values must be between 8.515920e-109 and 1.174271e+108 (or 0).')
}

/** One MetricDatum as a sample (values with counts, a statistic set, or one value). */
function datumSample(d: Json, path: string, now: number): Sample {
  const t = time(d, 'Timestamp', `${path}.Timestamp`) ?? now
  if (t < now - 14 * DAY || t > now + 2 * 3600 * 1000)
    throw invalidValue(
      `${path}.Timestamp`,
      new Date(t).toISOString(),
      'Timestamps must be no more than two weeks in the past and two hours in the future.'
    )
  const value = optNum(d, 'Value', `${path}.Value`)
  const values = optList(d, 'Values', `${path}.Values`)
  const counts = optList(d, 'Counts', `${path}.Counts`)
  const set = optObj(d, 'StatisticValues', `${path}.StatisticValues`)
  const given = [value !== undefined, values !== undefined, set !== undefined].filter(Boolean).length
  if (given > 1)
    throw combination(
      `The parameters ${path}.Value, ${path}.Values and ${path}.StatisticValues are mutually exclusive.`
    )
  if (values) {
    if (values.length > 150)
      throw invalidValue(`${path}.Values`, `${values.length} values`, 'At most 150 are allowed.')
    if (counts && counts.length !== values.length)
      throw combination(`The parameters ${path}.Values and ${path}.Counts must be of the same size.`)
    values.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw invalidValue(`${path}.Values.member.${i + 1}`, v)
      checkValue(v, `${path}.Values.member.${i + 1}`)
    })
    counts?.forEach((c, i) => {
      if (typeof c !== 'number' || !Number.isFinite(c) || c < 0)
        throw invalidValue(`${path}.Counts.member.${i + 1}`, c)
    })
    if (values.length === 0) throw missing(`${path}.Values`)
    return sampleOf(t, values as number[], counts as number[] | undefined)
  }
  if (set) {
    const n = (k: string) => reqNum(set, k, `${path}.StatisticValues.${k}`)
    const s = { t, sum: n('Sum'), count: n('SampleCount'), min: n('Minimum'), max: n('Maximum') }
    if (s.count <= 0 || s.min > s.max)
      throw invalidValue(
        `${path}.StatisticValues`,
        set,
        'SampleCount must be positive and Minimum at most Maximum.'
      )
    return s
  }
  if (value === undefined) throw missing(`${path}.Value`)
  checkValue(value, `${path}.Value`)
  return sampleOf(t, [value])
}

export function putMetricData(store: MetricStore, input: Json, now = Date.now()): Json {
  const namespace = reqStr(input, 'Namespace')
  if (namespace.startsWith('AWS/') || namespace.length > 255 || !/^[^:].*$/.test(namespace))
    throw invalidValue('Namespace', namespace)
  const data = optList(input, 'MetricData')
  if (!data || data.length === 0) throw missing('MetricData')
  if (data.length > 1000)
    throw invalidValue('MetricData', `${data.length} items`, 'At most 1000 are allowed.')
  // Validate everything first: CloudWatch stores none of a request it refuses.
  const parsed = data.map((raw, i) => {
    const path = `MetricData.member.${i + 1}`
    const d = (raw ?? {}) as Json
    const key: MetricKey = {
      namespace,
      metricName: reqStr(d, 'MetricName', `${path}.MetricName`),
      dimensions: dimensions(d.Dimensions, `${path}.Dimensions`)
    }
    const res = optInt(d, 'StorageResolution', 1, 60, `${path}.StorageResolution`)
    if (res !== undefined && res !== 1 && res !== 60) throw invalidValue(`${path}.StorageResolution`, res)
    return { key, sample: datumSample(d, path, now), unit: optStr(d, 'Unit', `${path}.Unit`) }
  })
  for (const p of parsed) store.put(p.key, p.sample, p.unit, now)
  return {}
}

function parseStat(s: string, path: string): Stat {
  if (!isStat(s))
    throw invalidValue(
      path,
      s,
      'The statistic must be Average, Sum, Minimum, Maximum, SampleCount or a percentile pNN.'
    )
  return s
}

interface Series {
  timestamps: number[]
  values: number[]
}

/** The periods of one metric statistic in [from, to), oldest first. */
function series(
  store: MetricStore,
  key: MetricKey,
  stat: Stat,
  periodS: number,
  from: number,
  to: number
): Series {
  const out: Series = { timestamps: [], values: [] }
  for (const b of buckets(store.samples(key, from - periodS * 1000, to), periodS * 1000, from, to)) {
    const v = statistic(b.samples, stat)
    if (v === undefined) continue
    out.timestamps.push(b.start)
    out.values.push(v)
  }
  return out
}

/** StartTime and EndTime, both required, StartTime first (GetMetricData and GetMetricStatistics alike). */
function timeRange(input: Json): { from: number; to: number } {
  const from = time(input, 'StartTime')
  const to = time(input, 'EndTime')
  if (from === undefined) throw missing('StartTime')
  if (to === undefined) throw missing('EndTime')
  if (from >= to)
    throw invalidValue(
      'StartTime',
      new Date(from).toISOString(),
      'The parameter StartTime must be less than the parameter EndTime.'
    )
  return { from, to }
}

export function getMetricData(store: MetricStore, input: Json): Json {
  const queries = optList(input, 'MetricDataQueries')
  if (!queries || queries.length === 0) throw missing('MetricDataQueries')
  if (queries.length > 500)
    throw invalidValue('MetricDataQueries', `${queries.length} queries`, 'At most 500 are allowed.')
  const { from, to } = timeRange(input)
  const scanBy = optStr(input, 'ScanBy') ?? 'TimestampDescending'
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending')
    throw invalidValue('ScanBy', scanBy)
  const max = optInt(input, 'MaxDatapoints', 1, Number.MAX_SAFE_INTEGER) ?? 100_800
  const ids = new Set<string>()
  const results = queries.map((raw, i) => {
    const path = `MetricDataQueries.member.${i + 1}`
    const q = (raw ?? {}) as Json
    const id = reqStr(q, 'Id', `${path}.Id`)
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(id) || id.length > 255)
      throw invalidValue(
        `${path}.Id`,
        id,
        'The Id must start with a lowercase letter and contain only letters, numbers and underscores.'
      )
    if (ids.has(id)) throw invalidValue(`${path}.Id`, id, 'The Id is used by another query.')
    ids.add(id)
    const stat = optObj(q, 'MetricStat', `${path}.MetricStat`)
    const expression = optStr(q, 'Expression', `${path}.Expression`)
    if (stat && expression !== undefined)
      throw combination(`The parameters ${path}.MetricStat and ${path}.Expression are mutually exclusive.`)
    if (expression !== undefined)
      throw invalidValue(
        `${path}.Expression`,
        expression,
        'Metric math expressions are not supported by the local CloudWatch.'
      )
    if (!stat) throw missing(`${path}.MetricStat`)
    const metric = optObj(stat, 'Metric', `${path}.MetricStat.Metric`)
    if (!metric) throw missing(`${path}.MetricStat.Metric`)
    const key = metricKey(metric, `${path}.MetricStat.Metric`)
    const period = queryPeriod(
      reqNum(stat, 'Period', `${path}.MetricStat.Period`),
      `${path}.MetricStat.Period`
    )
    const s = parseStat(reqStr(stat, 'Stat', `${path}.MetricStat.Stat`), `${path}.MetricStat.Stat`)
    const data = series(store, key, s, period, from, to)
    if (scanBy === 'TimestampDescending') {
      data.timestamps.reverse()
      data.values.reverse()
    }
    return {
      id,
      label: optStr(q, 'Label', `${path}.Label`) ?? key.metricName,
      returnData: q.ReturnData !== false,
      data
    }
  })
  // Paging: the datapoints of all returned queries in order; a page holds at most MaxDatapoints of them.
  const shown = results.filter(r => r.returnData)
  const total = shown.reduce((a, r) => a + r.data.values.length, 0)
  const request = JSON.stringify({ ...input, NextToken: undefined, MaxDatapoints: undefined })
  const offset = offsetOf(optStr(input, 'NextToken'), request)
  const end = Math.min(total, offset + max)
  let base = 0
  const out = shown.map(r => {
    const n = r.data.values.length
    const lo = Math.min(n, Math.max(0, offset - base))
    const hi = Math.min(n, Math.max(0, end - base))
    base += n
    return {
      Id: r.id,
      Label: r.label,
      Timestamps: r.data.timestamps.slice(lo, hi).map(t => t / 1000),
      Values: r.data.values.slice(lo, hi),
      StatusCode: hi < n ? 'PartialData' : 'Complete'
    }
  })
  return {
    MetricDataResults: out,
    ...(end < total ? { NextToken: token(end, request) } : {}),
    Messages: []
  }
}

export function getMetricStatistics(store: MetricStore, input: Json): Json {
  const key: MetricKey = {
    namespace: reqStr(input, 'Namespace'),
    metricName: reqStr(input, 'MetricName'),
    dimensions: dimensions(input.Dimensions, 'Dimensions')
  }
  const { from, to } = timeRange(input)
  const period = queryPeriod(reqNum(input, 'Period'), 'Period')
  const stats = strings(input, 'Statistics')
  const extended = strings(input, 'ExtendedStatistics')
  if (!stats?.length && !extended?.length) throw missing('Statistics')
  if (stats?.length && extended?.length)
    throw combination('The parameters Statistics and ExtendedStatistics are mutually exclusive.')
  for (const [i, s] of (stats ?? []).entries())
    if (!['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'].includes(s))
      throw invalidValue(`Statistics.member.${i + 1}`, s)
  for (const [i, s] of (extended ?? []).entries())
    if (!/^p/.test(s)) throw invalidValue(`ExtendedStatistics.member.${i + 1}`, s)
    else parseStat(s, `ExtendedStatistics.member.${i + 1}`)
  const requested = Math.ceil((to - from) / (period * 1000))
  if (requested > 1440)
    throw combination(
      `You have requested up to ${requested} datapoints, which exceeds the limit of 1,440. ` +
        'You may reduce the datapoints requested by increasing Period, or decreasing the time range.'
    )
  const unit = store.get(key)?.unit
  const datapoints = buckets(store.samples(key, from - period * 1000, to), period * 1000, from, to).map(b => {
    const dp: Json = { Timestamp: b.start / 1000 }
    for (const s of stats ?? []) dp[s] = statistic(b.samples, s as Stat)
    if (extended?.length)
      dp.ExtendedStatistics = Object.fromEntries(extended.map(s => [s, statistic(b.samples, s as Stat) ?? 0]))
    dp.Unit = unit ?? 'None'
    return dp
  })
  return { Label: key.metricName, Datapoints: datapoints }
}

const LIST_PAGE = 500

export function listMetrics(store: MetricStore, input: Json, now = Date.now()): Json {
  const filters = (optList(input, 'Dimensions') ?? []).map((raw, i) => {
    const d = (raw ?? {}) as Json
    return {
      Name: reqStr(d, 'Name', `Dimensions.member.${i + 1}.Name`),
      Value: optStr(d, 'Value', `Dimensions.member.${i + 1}.Value`)
    }
  })
  if (filters.length > 10)
    throw invalidValue('Dimensions', `${filters.length} filters`, 'At most 10 are allowed.')
  const recently = optStr(input, 'RecentlyActive')
  if (recently !== undefined && recently !== 'PT3H') throw invalidValue('RecentlyActive', recently)
  const all = store.list({
    namespace: optStr(input, 'Namespace'),
    metricName: optStr(input, 'MetricName'),
    dimensions: filters,
    activeSince: recently ? now - 3 * 3600 * 1000 : undefined
  })
  const request = JSON.stringify({ ...input, NextToken: undefined })
  const offset = offsetOf(optStr(input, 'NextToken'), request)
  const page = all.slice(offset, offset + LIST_PAGE)
  return {
    Metrics: page.map(m => ({
      Namespace: m.key.namespace,
      MetricName: m.key.metricName,
      Dimensions: m.key.dimensions
    })),
    ...(offset + LIST_PAGE < all.length ? { NextToken: token(offset + LIST_PAGE, request) } : {})
  }
}

/**
 * The local CloudWatch's metric store: every metric (namespace, name, exact set of dimensions) with its
 * samples, as PutMetricData and the AWS/ECS publisher (ecs-metrics.ts) write them. It is the MetricsReader
 * the rest of the local ECS reads (target tracking, metric alarms). Samples older than CloudWatch's
 * 15-day retention for PutMetricData timestamps (two weeks back) are refused at the edge; here the store
 * keeps the last RETAIN_MS of samples so a long-running simulator stays small.
 */
import { statistic, type Sample, type Stat } from './aggregate.js'
import type { MetricDimension, MetricKey, MetricsReader, MetricStatistic } from './reader.js'

export const RETAIN_MS = 15 * 24 * 3600 * 1000
const MAX_SAMPLES_PER_METRIC = 50_000

export interface StoredMetric {
  key: MetricKey
  unit?: string
  samples: Sample[]
  lastPutAt: number
}

/** The metric's identity: namespace, name and its dimensions sorted by name (order does not matter). */
export function metricId(key: MetricKey): string {
  const dims = [...key.dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
  return JSON.stringify([key.namespace, key.metricName, dims.map(d => [d.Name, d.Value])])
}

export interface DimensionFilter {
  Name: string
  Value?: string
}

/** The index of the first sample at or after `t`. */
function lowerBound(samples: Sample[], t: number): number {
  let lo = 0
  let hi = samples.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (samples[mid].t < t) lo = mid + 1
    else hi = mid
  }
  return lo
}

export class MetricStore implements MetricsReader {
  private readonly metrics = new Map<string, StoredMetric>()

  put(key: MetricKey, sample: Sample, unit?: string, now = Date.now()): void {
    const id = metricId(key)
    let m = this.metrics.get(id)
    if (!m) {
      const dimensions = key.dimensions.map(d => ({ Name: d.Name, Value: d.Value }))
      this.metrics.set(id, (m = { key: { ...key, dimensions }, samples: [], lastPutAt: now }))
    }
    m.lastPutAt = now
    if (unit) m.unit = unit
    // Kept sorted by time: most samples arrive in order, so this is an append.
    let i = m.samples.length
    while (i > 0 && m.samples[i - 1].t > sample.t) i--
    m.samples.splice(i, 0, sample)
    if (m.samples.length > MAX_SAMPLES_PER_METRIC)
      m.samples.splice(0, m.samples.length - MAX_SAMPLES_PER_METRIC)
    const cutoff = now - RETAIN_MS
    while (m.samples.length > 0 && m.samples[0].t < cutoff) m.samples.shift()
  }

  get(key: MetricKey): StoredMetric | undefined {
    return this.metrics.get(metricId(key))
  }

  /** The metric's samples with timestamps in [fromMs, toMs) (they are kept sorted: two binary searches). */
  samples(key: MetricKey, fromMs: number, toMs: number): Sample[] {
    const all = this.get(key)?.samples ?? []
    return all.slice(lowerBound(all, fromMs), lowerBound(all, toMs))
  }

  statistic(key: MetricKey, stat: MetricStatistic, fromMs: number, toMs: number): number | undefined {
    return statistic(this.samples(key, fromMs, toMs), stat as Stat)
  }

  /** ListMetrics: the metrics matching every given filter, oldest first. */
  list(filter: {
    namespace?: string
    metricName?: string
    dimensions?: DimensionFilter[]
    activeSince?: number
  }): StoredMetric[] {
    const has = (dims: MetricDimension[], f: DimensionFilter) =>
      dims.some(d => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value))
    return [...this.metrics.values()].filter(
      m =>
        (filter.namespace === undefined || m.key.namespace === filter.namespace) &&
        (filter.metricName === undefined || m.key.metricName === filter.metricName) &&
        (filter.dimensions ?? []).every(f => has(m.key.dimensions, f)) &&
        (filter.activeSince === undefined || m.lastPutAt >= filter.activeSince)
    )
  }

  clear(): void {
    this.metrics.clear()
  }
}

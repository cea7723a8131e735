/**
 * How the rest of the local ECS reads CloudWatch metrics (target tracking, metric alarms): one statistic of one
 * metric over a window of datapoint timestamps. The metric store (CloudWatch's PutMetricData, the AWS/ECS
 * CPUUtilization/MemoryUtilization the task backends measure) implements it; until it is set, no metric has data.
 */
export interface MetricDimension {
  Name: string
  Value: string
}

export interface MetricKey {
  namespace: string
  metricName: string
  /** Exact match on the whole set, in any order, as CloudWatch matches a metric's dimensions. */
  dimensions: MetricDimension[]
}

export type MetricStatistic = 'Average' | 'Minimum' | 'Maximum' | 'Sum' | 'SampleCount'

export interface MetricsReader {
  /** The statistic of the datapoints whose timestamps are in [fromMs, toMs); undefined when there are none. */
  statistic(key: MetricKey, stat: MetricStatistic, fromMs: number, toMs: number): number | undefined
}

/** The reader of a local ECS with no metrics yet: every metric has no data (INSUFFICIENT_DATA). */
export const NO_METRICS: MetricsReader = { statistic: () => undefined }

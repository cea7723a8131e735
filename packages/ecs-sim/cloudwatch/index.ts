/**
 * The local CloudWatch (metrics and metric alarms) behind `X-Amz-Target: GraniteServiceVersion20100801.<Op>`
 * (AWS JSON 1.0, awsQueryCompatible; server.ts speaks the wire format).
 */
import type { SimContext } from '../context.js'
import type { Json } from '../util.js'
import {
  deleteAlarms,
  describeAlarmHistory,
  describeAlarms,
  describeAlarmsForMetric,
  putMetricAlarm,
  setAlarmState
} from './alarm-ops.js'
import { getMetricData, getMetricStatistics, listMetrics, putMetricData } from './metric-ops.js'

export type CloudWatchOp = (ctx: SimContext, input: Json, region: string) => Json

const OPERATIONS: Record<string, CloudWatchOp> = {
  PutMetricData: (ctx, input) => putMetricData(ctx.metrics, input, ctx.clock.now()),
  GetMetricData: (ctx, input) => getMetricData(ctx.metrics, input),
  GetMetricStatistics: (ctx, input) => getMetricStatistics(ctx.metrics, input),
  ListMetrics: (ctx, input) => listMetrics(ctx.metrics, input, ctx.clock.now()),
  PutMetricAlarm: (ctx, input, region) => putMetricAlarm(ctx.alarms, region, input, ctx.clock.now()),
  DescribeAlarms: (ctx, input) => describeAlarms(ctx.alarms, input),
  DescribeAlarmsForMetric: (ctx, input) => describeAlarmsForMetric(ctx.alarms, input),
  SetAlarmState: (ctx, input) => setAlarmState(ctx.alarms, input, ctx.clock.now()),
  DeleteAlarms: (ctx, input) => deleteAlarms(ctx.alarms, input),
  DescribeAlarmHistory: (ctx, input) => describeAlarmHistory(ctx.alarms, input)
}

/** With no prototype: an operation named like an Object method (`constructor`) is not an operation. */
export const CLOUDWATCH_HANDLERS: Record<string, CloudWatchOp> = Object.assign(
  Object.create(null) as Record<string, CloudWatchOp>,
  OPERATIONS
)

/**
 * The local CloudWatch (metrics and metric alarms) behind `X-Amz-Target: GraniteServiceVersion20100801.<Op>`
 * (AWS JSON 1.0, awsQueryCompatible; server.ts speaks the wire format).
 */
import type { SimContext } from '../context.js'
import type { Json } from '../util.js'
import { getMetricData, getMetricStatistics, listMetrics, putMetricData } from './metric-ops.js'

export type CloudWatchOp = (ctx: SimContext, input: Json) => Json

export const CLOUDWATCH_HANDLERS: Record<string, CloudWatchOp> = {
  PutMetricData: (ctx, input) => putMetricData(ctx.metrics, input, ctx.clock.now()),
  GetMetricData: (ctx, input) => getMetricData(ctx.metrics, input),
  GetMetricStatistics: (ctx, input) => getMetricStatistics(ctx.metrics, input),
  ListMetrics: (ctx, input) => listMetrics(ctx.metrics, input, ctx.clock.now())
}

/**
 * Evaluates every metric alarm from the metric store, as CloudWatch does once a minute (every 10 s for
 * periods under a minute), in the simulator's time: a period of P seconds is the last `clock.delay(P s)`
 * of real time, so at a time scale of 0.01 a 60-second alarm looks at windows of 600 ms.
 */
import type { SimContext } from '../context.js'
import { statistic, type Stat } from './aggregate.js'
import { evaluate, type PeriodValue } from './evaluate.js'

/** The shortest real wait between two evaluations of one alarm, however small the time scale. */
const MIN_EVALUATION_MS = 20

export function evaluateAlarms(ctx: SimContext, now = ctx.clock.now()): void {
  for (const r of ctx.alarms.all()) {
    const d = r.definition
    if (!d) continue
    const every = Math.max(MIN_EVALUATION_MS, ctx.clock.delay(Math.min(d.period, 60) * 1000))
    if (r.lastEvaluatedAt !== undefined && now - r.lastEvaluatedAt < every) continue
    r.lastEvaluatedAt = now
    const periodMs = ctx.clock.delay(d.period * 1000)
    const key = { namespace: d.namespace, metricName: d.metricName, dimensions: d.dimensions }
    const stat = (d.statistic ?? d.extendedStatistic) as Stat
    const periods: PeriodValue[] = []
    for (let i = 0; i < d.evaluationPeriods; i++) {
      const to = now - i * periodMs
      const samples = ctx.metrics.samples(key, to - periodMs, to)
      periods.push({
        start: to - periodMs,
        value: statistic(samples, stat),
        sampleCount: statistic(samples, 'SampleCount')
      })
    }
    const ev = evaluate({ ...d, statistic: stat }, periods, now)
    if (ev.state && ev.state !== r.state) ctx.alarms.setState(r.name, ev.state, ev.reason, ev.reasonData, now)
  }
}

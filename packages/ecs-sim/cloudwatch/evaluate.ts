/**
 * How CloudWatch evaluates a metric alarm (pure): the last EvaluationPeriods periods, DatapointsToAlarm
 * of them breaching puts it in ALARM; missing periods are treated as TreatMissingData says, and the state
 * reason reads like CloudWatch's ("Threshold Crossed: 1 datapoint [91.0 (02/12/26 01:45:00)] was greater
 * than the threshold (50.0).").
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 */
import type { AlarmState } from '../ecs/alarms.js'
import type { Comparison, TreatMissing } from './alarm-store.js'

export interface PeriodValue {
  /** Epoch ms of the period's start. */
  start: number
  /** Undefined: no data in the period. */
  value?: number
  sampleCount?: number
}

export interface AlarmRule {
  statistic: string
  period: number
  evaluationPeriods: number
  datapointsToAlarm: number
  threshold: number
  comparison: Comparison
  treatMissingData: TreatMissing
}

export interface Evaluation {
  /** Undefined: the state stays as it is (TreatMissingData ignore with no data). */
  state?: AlarmState
  reason: string
  reasonData: string
}

const WORDS: Record<Comparison, string> = {
  GreaterThanThreshold: 'greater than',
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to'
}

export function breaches(value: number, threshold: number, op: Comparison): boolean {
  switch (op) {
    case 'GreaterThanThreshold':
      return value > threshold
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold
    case 'LessThanThreshold':
      return value < threshold
    case 'LessThanOrEqualToThreshold':
      return value <= threshold
  }
}

/** A double as CloudWatch prints it: 91.0, 0.5, 1.0E-5 style left to JavaScript. */
export function double(v: number): string {
  return Number.isInteger(v) ? v.toFixed(1) : String(v)
}

/** dd/MM/yy HH:mm:ss in UTC, as CloudWatch's state reasons show a datapoint's time. */
export function reasonTime(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** `periods` newest first, exactly evaluationPeriods of them. */
export function evaluate(rule: AlarmRule, periods: PeriodValue[], now: number): Evaluation {
  const n = rule.evaluationPeriods
  const m = rule.datapointsToAlarm
  const present = periods.filter((p): p is PeriodValue & { value: number } => p.value !== undefined)
  const missingCount = periods.length - present.length
  const breaching = present.filter(p => breaches(p.value, rule.threshold, rule.comparison))
  const missingBreach = rule.treatMissingData === 'breaching' ? missingCount : 0
  const reasonData = JSON.stringify({
    version: '1.0',
    queryDate: new Date(now).toISOString().replace('Z', '+0000'),
    startDate: new Date(periods.at(-1)?.start ?? now).toISOString().replace('Z', '+0000'),
    statistic: rule.statistic,
    period: rule.period,
    recentDatapoints: [...present].reverse().map(p => p.value),
    threshold: rule.threshold,
    evaluatedDatapoints: periods.map(p =>
      p.value === undefined
        ? { timestamp: new Date(p.start).toISOString().replace('Z', '+0000') }
        : {
            timestamp: new Date(p.start).toISOString().replace('Z', '+0000'),
            sampleCount: p.sampleCount,
            value: p.value
          }
    )
  })
  const list = (ps: (PeriodValue & { value: number })[]) =>
    `[${ps.map(p => `${double(p.value)} (${reasonTime(p.start)})`).join(', ')}]`
  const words = WORDS[rule.comparison]
  const threshold = `the threshold (${double(rule.threshold)})`

  if (breaching.length + missingBreach >= m) {
    const count = breaching.length + missingBreach
    const reason =
      n === 1
        ? `Threshold Crossed: 1 datapoint ${list(breaching)} was ${words} ${threshold}.`
        : `Threshold Crossed: ${count} out of the last ${n} datapoints ${list(breaching)} ` +
          `${count === 1 ? 'was' : 'were'} ${words} ${threshold} (minimum ${plural(m, 'datapoint')} for OK -> ALARM transition).`
    return { state: 'ALARM', reason, reasonData }
  }
  const counted =
    present.length + (rule.treatMissingData === 'notBreaching' ? missingCount : 0) + missingBreach
  if (counted === 0) {
    const reason = `Insufficient Data: ${plural(n, 'datapoint')} ${n === 1 ? 'was' : 'were'} unknown.`
    return rule.treatMissingData === 'ignore'
      ? { reason, reasonData }
      : { state: 'INSUFFICIENT_DATA', reason, reasonData }
  }
  const ok = present.filter(p => !breaches(p.value, rule.threshold, rule.comparison))
  const reason =
    n === 1
      ? ok.length === 1
        ? `Threshold Crossed: 1 datapoint ${list(ok)} was not ${words} ${threshold}.`
        : `Threshold Crossed: no datapoints were ${words} ${threshold}.`
      : `Threshold Crossed: ${ok.length} out of the last ${n} datapoints ${list(ok)} ` +
        `${ok.length === 1 ? 'was' : 'were'} not ${words} ${threshold} (minimum ${plural(n - m + 1, 'datapoint')} for ALARM -> OK transition).`
  return { state: 'OK', reason, reasonData }
}

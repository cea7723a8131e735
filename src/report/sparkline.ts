/**
 * Series on a time grid, and the one-line pictures and numbers drawn from them: a Unicode sparkline
 * (▁▂▃▄▅▆▇█, a gap as a space, the deploy as ┃), min/median/max, and the before → after sentence. Pure.
 */
import type { MetricSeries, SeriesId } from '../metrics.js'

export const SPARKS = '▁▂▃▄▅▆▇█'
/** Where the deploy is in a sparkline. */
export const DEPLOY_MARK = '┃'
/** Longer sparklines are drawn from averages of neighbouring points. */
export const SPARK_WIDTH = 60

/** Our own names for the series (nothing from CloudWatch reaches the Markdown). */
export const SERIES_LABELS: Record<SeriesId, string> = {
  'service-cpu': 'Service CPU',
  'service-memory': 'Service memory',
  'service-tasks': 'Running tasks',
  'cluster-cpu': 'Cluster CPU',
  'cluster-memory': 'Cluster memory',
  'cluster-cpu-reservation': 'Cluster CPU reserved',
  'cluster-memory-reservation': 'Cluster memory reserved'
}

/** A series' values on the grid `from + i × period` (i < n); a bucket without a point is undefined. */
export function onGrid(points: MetricSeries['points'], from: Date, periodSeconds: number, n: number) {
  const grid: Array<number | undefined> = new Array<number | undefined>(n).fill(undefined)
  const step = periodSeconds * 1000
  for (const p of points) {
    const i = Math.round((p.at.getTime() - from.getTime()) / step)
    if (i >= 0 && i < n) grid[i] = p.value
  }
  return grid
}

/** Gaps filled for a line chart: straight between neighbours, the nearest value at the ends. */
export function fillGaps(values: Array<number | undefined>): number[] {
  const known = values.flatMap((v, i) => (v === undefined ? [] : [i]))
  if (known.length === 0) return []
  return values.map((v, i) => {
    if (v !== undefined) return v
    const after = known.find(k => k > i)
    const before = [...known].reverse().find(k => k < i)
    if (before === undefined) return values[after as number] as number
    if (after === undefined) return values[before] as number
    const a = values[before] as number
    const b = values[after] as number
    return a + ((b - a) * (i - before)) / (after - before)
  })
}

/** Averages of `k` neighbouring values (undefined when none of them is known). */
export function squeeze(values: Array<number | undefined>, k: number): Array<number | undefined> {
  if (k <= 1) return values
  const out: Array<number | undefined> = []
  for (let i = 0; i < values.length; i += k) {
    const known = values.slice(i, i + k).filter((v): v is number => v !== undefined)
    out.push(known.length ? known.reduce((a, b) => a + b, 0) / known.length : undefined)
  }
  return out
}

/**
 * The sparkline of `values` on the scale lo..hi (a value at or below lo is ▁, at or above hi is █); a gap
 * is a space; `mark` (an index) puts ┃ before that value.
 */
export function sparkline(values: Array<number | undefined>, lo: number, hi: number, mark?: number): string {
  const top = SPARKS.length - 1
  const chars = values.map(v => {
    if (v === undefined) return ' '
    const at = hi > lo ? Math.round(((v - lo) / (hi - lo)) * top) : 0
    return SPARKS[Math.min(top, Math.max(0, at))]
  })
  if (mark !== undefined && mark >= 0 && mark <= chars.length) chars.splice(mark, 0, DEPLOY_MARK)
  return chars.join('')
}

export interface Stats {
  min: number
  median: number
  max: number
  count: number
}

/** min/median/max of the known values, or undefined with none. */
export function stats(values: Array<number | undefined>): Stats | undefined {
  const known = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b)
  if (known.length === 0) return undefined
  const mid = Math.floor(known.length / 2)
  const median = known.length % 2 ? known[mid] : (known[mid - 1] + known[mid]) / 2
  return { min: known[0], median, max: known[known.length - 1], count: known.length }
}

/** "41%", "4.2%", "0%"; a count as "2". */
export function formatValue(id: SeriesId, value: number): string {
  if (id === 'service-tasks') return `${Math.round(value * 10) / 10}`
  const rounded = Math.abs(value) < 10 ? Math.round(value * 10) / 10 : Math.round(value)
  return `${rounded}%`
}

/**
 * The medians before and after the deploy, of the series that have points on both sides. A point stands for
 * the period that starts at its time: it is "before" only when its whole period ended by the deploy, so the
 * period the deploy falls in (already under the new version's load) counts after it.
 */
export function beforeAfter(
  series: MetricSeries,
  deployAt: Date,
  periodMs = 0
): { before?: Stats; after?: Stats } {
  const t = deployAt.getTime()
  const endedBefore = (p: { at: Date }) => p.at.getTime() + periodMs <= t && p.at.getTime() < t
  return {
    before: stats(series.points.filter(p => endedBefore(p)).map(p => p.value)),
    after: stats(series.points.filter(p => !endedBefore(p)).map(p => p.value))
  }
}

/** "a", "a and b", "a, b and c". */
export function listed(items: string[]): string {
  return items.length <= 2
    ? items.join(' and ')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

/**
 * One sentence comparing before and after: "Service CPU 41% → 63% and memory 52% → 52% median after
 * the deploy." Series with no point on one side are said plainly; nothing with no series at all.
 */
export function compareSentence(
  subject: string,
  series: MetricSeries[],
  deployAt: Date,
  periodMs = 0
): string | undefined {
  if (series.length === 0) return undefined
  const parts: string[] = []
  const missing: string[] = []
  for (const s of series) {
    const name = SERIES_LABELS[s.id].replace(`${subject} `, '')
    const { before, after } = beforeAfter(s, deployAt, periodMs)
    if (before && after)
      parts.push(`${name} ${formatValue(s.id, before.median)} → ${formatValue(s.id, after.median)}`)
    else missing.push(`${name} has no data ${before ? 'after' : 'before'} the deploy`)
  }
  const said = parts.length ? `${subject} ${listed(parts)} median after the deploy` : ''
  const gaps = missing.length ? `${said ? '; ' : `${subject}: `}${listed(missing)}` : ''
  return `${said}${gaps}.`
}

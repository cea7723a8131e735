/**
 * The summary's "CPU and memory" section: for the service, and beside it for the cluster, a Mermaid
 * `xychart-beta` (GitHub draws Mermaid in a job summary; inline SVG and data-URI images it does not) with
 * one line per series over the minutes around the deploy and the deploy drawn as a grey band of bars
 * (x = minutes from the deploy, so 0 is the deploy); then, for any renderer, one sparkline per series with
 * min/median/max, and one sentence comparing before and after. Also the same lines for the log.
 *
 * Everything in the diagrams is ours (series names, numbers); the one outside text, a read failure's
 * message, goes through `md`. Mermaid's parser accepts these charts (__tests__/report/charts-mermaid.test.ts).
 * Pure.
 */
import type { DeployMetrics, MetricSeries, SeriesId } from '../metrics.js'
import { clock, code, duration, md, table } from './format.js'
import {
  DEPLOY_MARK,
  SERIES_LABELS,
  SPARK_WIDTH,
  compareSentence,
  fillGaps,
  formatValue,
  onGrid,
  sparkline,
  squeeze,
  stats
} from './sparkline.js'

const SERVICE: SeriesId[] = ['service-cpu', 'service-memory']
const CLUSTER: SeriesId[] = [
  'cluster-cpu',
  'cluster-memory',
  'cluster-cpu-reservation',
  'cluster-memory-reservation'
]
/** The deploy band first (drawn under the lines), then one colour per line, in SERVICE/CLUSTER order. */
const BAND = '#d0d7de'
const COLOURS: Record<SeriesId, [string, string]> = {
  'service-cpu': ['#0969da', 'blue'],
  'service-memory': ['#bc4c00', 'orange'],
  'service-tasks': ['#1a7f37', 'green'],
  'cluster-cpu': ['#0969da', 'blue'],
  'cluster-memory': ['#bc4c00', 'orange'],
  'cluster-cpu-reservation': ['#54aeff', 'light blue'],
  'cluster-memory-reservation': ['#fb8f44', 'light orange']
}

/** The grid the window is read on, trimmed to where the given series have data. */
export interface Grid {
  /** Time of the first point shown. */
  start: Date
  periodSeconds: number
  /** Values per series on the grid (undefined: no point in that period). */
  values: Map<SeriesId, Array<number | undefined>>
  /** Points on the grid. */
  length: number
  /** Index of the first period that overlaps the deploy, and of the last (the deploy band). */
  deployFrom: number
  deployTo: number
}

export function gridOf(metrics: DeployMetrics, ids: SeriesId[]): Grid | undefined {
  const step = metrics.periodSeconds * 1000
  const n = Math.max(1, Math.round((metrics.to.getTime() - metrics.from.getTime()) / step))
  const chosen = metrics.series.filter(s => ids.includes(s.id))
  const full = new Map(chosen.map(s => [s.id, onGrid(s.points, metrics.from, metrics.periodSeconds, n)]))
  const has = (i: number) => [...full.values()].some(v => v[i] !== undefined)
  let first = 0
  while (first < n && !has(first)) first++
  if (first === n) return undefined
  let last = n - 1
  while (!has(last)) last--
  const at = (t: Date) => (t.getTime() - metrics.from.getTime()) / step
  // The band: every period [t, t + step) that overlaps [deployAt, deployEnd], within the shown span.
  const deployFrom = Math.max(first, Math.floor(at(metrics.deployAt))) - first
  const deployTo =
    Math.min(last, Math.max(Math.floor(at(metrics.deployEnd)), Math.floor(at(metrics.deployAt)))) - first
  return {
    start: new Date(metrics.from.getTime() + first * step),
    periodSeconds: metrics.periodSeconds,
    values: new Map([...full].map(([id, v]) => [id, v.slice(first, last + 1)])),
    length: last - first + 1,
    deployFrom,
    deployTo
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10

/** Minutes from the deploy of grid point i (the chart's x). */
function minutesAt(grid: Grid, deployAt: Date, i: number): number {
  return round1((grid.start.getTime() + i * grid.periodSeconds * 1000 - deployAt.getTime()) / 60_000)
}

/** The xychart source (without the fence), or undefined when the series have fewer than 2 points. */
export function xyChart(title: string, metrics: DeployMetrics, ids: SeriesId[]): string | undefined {
  const grid = gridOf(metrics, ids)
  if (!grid || grid.length < 2) return undefined
  const shown = ids.filter(id => grid.values.has(id))
  const lines = shown.map(id => ({ id, values: fillGaps(grid.values.get(id) ?? []).map(round1) }))
  const top = Math.max(100, ...lines.flatMap(l => l.values))
  const yMax = Math.ceil(top / 10) * 10
  const band = Array.from({ length: grid.length }, (_, i) =>
    i >= grid.deployFrom && i <= grid.deployTo ? yMax : 0
  )
  const palette = [BAND, ...shown.map(id => COLOURS[id][0])].join(', ')
  return [
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`,
    'xychart-beta',
    `  title "${title}"`,
    `  x-axis "minutes from the deploy" ${minutesAt(grid, metrics.deployAt, 0)} --> ${minutesAt(grid, metrics.deployAt, grid.length - 1)}`,
    `  y-axis "percent" 0 --> ${yMax}`,
    `  bar "Deploy" [${band.join(', ')}]`,
    ...lines.map(l => `  line "${SERIES_LABELS[l.id]}" [${l.values.join(', ')}]`)
  ].join('\n')
}

/** The key to a chart's colours, for renderers that draw no legend. */
function key(metrics: DeployMetrics, ids: SeriesId[]): string {
  const shown = ids.filter(id => metrics.series.some(s => s.id === id))
  const colours = shown.map(id => `${COLOURS[id][1]}: ${SERIES_LABELS[id]}`)
  const took = duration(metrics.deployEnd.getTime() - metrics.deployAt.getTime())
  return `Key: ${colours.join(', ')}; grey bar: the deploy, at ${clock(metrics.deployAt)} UTC for ${took} (x: minutes from it).`
}

export interface SparkRow {
  id: SeriesId
  line: string
  min: string
  median: string
  max: string
}

/** A sparkline of percentages spans at least this many points. */
const MIN_SPAN = 10

/** One sparkline per series over the whole window, ┃ at the deploy; at most SPARK_WIDTH wide. */
export function sparkRows(metrics: DeployMetrics, ids: SeriesId[]): SparkRow[] {
  const grid = gridOf(metrics, ids)
  if (!grid) return []
  const k = Math.ceil(grid.length / SPARK_WIDTH)
  return ids.flatMap(id => {
    const values = grid.values.get(id)
    const s = values && stats(values)
    if (!values || !s) return []
    const squeezed = squeeze(values, k)
    // Counts from 0; percentages on their own range, at least MIN_SPAN points tall (noise stays low).
    const lo = id === 'service-tasks' ? 0 : s.min
    const hi = id === 'service-tasks' ? Math.max(1, s.max) : Math.max(s.max, s.min + MIN_SPAN)
    const mark = Math.floor(grid.deployFrom / k)
    return [
      {
        id,
        line: sparkline(squeezed, lo, hi, mark),
        min: formatValue(id, s.min),
        median: formatValue(id, s.median),
        max: formatValue(id, s.max)
      }
    ]
  })
}

function sparkTable(rows: SparkRow[]): string {
  return table(
    ['Series', `Before ${DEPLOY_MARK} after`, 'Min', 'Median', 'Max'],
    rows.map(r => [SERIES_LABELS[r.id], code(r.line), r.min, r.median, r.max])
  )
}

function seriesOf(metrics: DeployMetrics, ids: SeriesId[]): MetricSeries[] {
  return ids.flatMap(id => metrics.series.filter(s => s.id === id))
}

/** The sentences comparing before and after, service first. */
export function comparisons(metrics: DeployMetrics): string[] {
  return [
    compareSentence('Service', seriesOf(metrics, SERVICE), metrics.deployAt, metrics.periodSeconds * 1000),
    compareSentence('Cluster', seriesOf(metrics, CLUSTER), metrics.deployAt, metrics.periodSeconds * 1000)
  ].filter((s): s is string => s !== undefined)
}

function where(metrics: DeployMetrics): string {
  const source = metrics.source === 'AWS/ECS' ? '`AWS/ECS`' : 'Container Insights (`ECS/ContainerInsights`)'
  return `${source}, ${metrics.periodSeconds} s averages`
}

/** One part (service or cluster): chart, key and sparklines, or a plain line when there is too little. */
function part(
  heading: string,
  title: string,
  metrics: DeployMetrics,
  ids: SeriesId[],
  extra: SeriesId[] = []
): string[] {
  const rows = sparkRows(metrics, [...ids, ...extra])
  if (rows.length === 0) return []
  const chart = xyChart(title, metrics, ids)
  return [
    `#### ${heading}`,
    '',
    ...(chart
      ? ['```mermaid', chart, '```', '', key(metrics, ids), '']
      : metrics.series.some(s => ids.includes(s.id))
        ? ['Too few points for a chart yet: the numbers are below.', '']
        : []),
    sparkTable(rows),
    ''
  ]
}

/** The section (nothing when the run read no metrics: no deploy, or not waited for). */
export function renderCharts(metrics: DeployMetrics | undefined): string[] {
  if (!metrics) return []
  const head = ['### CPU and memory', '']
  if (metrics.error) return [...head, md(metrics.error), '']
  const service = part('Service', 'Service CPU and memory', metrics, SERVICE, ['service-tasks'])
  const cluster = part('Cluster', 'Cluster CPU and memory', metrics, CLUSTER)
  if (service.length === 0 && cluster.length === 0) {
    return [
      ...head,
      `No metrics yet: CloudWatch has no CPU or memory points for the service between ${clock(metrics.from)} and ${clock(
        metrics.to
      )} UTC (ECS sends them every minute while tasks run; a new service has none at first).`,
      ''
    ]
  }
  const sentences = comparisons(metrics)
  return [...head, `${sentences.join(' ')} Source: ${where(metrics)}.`, '', ...service, ...cluster]
}

/** The same for the log: one sparkline per series with its numbers, and the sentences. */
export function metricsLogLines(metrics: DeployMetrics | undefined): string[] {
  if (!metrics) return []
  if (metrics.error) return [metrics.error]
  const rows = [...sparkRows(metrics, [...SERVICE, 'service-tasks']), ...sparkRows(metrics, CLUSTER)]
  if (rows.length === 0) return ['CPU and memory: no metrics yet for the window.']
  const width = Math.max(...rows.map(r => SERIES_LABELS[r.id].length))
  return [
    `CPU and memory (source: ${where(metrics).replace(/`/g, '')}; ${DEPLOY_MARK} = the deploy at ${clock(metrics.deployAt)} UTC):`,
    ...rows.map(
      r =>
        `  ${SERIES_LABELS[r.id].padEnd(width)}  ${r.line}  min ${r.min} · median ${r.median} · max ${r.max}`
    ),
    ...comparisons(metrics).map(s => `  ${s}`)
  ]
}

import { describe, expect, it } from '@jest/globals'
import type { DeployMetrics, MetricSeries, SeriesId } from '../../src/metrics.js'
import { gridOf, metricsLogLines, renderCharts, sparkRows, xyChart } from '../../src/report/charts.js'
import {
  compareSentence,
  fillGaps,
  formatValue,
  listed,
  onGrid,
  sparkline,
  squeeze,
  stats
} from '../../src/report/sparkline.js'
import { SCENARIOS } from './scenarios.js'

const T0 = Date.UTC(2026, 11, 1, 21, 0, 0)
const at = (minutes: number, seconds = 0) => new Date(T0 + minutes * 60_000 + seconds * 1000)
const U = undefined

/** A window 21:00–21:10, the deploy at 21:05:30 for 20 s; series from minute → value maps. */
function metrics(
  series: Partial<Record<SeriesId, Record<number, number>>>,
  over: Partial<DeployMetrics> = {}
) {
  return {
    deployAt: at(5, 30),
    deployEnd: at(5, 50),
    from: at(0),
    to: at(10),
    periodSeconds: 60,
    source: 'AWS/ECS',
    series: Object.entries(series).map(([id, values]): MetricSeries => ({
      id: id as SeriesId,
      points: Object.entries(values).map(([m, value]) => ({ at: at(Number(m)), value }))
    })),
    ...over
  } satisfies DeployMetrics
}

const ramp = (from: number, to: number, step = 1) =>
  Object.fromEntries(Array.from({ length: 10 }, (_, i) => [i, i < 6 ? from : to + (i - 6) * step]))

describe('sparkline', () => {
  it.each<[string, Array<number | undefined>, number, number, number | undefined, string]>([
    ['the full range, low to high', [0, 1, 2, 3, 4, 5, 6, 7], 0, 7, U, '▁▂▃▄▅▆▇█'],
    ['values outside the scale are clamped', [-5, 50, 500], 0, 100, U, '▁▅█'],
    ['a gap is a space', [10, U, 90], 0, 100, U, '▂ ▇'],
    ['the deploy mark goes before its value', [0, 0, 100, 100], 0, 100, 2, '▁▁┃██'],
    ['the mark at the end', [0, 100], 0, 100, 2, '▁█┃'],
    ['a mark beyond the line is left out', [0, 100], 0, 100, 5, '▁█'],
    ['a flat scale draws the floor', [3, 3], 3, 3, U, '▁▁'],
    ['nothing', [], 0, 100, U, '']
  ])('%s', (_name, values, lo, hi, mark, expected) => {
    expect(sparkline(values, lo, hi, mark)).toBe(expected)
  })
})

describe('stats', () => {
  it.each<[string, Array<number | undefined>, ReturnType<typeof stats>]>([
    ['odd count', [3, 1, 2], { min: 1, median: 2, max: 3, count: 3 }],
    ['even count: the middle two averaged', [4, 1, 3, 2], { min: 1, median: 2.5, max: 4, count: 4 }],
    ['gaps do not count', [U, 5, U], { min: 5, median: 5, max: 5, count: 1 }],
    ['nothing known', [U, U], U]
  ])('%s', (_name, values, expected) => {
    expect(stats(values)).toEqual(expected)
  })
})

describe('the grid', () => {
  it.each<[string, number[], Array<number | undefined>]>([
    ['a point per period', [0, 1, 2], [10, 11, 12, U]],
    ['a point a few seconds off its period still lands in it', [0, 2], [10, U, 12, U]],
    ['points outside the window are left out', [-3, 9], [U, U, U, U]]
  ])('onGrid: %s', (_name, minutes, expected) => {
    const points = minutes.map(m => ({ at: at(m, m === 2 ? 4 : 0), value: 10 + m }))
    expect(onGrid(points, at(0), 60, 4)).toEqual(expected)
  })

  it.each<[string, Array<number | undefined>, number[]]>([
    ['inner gaps: a straight line', [10, U, U, 40], [10, 20, 30, 40]],
    ['ends: the nearest value', [U, 5, 7, U], [5, 5, 7, 7]],
    ['nothing known: no line', [U, U], []]
  ])('fillGaps: %s', (_name, values, expected) => {
    expect(fillGaps(values)).toEqual(expected)
  })

  it.each<[string, Array<number | undefined>, number, Array<number | undefined>]>([
    ['pairs averaged', [1, 3, 5, 7], 2, [2, 6]],
    ['a gap is left out of the average', [1, U, U, U, 4], 2, [1, U, 4]],
    ['k 1 changes nothing', [1, U], 1, [1, U]]
  ])('squeeze: %s', (_name, values, k, expected) => {
    expect(squeeze(values, k)).toEqual(expected)
  })

  it('is trimmed to where the series have data, and marks the periods the deploy overlaps', () => {
    const grid = gridOf(metrics({ 'service-cpu': { 2: 10, 3: 20, 7: 30 } }, { deployEnd: at(6, 10) }), [
      'service-cpu'
    ])
    expect(grid).toMatchObject({ start: at(2), length: 6, deployFrom: 3, deployTo: 4 })
    expect(grid?.values.get('service-cpu')).toEqual([10, 20, U, U, U, 30])
  })
})

describe('formatValue and listed', () => {
  it.each<[SeriesId, number, string]>([
    ['service-cpu', 41.4, '41%'],
    ['service-cpu', 4.24, '4.2%'],
    ['service-memory', 0, '0%'],
    ['cluster-cpu-reservation', 130.6, '131%'],
    ['service-tasks', 2, '2'],
    ['service-tasks', 2.5, '2.5']
  ])('%s %d → %s', (id, value, expected) => {
    expect(formatValue(id, value)).toBe(expected)
  })

  it.each<[string[], string]>([
    [['a'], 'a'],
    [['a', 'b'], 'a and b'],
    [['a', 'b', 'c'], 'a, b and c']
  ])('%j → %s', (items, expected) => {
    expect(listed(items)).toBe(expected)
  })
})

describe('compareSentence', () => {
  const deployAt = at(5, 30)
  const series = (id: SeriesId, values: Record<number, number>): MetricSeries => ({
    id,
    points: Object.entries(values).map(([m, value]) => ({ at: at(Number(m)), value }))
  })

  it.each<[string, MetricSeries[], string | undefined]>([
    [
      'both sides of both series',
      [series('service-cpu', { 4: 40, 5: 42, 6: 63 }), series('service-memory', { 5: 52, 6: 52 })],
      'Service CPU 41% → 63% and memory 52% → 52% median after the deploy.'
    ],
    [
      'a side without data is said plainly',
      [series('service-cpu', { 4: 40, 6: 63 }), series('service-memory', { 7: 50 })],
      'Service CPU 40% → 63% median after the deploy; memory has no data before the deploy.'
    ],
    [
      'no side with data on both',
      [series('service-cpu', { 1: 40 })],
      'Service: CPU has no data after the deploy.'
    ],
    ['no series', [], undefined]
  ])('%s', (_name, given, expected) => {
    expect(compareSentence('Service', given, deployAt)).toBe(expected)
  })

  // Minute points (each the period starting at it): the minute the deploy falls in is already after it.
  it.each<[string, MetricSeries[], string | undefined]>([
    [
      'the minute of the deploy counts after it, not before',
      [series('service-cpu', { 3: 3, 4: 3, 5: 280, 6: 30 })],
      'Service CPU 3% → 155% median after the deploy.'
    ],
    [
      'a deploy in the first minute shown: nothing before it',
      [series('service-cpu', { 5: 280, 6: 30 })],
      'Service: CPU has no data before the deploy.'
    ]
  ])('%s (60 s periods)', (_name, given, expected) => {
    expect(compareSentence('Service', given, deployAt, 60_000)).toBe(expected)
  })
})

describe('xyChart', () => {
  it('draws CPU and memory as lines and the deploy as bars at the top of the axis', () => {
    const chart = xyChart(
      'Service CPU and memory',
      metrics({ 'service-cpu': ramp(40, 60), 'service-memory': ramp(50, 55, 0) }),
      ['service-cpu', 'service-memory']
    )
    expect(chart?.split('\n')).toEqual([
      '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#d0d7de, #0969da, #bc4c00"}}}}%%',
      'xychart-beta',
      '  title "Service CPU and memory"',
      '  x-axis "minutes from the deploy" -5.5 --> 3.5',
      '  y-axis "percent" 0 --> 100',
      '  bar "Deploy" [0, 0, 0, 0, 0, 100, 0, 0, 0, 0]',
      '  line "Service CPU" [40, 40, 40, 40, 40, 40, 60, 61, 62, 63]',
      '  line "Service memory" [50, 50, 50, 50, 50, 50, 55, 55, 55, 55]'
    ])
  })

  it.each<[string, DeployMetrics, string | RegExp | undefined]>([
    [
      'a CPU above 100 % raises the axis to the next 10',
      metrics({ 'service-cpu': ramp(90, 131) }),
      /y-axis "percent" 0 --> 140$/m
    ],
    [
      'the band reaches the raised axis',
      metrics({ 'service-cpu': ramp(90, 131) }),
      /bar "Deploy" \[0, 0, 0, 0, 0, 140,/
    ],
    [
      'a gap is drawn straight',
      metrics({ 'service-cpu': { 0: 10, 2: 30 } }),
      /line "Service CPU" \[10, 20, 30\]/
    ],
    ['one point is no chart', metrics({ 'service-cpu': { 3: 40 } }), undefined],
    ['no series is no chart', metrics({}), undefined],
    [
      'a deploy that lasted minutes is a wider band',
      metrics({ 'service-cpu': ramp(40, 60) }, { deployEnd: at(8, 1) }),
      /bar "Deploy" \[0, 0, 0, 0, 0, 100, 100, 100, 100, 0\]/
    ]
  ])('%s', (_name, given, expected) => {
    const chart = xyChart('Service CPU and memory', given, ['service-cpu', 'service-memory'])
    if (expected === undefined) expect(chart).toBeUndefined()
    else expect(chart).toMatch(expected)
  })
})

describe('renderCharts', () => {
  it.each<[string, DeployMetrics | undefined, Array<string | RegExp>, Array<string | RegExp>]>([
    ['no read (not waited for): no section', U, [], ['### CPU and memory']],
    [
      'nothing in CloudWatch yet: said plainly, no chart',
      metrics({}),
      [
        '### CPU and memory',
        /^No metrics yet: CloudWatch has no CPU or memory points for the service between 21:00:00 and 21:10:00 UTC/m
      ],
      ['```mermaid', '| Series']
    ],
    [
      'one point: the numbers, no chart',
      metrics({ 'service-cpu': { 3: 40 } }),
      [
        'Too few points for a chart yet',
        '| Service CPU | `▁` | 40% | 40% | 40% |',
        'Service: CPU has no data after the deploy.'
      ],
      ['```mermaid']
    ],
    [
      'the service with Container Insights task counts',
      metrics(
        { 'service-cpu': ramp(40, 60), 'service-tasks': ramp(2, 2, 0) },
        { source: 'ECS/ContainerInsights' }
      ),
      [
        '#### Service',
        '```mermaid',
        'Key: blue: Service CPU; grey bar: the deploy, at 21:05:30 UTC for 20 s (x: minutes from it).',
        '| Running tasks | `█████┃█████` | 2 | 2 | 2 |',
        'Service CPU 40% → 61% median after the deploy. Source: Container Insights (`ECS/ContainerInsights`), 60 s averages.'
      ],
      ['#### Cluster']
    ],
    [
      'the cluster beside the service',
      metrics({ 'service-cpu': ramp(40, 60), 'cluster-cpu-reservation': ramp(50, 70, 0) }),
      [
        '#### Service',
        '#### Cluster',
        'Cluster CPU reserved 50% → 70% median after the deploy.',
        '| Cluster CPU reserved | `▁▁▁▁▁┃▁████` |'
      ],
      []
    ],
    [
      'a read failure is one escaped line',
      metrics({}, { error: 'Could not read the metrics: <b>denied</b> *now* | [x](y)' }),
      ['Could not read the metrics: &lt;b&gt;denied&lt;/b&gt; \\*now\\* \\| \\[x\\](y)'],
      ['<b>', 'No metrics yet']
    ]
  ])('%s', (_name, given, present, absent) => {
    const text = renderCharts(given).join('\n')
    for (const p of present) {
      if (typeof p === 'string') expect(text).toContain(p)
      else expect(text).toMatch(p)
    }
    for (const a of absent) {
      if (typeof a === 'string') expect(text).not.toContain(a)
      else expect(text).not.toMatch(a)
    }
  })

  it('comes after what changed and before the phases in the green summary', async () => {
    const { renderSummary } = await import('../../src/report/summary.js')
    const text = renderSummary(SCENARIOS.green)
    const order = ['### What changed', '### CPU and memory', '#### Service', '#### Cluster', '### Phases']
    const found = order.map(h => text.indexOf(h))
    expect(found.every(i => i > 0)).toBe(true)
    expect([...found].sort((a, b) => a - b)).toEqual(found)
  })
})

describe('sparkRows and the log', () => {
  it('squeezes a long window into at most 60 characters, the mark where the deploy is', () => {
    const long = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [i, i < 90 ? 10 : 90]))
    const given = metrics({ 'service-cpu': long }, { to: at(120), deployAt: at(90), deployEnd: at(91) })
    const [row] = sparkRows(given, ['service-cpu'])
    expect(row.line.replace('┃', '')).toHaveLength(60)
    expect(row.line.indexOf('┃')).toBe(45)
  })

  it.each<[string, DeployMetrics | undefined, string[] | RegExp]>([
    ['no read: nothing', U, []],
    [
      'a failure: its line',
      metrics({}, { error: 'Could not read the metrics: x' }),
      ['Could not read the metrics: x']
    ],
    ['nothing yet', metrics({}), ['CPU and memory: no metrics yet for the window.']],
    [
      'a sparkline per series, then the sentences',
      metrics({ 'service-cpu': ramp(40, 60), 'service-memory': ramp(50, 50, 0) }),
      [
        'CPU and memory (source: AWS/ECS, 60 s averages; ┃ = the deploy at 21:05:30 UTC):',
        '  Service CPU     ▁▁▁▁▁┃▁▇▇██  min 40% · median 40% · max 63%',
        '  Service memory  ▁▁▁▁▁┃▁▁▁▁▁  min 50% · median 50% · max 50%',
        '  Service CPU 40% → 61% and memory 50% → 50% median after the deploy.'
      ]
    ]
  ])('%s', (_name, given, expected) => {
    expect(metricsLogLines(given)).toEqual(expected)
  })
})

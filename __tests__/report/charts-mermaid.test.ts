/**
 * The summary's CPU and memory charts are read by the `mermaid` package's own parser. The chart's texts
 * (title, axis titles, series names) go through DOMPurify, which needs a browser's DOM and has none
 * here: this file (its own module registry, so mermaid.test.ts keeps the real, DOM-less DOMPurify) gives
 * DOMPurify a pass-through `sanitize` and `addHook`, so what is tested is the parser. The browser's own
 * sanitising draws the same source in `npm run screenshots` (docs/summary-green.png).
 */
import { describe, expect, it } from '@jest/globals'
import DOMPurify from 'dompurify'
import type { DeployMetrics, SeriesId } from '../../src/metrics.js'
import { xyChart } from '../../src/report/charts.js'
import { renderSummary } from '../../src/report/summary.js'
import { CONTEXT, SCENARIOS } from './scenarios.js'

Object.assign(DOMPurify, { sanitize: (text: string) => text, addHook: () => undefined })
const { default: mermaid } = await import('mermaid')

function diagrams(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map(m => m[1])
}

const T0 = Date.UTC(2026, 11, 1, 21, 0, 0)
const at = (minutes: number) => new Date(T0 + minutes * 60_000)

function metrics(series: Partial<Record<SeriesId, number[]>>): DeployMetrics {
  return {
    deployAt: at(5),
    deployEnd: at(7),
    from: at(0),
    to: at(10),
    periodSeconds: 60,
    source: 'AWS/ECS',
    series: Object.entries(series).map(([id, values]) => ({
      id: id as SeriesId,
      points: values.map((value, i) => ({ at: at(i), value }))
    }))
  }
}

describe('the CPU and memory charts', () => {
  it('of the green summary: two xycharts (service, cluster) the parser accepts, with every series', async () => {
    const charts = diagrams(renderSummary(SCENARIOS.green, CONTEXT)).filter(d => d.includes('xychart-beta'))
    expect(charts).toHaveLength(2)
    for (const chart of charts)
      await expect(mermaid.parse(chart)).resolves.toMatchObject({ diagramType: 'xychart' })
    expect(charts[0]).toMatch(/line "Service CPU" \[/)
    expect(charts[0]).toMatch(/line "Service memory" \[/)
    expect(charts[0]).toMatch(/bar "Deploy" \[/)
    expect(charts[1]).toMatch(/line "Cluster CPU reserved" \[/)
  })

  it.each<[string, Partial<Record<SeriesId, number[]>>]>([
    ['CPU above 100 %', { 'service-cpu': [90, 120, 180, 140] }],
    ['one series', { 'service-memory': [10, 10.5, 11] }],
    ['fractions and zeros', { 'service-cpu': [0, 0.1, 0.25, 0], 'service-memory': [0, 0, 0, 0] }]
  ])('the parser accepts %s', async (_name, series) => {
    const chart = xyChart('Service CPU and memory', metrics(series), ['service-cpu', 'service-memory'])
    expect(chart).toBeDefined()
    await expect(mermaid.parse(chart as string)).resolves.toMatchObject({ diagramType: 'xychart' })
  })

  it('refuses a broken xychart (the parser can fail)', async () => {
    await expect(mermaid.parse('xychart-beta\n  line "CPU" [1, 2,, 3]\n')).rejects.toThrow(/Parse error/)
  })
})

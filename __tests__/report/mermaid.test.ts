/**
 * Every diagram the summary emits is read by the `mermaid` package's own parser. `mermaid.parse` needs no
 * DOM for a gantt without a `title` (a title goes through DOMPurify, which needs a window): the picture
 * emits none, and this test would fail (TypeError from DOMPurify) if one came back.
 */
import { describe, expect, it } from '@jest/globals'
import mermaid from 'mermaid'
import { renderSummary } from '../../src/report/summary.js'
import { CONTEXT, SCENARIOS } from './scenarios.js'

function diagrams(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map(m => m[1])
}

describe('mermaid', () => {
  // The CPU and memory xycharts have their own test (charts-mermaid.test.ts: their texts need DOMPurify).
  it.each(Object.keys(SCENARIOS))('accepts the gantt of %s', async name => {
    const found = diagrams(renderSummary(SCENARIOS[name], CONTEXT)).filter(d => !d.includes('xychart-beta'))
    expect(found).toHaveLength(1)
    for (const diagram of found)
      await expect(mermaid.parse(diagram)).resolves.toMatchObject({ diagramType: 'gantt' })
  })

  it('accepts phase names that are Mermaid syntax, made safe', async () => {
    const report = {
      ...SCENARIOS['red-crash'],
      timings: [
        { phase: 'a: b; c # d', ms: 5 },
        { phase: ':::', ms: 0 }
      ]
    }
    const [diagram] = diagrams(renderSummary(report, CONTEXT))
    await expect(mermaid.parse(diagram)).resolves.toMatchObject({ diagramType: 'gantt' })
  })

  it('refuses a broken gantt (the parser can fail)', async () => {
    await expect(mermaid.parse('gantt\n  dateFormat x\n  section Deploy\n  Plan\n')).rejects.toThrow(
      /Parse error/
    )
  })
})

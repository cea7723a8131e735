import { describe, expect, it } from '@jest/globals'
import { renderSummary } from '../../src/report/summary.js'
import { CONTEXT, SCENARIOS } from './scenarios.js'

const NAMES = Object.keys(SCENARIOS)

/** The summary's paragraphs: blocks between blank lines (a fence is one block with its blank lines). */
function paragraphs(text: string): string[] {
  const blocks: string[] = []
  let current: string[] = []
  let fence: string | undefined
  for (const line of text.split('\n')) {
    const mark = /^(`{3,})/.exec(line)?.[1]
    if (mark && (fence === undefined || line.trim() === fence)) fence = fence === undefined ? mark : undefined
    if (line === '' && fence === undefined) {
      if (current.length > 0) blocks.push(current.join('\n'))
      current = []
    } else current.push(line)
  }
  if (current.length > 0) blocks.push(current.join('\n'))
  return blocks
}

/** Header rows of the tables: the line above each `|---|` line. */
function headerRows(text: string): string[] {
  const lines = text.split('\n')
  return lines.flatMap((line, i) => (/^\|(-+\|)+$/.test(line) && i > 0 ? [lines[i - 1]] : []))
}

describe.each(NAMES)('the summary of %s', name => {
  const text = renderSummary(SCENARIOS[name], CONTEXT)

  it('renders as it did', () => {
    expect(text).toMatchSnapshot()
  })

  it('has a headline of at most 90 characters, on one line, first', () => {
    const first = text.split('\n')[0]
    expect(first).toMatch(/^## (✅|❌) /)
    expect(first.slice(3).length).toBeLessThanOrEqual(90)
  })

  it('has no empty table header cell', () => {
    const headers = headerRows(text)
    expect(headers.length).toBeGreaterThan(0)
    for (const header of headers) {
      const cells = header.slice(1, -1).split('|')
      for (const cell of cells) expect(cell.trim()).not.toBe('')
    }
  })

  it('says no paragraph twice, and the digest at most once', () => {
    const blocks = paragraphs(text).filter(b => b !== '</details>')
    expect(blocks.length).toBeGreaterThan(3)
    expect(blocks.filter((b, i) => blocks.indexOf(b) !== i)).toEqual([])
    const digest = SCENARIOS[name].imageDigest
    if (digest) expect(text.split(digest).length - 1).toBeLessThanOrEqual(1)
  })
})

describe('the summaries', () => {
  it('name the cause in the headline when red, and what runs now when green', () => {
    const headline = (name: string) => renderSummary(SCENARIOS[name], CONTEXT).split('\n')[0]
    expect(headline('green')).toBe('## ✅ web → shop-web:3 (a1b2c3d) in 39 s')
    expect(headline('red-crash')).toBe(
      '## ❌ web: container `web` exited with code 3 — rolled back to shop-web:2'
    )
    expect(headline('register-only')).toBe('## ✅ Registered shop-web:3 (a1b2c3d) in 6.2 s')
    expect(headline('cancelled')).toBe('## ❌ web: the run was cancelled — rollback started to shop-web:2')
  })

  it('put the cause before what changed on a red run, and the ids last, collapsed', () => {
    const text = renderSummary(SCENARIOS['red-crash'], CONTEXT)
    const order = ['### Why it failed', '### What changed', '### Rollback', '### Phases', '### Timeline']
    const at = order.map(h => text.indexOf(h))
    expect(at.every(i => i > 0)).toBe(true)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    expect(text.trimEnd()).toMatch(/<details><summary>Ids and ARNs<\/summary>[\s\S]*<\/details>$/)
    expect(text).toContain('<details><summary>4 tasks failed the same way</summary>')
    // The rollback's own events and our own steps are in the timeline.
    expect(text).toContain('| ▶ ecs-deploy | rollback started to shop-web:2 |')
    expect(text).toMatch(/\| 21:04:31 \| ECS \| steady state \|/)
  })
})

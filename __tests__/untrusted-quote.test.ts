import { describe, expect, test } from '@jest/globals'
import { boundMessage, defang, quote, truncate } from '../src/untrusted.js'

describe('defang', () => {
  test.each<[string, string]>([
    ['plain text: fine', 'plain text: fine'],
    ['a\nb\r\nc\rd\te', 'a\\nb\\r\\nc\\rd\\te'],
    ['nul\u0000bell\u0007esc\u001b[31m', 'nul\\u0000bell\\u0007esc\\u001b[31m'],
    ['del\u007fc1\u0085', 'del\\u007fc1\\u0085'],
    ['ls\u2028ps\u2029', 'ls\\u2028ps\\u2029'],
    ['bidi\u202eevil\u2066x\u2069', 'bidi\\u202eevil\\u2066x\\u2069'],
    ['zero\u200bwidth\ufeff', 'zero\\u200bwidth\\ufeff'],
    ['::error::x', ':\\u003aerror:\\u003ax'],
    [':::', ':\\u003a\\u003a'],
    ['arn:aws:ecs:eu-west-1:1:x', 'arn:aws:ecs:eu-west-1:1:x'],
    ['##[error]x', '#\\u0023[error]x'],
    ['café ✓ 🚀', 'café ✓ 🚀']
  ])('%p → %p', (text, expected) => {
    expect(defang(text)).toBe(expected)
  })
})

describe('truncate', () => {
  test.each<[string, number, string]>([
    ['short', 10, 'short'],
    ['exactly10!', 10, 'exactly10!'],
    ['eleven chars', 10, 'eleven ch…'],
    // Code points, not UTF-16 units: an emoji is never split in half.
    ['🚀🚀🚀', 3, '🚀🚀🚀'],
    ['🚀🚀🚀🚀', 3, '🚀🚀…']
  ])('%p to %p → %p', (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected)
  })

  test('a 10 MB value costs a slice', () => {
    const big = 'x'.repeat(10 * 1024 * 1024)
    expect(truncate(big, 60)).toBe(`${'x'.repeat(59)}…`)
  })
})

describe('quote', () => {
  test.each<[string, number | undefined, string]>([
    ['web', undefined, '"web"'],
    ['say "hi"', undefined, '"say \\"hi\\""'],
    ['back\\slash', undefined, '"back\\\\slash"'],
    ['x'.repeat(100), 10, `"${'x'.repeat(9)}…"`],
    ['root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1', 20, '"root:x:0:0:root:/ro…"'],
    ['a\n::error::b', undefined, '"a\\n:\\u003aerror:\\u003ab"']
  ])('%p (max %p) → %s', (value, max, expected) => {
    expect(quote(value, max)).toBe(expected)
  })
})

describe('boundMessage', () => {
  test('one line, bounded', () => {
    const message = boundMessage(`Unexpected scalar token: "${'y'.repeat(1000)}\n::warning::z"`, 100)
    expect(Array.from(message.replace(/\\u[0-9a-f]{4}|\\[nrt]/g, '.')).length).toBeLessThanOrEqual(100)
    expect(message).not.toMatch(/[\n\r]|::/)
    expect(message.endsWith('…')).toBe(true)
  })
})

/**
 * Fault injection's pure parts, without a simulator process: the seeded generator, the fault decision,
 * the control API's body parser and the fault state's sequence.
 */
import { describe, expect, test } from '@jest/globals'
import { FaultState, noFaults, type Faults } from '../context.js'
import { parseFaults } from '../control.js'
import { faultFor, isSeed, MAX_SEED, random32, uniform, type FaultRates } from '../random.js'

/** A seed's first n decisions as a string: T throttle, E 5xx, . none. */
function decisions(seed: number, n: number, rates: FaultRates): string {
  const letter = { throttle: 'T', error: 'E' }
  return Array.from({ length: n }, (_, k) => {
    const fault = faultFor(seed, k, rates)
    return fault ? letter[fault] : '.'
  }).join('')
}

const TEN_AND_TWO = { throttleRate: 0.1, errorRate: 0.02 }

describe('random32: a pure function of (seed, n)', () => {
  // Pinned: a change to the generator changes every seeded test's fault sequence, so it must show here.
  test.each([
    [0, [2156879050, 731986330, 1798580623, 1454929555]],
    [1, [4074205336, 2883810658, 2814033789, 1940616558]],
    [42, [794141034, 2778902077, 183835293, 1292141344]],
    [1000, [470282626, 3820848232, 2872565979, 1282246669]],
    [MAX_SEED, [2756487719, 1516358876, 2059719308, 1154734740]]
  ])('seed %d → %j', (seed, first) => {
    expect([0, 1, 2, 3].map(n => random32(seed, n))).toEqual(first)
    // Asked again, out of order: the same numbers (no hidden state).
    expect([3, 1, 2, 0].map(n => random32(seed, n))).toEqual([first[3], first[1], first[2], first[0]])
  })

  test('uniform numbers lie in [0, 1) and average about a half', () => {
    let sum = 0
    let min = 1
    let max = 0
    for (let n = 0; n < 100_000; n++) {
      const u = uniform(7, n)
      sum += u
      min = Math.min(min, u)
      max = Math.max(max, u)
    }
    expect(min).toBeGreaterThanOrEqual(0)
    expect(max).toBeLessThan(1)
    expect(sum / 100_000).toBeCloseTo(0.5, 2)
  })

  test('nearby seeds give unrelated streams, not shifted copies', () => {
    const a = Array.from({ length: 64 }, (_, n) => random32(1, n))
    const b = Array.from({ length: 64 }, (_, n) => random32(2, n))
    expect(a.filter(x => b.includes(x))).toEqual([])
  })
})

describe('faultFor: the fault of the k-th call', () => {
  test.each([
    [0, TEN_AND_TWO, '.............T...........T.E..........T.'],
    [1, TEN_AND_TWO, '...................T..E.................'],
    [42, TEN_AND_TWO, '.T............T.......T.E...........T...'],
    [1000, TEN_AND_TWO, '..T.......E.T...........................'],
    [MAX_SEED, TEN_AND_TWO, '.......T..T.............................'],
    [0, { throttleRate: 0.5, errorRate: 0.5 }, 'ETE..TEEE.ETET.TTEET'],
    [42, { throttleRate: 0.5, errorRate: 0.5 }, 'TTT.EE.E.E..ETTE..TT'],
    [42, { throttleRate: 0, errorRate: 0 }, '....................'],
    [42, { throttleRate: 1, errorRate: 1 }, 'TTTTTTTTTTTTTTTTTTTT'],
    [42, { throttleRate: 0, errorRate: 1 }, 'EEEEEEEEEEEEEEEEEEEE']
  ])('seed %d, %j → %s', (seed, rates, expected) => {
    expect(decisions(seed, expected.length, rates)).toBe(expected)
  })

  test('a call throttled at a rate keeps its throttle at a higher rate (numbers, not rates, are drawn)', () => {
    const low = decisions(42, 200, { throttleRate: 0.1, errorRate: 0 })
    const high = decisions(42, 200, { throttleRate: 0.3, errorRate: 0 })
    for (let k = 0; k < 200; k++) if (low[k] === 'T') expect(high[k]).toBe('T')
  })

  test('over many calls the rates are what was asked: throttle 10%, 5xx 2% of the rest', () => {
    const n = 100_000
    const s = decisions(2026, n, TEN_AND_TWO)
    const count = (c: string) => s.split(c).length - 1
    expect(count('T') / n).toBeCloseTo(0.1, 2)
    expect(count('E') / n).toBeCloseTo(0.9 * 0.02, 2)
  })
})

describe('isSeed', () => {
  test.each([
    [0, true],
    [42, true],
    [MAX_SEED, true],
    [MAX_SEED + 1, false],
    [-1, false],
    [1.5, false],
    [NaN, false],
    ['42', false],
    [null, false]
  ])('%j → %s', (value, ok) => {
    expect(isSeed(value)).toBe(ok)
  })
})

describe('parseFaults: the body of POST /_sim/faults', () => {
  test.each<[unknown, Faults]>([
    [undefined, { throttleRate: 0, errorRate: 0, latencyMs: 0, operations: undefined, seed: 99 }],
    [{}, { throttleRate: 0, errorRate: 0, latencyMs: 0, operations: undefined, seed: 99 }],
    [
      { throttleRate: 0.1, errorRate: 0.02, seed: 7 },
      { throttleRate: 0.1, errorRate: 0.02, latencyMs: 0, operations: undefined, seed: 7 }
    ],
    [
      { throttleRate: 1, operations: ['ListTasks'], latencyMs: 5, seed: 0 },
      { throttleRate: 1, errorRate: 0, latencyMs: 5, operations: ['ListTasks'], seed: 0 }
    ],
    [
      { errorRate: 0.5, seed: null, operations: null },
      { throttleRate: 0, errorRate: 0.5, latencyMs: 0, operations: undefined, seed: 99 }
    ],
    [
      { seed: MAX_SEED },
      { throttleRate: 0, errorRate: 0, latencyMs: 0, operations: undefined, seed: MAX_SEED }
    ]
  ])('%j → %j (default seed 99)', (body, expected) => {
    expect(parseFaults(body, 99)).toEqual(expected)
  })

  test.each([
    [{ throttleRate: 2 }, 'throttleRate must be between 0 and 1'],
    [{ errorRate: '0.1' }, 'errorRate must be between 0 and 1'],
    [{ latencyMs: -1 }, 'latencyMs must be a non-negative number'],
    [{ operations: 'ListTasks' }, 'operations must be a list of operation names'],
    [{ seed: -1 }, `seed must be an integer from 0 to ${MAX_SEED}`],
    [{ seed: 1.5 }, `seed must be an integer from 0 to ${MAX_SEED}`],
    [{ seed: '42' }, `seed must be an integer from 0 to ${MAX_SEED}`],
    [{ seed: MAX_SEED + 1 }, `seed must be an integer from 0 to ${MAX_SEED}`]
  ])('%j → %s', (body, message) => {
    expect(() => parseFaults(body, 99)).toThrow(message)
  })
})

describe('FaultState: one sequence per setting', () => {
  test('each draw takes the next index and gets faultFor(seed, index)', () => {
    const state = new FaultState({ ...noFaults(42), throttleRate: 0.5, errorRate: 0.5 })
    const drawn = Array.from({ length: 20 }, () => state.draw())
    expect(drawn.map(d => d?.index)).toEqual([...Array(20).keys()])
    expect(drawn.map(d => d?.injected)).toEqual(
      Array.from({ length: 20 }, (_, k) => faultFor(42, k, { throttleRate: 0.5, errorRate: 0.5 }))
    )
    // A new state with the same seed starts again at index 0, with the same faults.
    const again = new FaultState({ ...noFaults(42), throttleRate: 0.5, errorRate: 0.5 })
    expect(Array.from({ length: 20 }, () => again.draw())).toEqual(drawn)
  })

  test('no throttling and no errors: no draw, no index used', () => {
    const state = new FaultState({ ...noFaults(1), latencyMs: 10 })
    expect(state.draw()).toBeUndefined()
    expect(state.draw()).toBeUndefined()
  })

  test.each([
    [undefined, 'ListTasks', true],
    [['ListTasks'], 'ListTasks', true],
    [['ListTasks'], 'DescribeServices', false],
    [[], 'ListTasks', false]
  ])('operations %j, call %s → applies %s', (operations, operation, applies) => {
    expect(new FaultState({ ...noFaults(1), operations }).appliesTo(operation)).toBe(applies)
  })
})

/** Target tracking's decision (autoscaling/decide.ts) as a table: metric, target, capacity, cooldowns → change. */
import { describe, expect, it } from '@jest/globals'
import { combine, decide, type Decision, type DecisionInput } from '../autoscaling/decide.js'

const NOW = 1_000_000
const base: DecisionInput = {
  periods: [],
  targetValue: 50,
  current: 1,
  min: 1,
  max: 4,
  disableScaleIn: false,
  scaleOutSuspended: false,
  scaleInSuspended: false,
  now: NOW,
  scaleOutCooldownMs: 3000,
  scaleInCooldownMs: 3000
}
const times = (n: number, v: number | undefined) => Array<number | undefined>(n).fill(v)

type Row = [string, Partial<DecisionInput>, number | undefined, RegExp]

describe('decide', () => {
  it.each<Row>([
    ['no data: nothing', { periods: [] }, undefined, /no data/],
    ['a gap in the last period: nothing', { periods: [undefined, 90, 90] }, undefined, /no data/],
    ['high for 2 periods only: nothing', { periods: [90, 90, 40] }, undefined, /neither alarm/],
    ['high for 3 periods, gap in the third: nothing', { periods: [90, 90, undefined] }, undefined, /neither/],
    ['high 3 periods: ceil(1 × 90 / 50) = 2', { periods: times(3, 90) }, 2, /ceil\(1 × 90 \/ 50\) = 2/],
    ['proportional: ceil(2 × 80 / 50) = 4', { periods: times(3, 80), current: 2 }, 4, /= 4/],
    ['clamped to max', { periods: times(3, 100), current: 3 }, 4, /ceil\(3 × 100 \/ 50\) = 4/],
    ['at max: nothing', { periods: times(3, 100), current: 4 }, undefined, /already at maximum capacity 4/],
    ['just above target still scales out', { periods: times(3, 51), current: 2 }, 3, /= 3/],
    ['at the target exactly: nothing', { periods: times(15, 50), current: 2 }, undefined, /neither/],
    ['scale-out suspended', { periods: times(3, 90), scaleOutSuspended: true }, undefined, /suspended/],
    [
      'scale-out cooldown: computed from the capacity before the last scale-out, not more: nothing',
      { periods: times(3, 90), current: 2, lastScaleOut: { at: NOW - 1000, from: 1 } },
      undefined,
      /cooldown/
    ],
    [
      'scale-out cooldown: a larger need still scales out',
      { periods: times(3, 150), current: 2, lastScaleOut: { at: NOW - 1000, from: 1 } },
      3,
      /ceil\(1 × 150 \/ 50\) = 3/
    ],
    [
      'scale-out cooldown over: from the current capacity',
      { periods: times(3, 90), current: 2, lastScaleOut: { at: NOW - 5000, from: 1 } },
      4,
      /ceil\(2 × 90 \/ 50\) = 4/
    ],
    [
      'scale-in cooldown does not hold back a scale-out',
      { periods: times(3, 90), lastScaleIn: { at: NOW - 1 } },
      2,
      /= 2/
    ],
    ['low for 14 periods: nothing', { periods: [...times(14, 10), 60], current: 3 }, undefined, /neither/],
    [
      'low 15 periods: ceil(3 × 10 / 50) = 1',
      { periods: times(15, 10), current: 3 },
      1,
      /ceil\(3 × 10 \/ 50\) = 1/
    ],
    ['scale-in is conservative: ceil(4 × 30 / 50) = 3', { periods: times(15, 30), current: 4 }, 3, /= 3/],
    ['between 90% and 100% of target: nothing', { periods: times(15, 46), current: 3 }, undefined, /neither/],
    [
      'low but rounding keeps the capacity',
      { periods: times(15, 40), current: 2 },
      undefined,
      /still needs 2/
    ],
    ['scale-in clamped to min', { periods: times(15, 0), current: 3, min: 2 }, 2, /= 2/],
    ['at min: nothing', { periods: times(15, 0), current: 1 }, undefined, /minimum capacity 1/],
    [
      'DisableScaleIn',
      { periods: times(15, 10), current: 3, disableScaleIn: true },
      undefined,
      /DisableScaleIn/
    ],
    [
      'scale-in suspended',
      { periods: times(15, 10), current: 3, scaleInSuspended: true },
      undefined,
      /suspended/
    ],
    [
      'scale-in cooldown in effect',
      { periods: times(15, 10), current: 3, lastScaleIn: { at: NOW - 2999 } },
      undefined,
      /scale-in cooldown/
    ],
    [
      'scale-in cooldown over',
      { periods: times(15, 10), current: 3, lastScaleIn: { at: NOW - 3000 } },
      1,
      /= 1/
    ],
    [
      'a gap in the low run: no scale-in',
      { periods: [...times(10, 10), undefined, ...times(4, 10)], current: 3 },
      undefined,
      /neither/
    ]
  ])('%s', (_, over, desired, why) => {
    const d = decide({ ...base, ...over })
    expect(d.change ? d.desired : undefined).toBe(desired)
    expect(d.why).toMatch(why)
    if (d.change) expect(d.alarm).toBe(d.direction === 'out' ? 'AlarmHigh' : 'AlarmLow')
  })
})

const out = (desired: number): Decision => ({
  change: true,
  direction: 'out',
  desired,
  alarm: 'AlarmHigh',
  why: ''
})
const inn = (desired: number): Decision => ({
  change: true,
  direction: 'in',
  desired,
  alarm: 'AlarmLow',
  why: ''
})
const none: Decision = { change: false, why: '' }

describe('combine (several policies on one target)', () => {
  it.each<[string, Decision[], string | undefined]>([
    ['nothing from nobody', [none, none], undefined],
    ['any scale-out wins, the largest', [inn(1), out(3), out(2)], 'out 3'],
    ['scale-in only when every policy asks', [inn(1), none], undefined],
    ['every policy asks to scale in: the largest capacity', [inn(1), inn(2)], 'in 2'],
    ['one policy alone', [inn(2)], 'in 2']
  ])('%s', (_, decisions, expected) => {
    const chosen = combine(decisions.map(decision => ({ decision })))
    expect(chosen && `${chosen.decision.direction} ${chosen.decision.desired}`).toBe(expected)
  })
})

import { describe, expect, test } from '@jest/globals'
import { NO_STAGES, stageTimings, tick, type StageClock } from '../../src/watch/stages.js'

/** Stages seen at times (ms) → the timings at the end. */
function run(seen: Array<[string | undefined, number]>, end: number): ReturnType<typeof stageTimings> {
  const clock = seen.reduce<StageClock>((c, [stage, at]) => tick(c, stage, at), NO_STAGES)
  return stageTimings(clock, end)
}

describe('stage timings', () => {
  test.each<[string, Array<[string | undefined, number]>, number, Array<{ stage: string; ms: number }>]>([
    ['nothing seen', [], 100, []],
    ['no stage yet (PENDING) counts for none', [[undefined, 0]], 100, []],
    ['one stage, still on: counted to the end', [['SCALE_UP', 10]], 110, [{ stage: 'SCALE_UP', ms: 100 }]],
    [
      'a stage seen again is the same stage',
      [
        ['SCALE_UP', 0],
        ['SCALE_UP', 50],
        ['BAKE_TIME', 80]
      ],
      200,
      [
        { stage: 'SCALE_UP', ms: 80 },
        { stage: 'BAKE_TIME', ms: 120 }
      ]
    ],
    [
      'in order, each ending when the next is first seen',
      [
        ['SCALE_UP', 0],
        ['PRODUCTION_TRAFFIC_SHIFT', 30],
        ['BAKE_TIME', 40],
        ['CLEAN_UP', 340]
      ],
      345,
      [
        { stage: 'SCALE_UP', ms: 30 },
        { stage: 'PRODUCTION_TRAFFIC_SHIFT', ms: 10 },
        { stage: 'BAKE_TIME', ms: 300 },
        { stage: 'CLEAN_UP', ms: 5 }
      ]
    ]
  ])('%s', (_name, seen, end, expected) => {
    expect(run(seen, end)).toEqual(expected)
  })
})

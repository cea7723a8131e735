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

describe('the traffic each stage ended with', () => {
  type Seen = [string | undefined, number, string | undefined]
  test.each<[string, Seen[], Array<{ stage: string; ms: number; traffic?: string }>]>([
    [
      'the last weights seen in a stage are its own',
      [
        ['PRODUCTION_TRAFFIC_SHIFT', 0, 'production 10% new / 90% old'],
        ['PRODUCTION_TRAFFIC_SHIFT', 10, 'production 20% new / 80% old'],
        ['BAKE_TIME', 20, 'production 100% new / 0% old']
      ],
      [
        { stage: 'PRODUCTION_TRAFFIC_SHIFT', ms: 20, traffic: 'production 20% new / 80% old' },
        { stage: 'BAKE_TIME', ms: 10, traffic: 'production 100% new / 0% old' }
      ]
    ],
    [
      'a look without weights keeps the ones seen before in the stage',
      [
        ['BAKE_TIME', 0, 'production 100% new / 0% old'],
        ['BAKE_TIME', 10, undefined]
      ],
      [{ stage: 'BAKE_TIME', ms: 30, traffic: 'production 100% new / 0% old' }]
    ],
    [
      'a rollback in the bake: the stage ends back on the old revision',
      [
        ['BAKE_TIME', 0, 'production 100% new / 0% old'],
        ['BAKE_TIME', 10, 'production 0% new / 100% old']
      ],
      [{ stage: 'BAKE_TIME', ms: 30, traffic: 'production 0% new / 100% old' }]
    ],
    ['no weights at all: none told', [['SCALE_UP', 0, undefined]], [{ stage: 'SCALE_UP', ms: 30 }]]
  ])('%s', (_name, seen, expected) => {
    const clock = seen.reduce<StageClock>((c, [stage, at, traffic]) => tick(c, stage, at, traffic), NO_STAGES)
    expect(stageTimings(clock, 30)).toEqual(expected)
  })
})

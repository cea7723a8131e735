/** The deployment strategies' pure parts: the breaker threshold, traffic steps, Lambda hook answers. */
import { describe, expect, it } from '@jest/globals'
import { breakerThreshold } from '../ecs/lookup.js'
import { linearSteps } from '../ecs/strategies/linear.js'
import { canarySteps } from '../ecs/strategies/canary.js'
import { parseDeploymentConfig } from '../ecs/deployment-config.js'
import { lambdaAnswer } from '../ecs/strategies/hooks.js'
import { Clock } from '../clock.js'
import type { HookRun } from '../ecs/state.js'

describe('breakerThreshold', () => {
  it.each([
    [1, undefined, 3],
    [10, undefined, 5],
    [1000, undefined, 200],
    [10, { type: 'BOUNDED_PERCENT', value: 10 }, 3],
    [10, { type: 'BOUNDED_PERCENT', value: 200 }, 20],
    [500, { type: 'BOUNDED_PERCENT', value: 100 }, 200],
    [500, { type: 'UNBOUNDED_PERCENT', value: 100 }, 500],
    [3, { type: 'UNBOUNDED_PERCENT', value: 10 }, 1],
    [2, { type: 'COUNT', value: 20 }, 20],
    [2, { type: 'COUNT', value: 5 }, 5]
  ] as const)('desired %i, %j → %i', (desired, tc, threshold) => {
    expect(breakerThreshold(desired, tc)).toBe(threshold)
  })
})

describe('traffic steps', () => {
  const cfg = (raw: Record<string, unknown>) => parseDeploymentConfig(raw)
  it.each([
    [{ strategy: 'LINEAR' }, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 6],
    [
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 30, stepBakeTimeInMinutes: 1 } },
      [30, 60, 90, 100],
      1
    ],
    [{ strategy: 'LINEAR', linearConfiguration: { stepPercent: 100 } }, [100], 6]
  ])('linear %j → %j', (raw, weights, bake) => {
    const steps = linearSteps(cfg(raw))
    expect(steps.map(s => s.weight)).toEqual(weights)
    expect(steps.map(s => s.bakeMs)).toEqual([...weights.slice(1).map(() => bake * 60_000), 0])
  })
  it.each([
    [{ strategy: 'CANARY' }, [5, 100], 10],
    [
      { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 0.5, canaryBakeTimeInMinutes: 0 } },
      [0.5, 100],
      0
    ]
  ])('canary %j → %j', (raw, weights, bake) => {
    expect(canarySteps(cfg(raw))).toEqual([
      { weight: weights[0], bakeMs: bake * 60_000 },
      { weight: 100, bakeMs: 0 }
    ])
  })
})

describe('lambdaAnswer', () => {
  const clock = new Clock(1)
  const run = (startedAgoMs: number): HookRun => ({
    hookId: 'h',
    stage: 'POST_SCALE_UP',
    targetType: 'AWS_LAMBDA',
    targetArn: 'arn:fn',
    status: 'IN_PROGRESS',
    startedAt: Date.now() - startedAgoMs,
    expiresAt: Date.now() + 1e9,
    timeoutAction: 'ROLLBACK'
  })
  it.each([
    [[], 0, 'SUCCEEDED'],
    [[{ status: 'FAILED' }], 0, 'FAILED'],
    [[{ hookTargetArn: 'arn:other', status: 'FAILED' }], 0, 'SUCCEEDED'],
    [[{ stage: 'PRE_SCALE_UP', status: 'FAILED' }], 0, 'SUCCEEDED'],
    [[{ stage: 'POST_SCALE_UP', status: 'FAILED' }, { status: 'SUCCEEDED' }], 0, 'FAILED'],
    [[{ status: 'IN_PROGRESS' }], 1e6, 'IN_PROGRESS'],
    [[{ status: 'IN_PROGRESS', afterSeconds: 30, then: 'SUCCEEDED' }], 10_000, 'IN_PROGRESS'],
    [[{ status: 'IN_PROGRESS', afterSeconds: 30, then: 'SUCCEEDED' }], 31_000, 'SUCCEEDED']
  ] as const)('rules %j, started %i ms ago → %s', (rules, ago, answer) => {
    expect(lambdaAnswer(rules as never, run(ago), clock)).toBe(answer)
  })
})

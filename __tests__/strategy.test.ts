/** The strategy facts read from a service: tables, no mocks (src/strategy.ts is pure). */
import { describe, expect, test } from '@jest/globals'
import type { DeploymentConfiguration } from '@aws-sdk/client-ecs'
import {
  breakerThreshold,
  defaultWaitMinutes,
  deploymentAlarms,
  strategyOf,
  worstCaseMinutes,
  type Strategy
} from '../src/strategy.js'

describe('strategyOf', () => {
  test.each<[string, Parameters<typeof strategyOf>[0], Strategy]>([
    ['no configuration: rolling', {}, 'ROLLING'],
    ['ECS controller, no strategy', { deploymentController: { type: 'ECS' } }, 'ROLLING'],
    ['ROLLING', { deploymentConfiguration: { strategy: 'ROLLING' } }, 'ROLLING'],
    ['BLUE_GREEN', { deploymentConfiguration: { strategy: 'BLUE_GREEN' } }, 'BLUE_GREEN'],
    ['LINEAR', { deploymentConfiguration: { strategy: 'LINEAR' } }, 'LINEAR'],
    ['CANARY', { deploymentConfiguration: { strategy: 'CANARY' } }, 'CANARY'],
    [
      'the CodeDeploy controller wins over a strategy',
      { deploymentController: { type: 'CODE_DEPLOY' }, deploymentConfiguration: { strategy: 'BLUE_GREEN' } },
      'CODE_DEPLOY'
    ],
    ['EXTERNAL', { deploymentController: { type: 'EXTERNAL' } }, 'EXTERNAL']
  ])('%s', (_name, service, expected) => {
    expect(strategyOf(service)).toBe(expected)
  })
})

describe('breakerThreshold (ThresholdConfiguration)', () => {
  const threshold = (type: 'COUNT' | 'BOUNDED_PERCENT' | 'UNBOUNDED_PERCENT', value: number) =>
    ({
      deploymentCircuitBreaker: { enable: true, rollback: true, thresholdConfiguration: { type, value } }
    }) as DeploymentConfiguration
  test.each<[string, DeploymentConfiguration | undefined, number, number]>([
    ['no configuration, 2 tasks: the floor of 3', undefined, 2, 3],
    ['no configuration, 10 tasks: half', undefined, 10, 5],
    ['no configuration, 7 tasks: half, rounded up', undefined, 7, 4],
    ['no configuration, 1000 tasks: the ceiling of 200', undefined, 1000, 200],
    ['COUNT 20 on 2 tasks: 20, not 3', threshold('COUNT', 20), 2, 20],
    ['COUNT 5', threshold('COUNT', 5), 10, 5],
    ['BOUNDED_PERCENT 100 on 10 tasks', threshold('BOUNDED_PERCENT', 100), 10, 10],
    ['BOUNDED_PERCENT 10 on 10 tasks: clamped to 3', threshold('BOUNDED_PERCENT', 10), 10, 3],
    ['BOUNDED_PERCENT 50 on 1000 tasks: clamped to 200', threshold('BOUNDED_PERCENT', 50), 1000, 200],
    ['UNBOUNDED_PERCENT 50 on 1000 tasks: past 200', threshold('UNBOUNDED_PERCENT', 50), 1000, 500],
    ['UNBOUNDED_PERCENT 10 on 10 tasks: below 3', threshold('UNBOUNDED_PERCENT', 10), 10, 1]
  ])('%s', (_name, config, desired, expected) => {
    expect(breakerThreshold(config, desired)).toBe(expected)
  })
})

describe('deploymentAlarms', () => {
  test.each<[string, DeploymentConfiguration | undefined, { names: string[]; rollback: boolean }]>([
    ['none', undefined, { names: [], rollback: false }],
    [
      'enabled with rollback',
      { alarms: { enable: true, rollback: true, alarmNames: ['web-5xx', 'web-latency'] } },
      { names: ['web-5xx', 'web-latency'], rollback: true }
    ],
    [
      'named but not enabled: ECS does not watch them',
      { alarms: { enable: false, rollback: true, alarmNames: ['web-5xx'] } },
      { names: [], rollback: false }
    ]
  ])('%s', (_name, config, expected) => {
    expect(deploymentAlarms(config)).toEqual(expected)
  })
})

describe('worstCaseMinutes and the wait-for-minutes default', () => {
  test.each<[string, Strategy, DeploymentConfiguration | undefined, number | undefined, number]>([
    ['rolling: no worst case, 30 minutes', 'ROLLING', undefined, undefined, 30],
    ['CodeDeploy is not ours to bound', 'CODE_DEPLOY', undefined, undefined, 30],
    ['blue/green, bake 20: scale-up + bake', 'BLUE_GREEN', { bakeTimeInMinutes: 20 }, 35, 35],
    ['blue/green, no bake: at least 30', 'BLUE_GREEN', { bakeTimeInMinutes: 0 }, 15, 30],
    ['linear, defaults: 10 steps of 6 minutes', 'LINEAR', { bakeTimeInMinutes: 5 }, 15 + 5 + 60, 80],
    [
      'linear 25 % steps of 2 minutes',
      'LINEAR',
      { linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 } },
      15 + 8,
      30
    ],
    ['canary, defaults: the canary bakes 10', 'CANARY', { bakeTimeInMinutes: 10 }, 35, 35],
    [
      'a PAUSE hook of 60 minutes on one stage',
      'BLUE_GREEN',
      {
        bakeTimeInMinutes: 10,
        lifecycleHooks: [
          {
            targetType: 'PAUSE',
            lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
            timeoutConfiguration: { timeoutInMinutes: 60, action: 'ROLLBACK' }
          }
        ]
      },
      85,
      85
    ],
    [
      'a hook with the default 24-hour timeout: the wait stops at a job’s 6 hours',
      'BLUE_GREEN',
      { lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_SCALE_UP'] }] },
      15 + 1440,
      360
    ]
  ])('%s', (_name, strategy, config, worst, wait) => {
    expect(worstCaseMinutes(strategy, config)).toBe(worst)
    expect(defaultWaitMinutes(strategy, config)).toBe(wait)
  })
})

/**
 * The native strategies' verdict as a table: a service deployment as DescribeServiceDeployments shows it →
 * the outcome. No mocks, no client: src/watch/verdict-native.ts is pure.
 */
import { describe, expect, test } from '@jest/globals'
import type { ServiceDeployment } from '@aws-sdk/client-ecs'
import { nativeCause, nativeVerdict, progressLine, trafficText } from '../../src/watch/verdict-native.js'

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/Abc123'
const NOW = 1_000_000
const sd = (d: Partial<ServiceDeployment>): ServiceDeployment => ({ serviceDeploymentArn: ARN, ...d })
const snapshot = (d: ServiceDeployment | undefined, more: { now?: number; cancelled?: boolean } = {}) => ({
  deployment: d,
  now: more.now ?? NOW,
  deadline: NOW + 60_000,
  cancelled: more.cancelled ?? false
})

describe('nativeVerdict', () => {
  test.each<
    [string, ServiceDeployment | undefined, { now?: number; cancelled?: boolean }, string, RegExp | undefined]
  >([
    ['not listed yet: keep watching', undefined, {}, 'pending', undefined],
    ['PENDING', sd({ status: 'PENDING' }), {}, 'pending', undefined],
    [
      'in the bake: not done yet',
      sd({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }),
      {},
      'pending',
      undefined
    ],
    [
      'production shifted but still baking: still not done',
      sd({
        status: 'IN_PROGRESS',
        lifecycleStage: 'BAKE_TIME',
        targetServiceRevision: { requestedProductionTrafficWeight: 100 }
      }),
      {},
      'pending',
      undefined
    ],
    [
      'SUCCESSFUL after the bake: green',
      sd({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }),
      {},
      'completed',
      undefined
    ],
    [
      'an alarm rolled it back: red, naming the alarm',
      sd({
        status: 'ROLLBACK_SUCCESSFUL',
        alarms: { status: 'TRIGGERED', alarmNames: ['web-5xx'], triggeredAlarmNames: ['web-5xx'] }
      }),
      {},
      'rolled-back',
      /alarm "web-5xx" went into ALARM/
    ],
    [
      'a failed Lambda hook: red, naming its function',
      sd({
        status: 'ROLLBACK_SUCCESSFUL',
        lifecycleHookDetails: [
          {
            hookId: 'hook-1',
            targetType: 'AWS_LAMBDA',
            targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smoke-test',
            status: 'FAILED'
          }
        ]
      }),
      {},
      'rolled-back',
      /: Lambda hook smoke-test failed$/
    ],
    [
      'a pause hook that timed out with ROLLBACK',
      sd({
        status: 'ROLLBACK_SUCCESSFUL',
        lifecycleHookDetails: [{ hookId: 'gate', targetType: 'PAUSE', status: 'TIMED_OUT' }]
      }),
      {},
      'rolled-back',
      /pause hook gate timed out/
    ],
    [
      'the circuit breaker: red with its counts',
      sd({
        status: 'ROLLBACK_SUCCESSFUL',
        deploymentCircuitBreaker: { status: 'TRIGGERED', failureCount: 5, threshold: 5 }
      }),
      {},
      'rolled-back',
      /circuit breaker triggered after 5 failed tasks \(threshold 5\)/
    ],
    [
      'a rollback in progress: red soon, not yet final',
      sd({ status: 'ROLLBACK_IN_PROGRESS' }),
      {},
      'pending',
      undefined
    ],
    [
      'the rollback failed',
      sd({ status: 'ROLLBACK_FAILED', statusReason: 'blue tasks failed to start' }),
      {},
      'failed',
      /could not roll it back: blue tasks failed to start/
    ],
    [
      'stopped (another deployment, or ABORT)',
      sd({ status: 'STOPPED', statusReason: 'a newer deployment replaced it' }),
      {},
      'failed',
      /was stopped: a newer deployment replaced it/
    ],
    [
      'the deadline passes in the bake: timeout, naming the stage',
      sd({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }),
      { now: NOW + 60_000 },
      'timeout',
      /in stage BAKE_TIME/
    ],
    [
      'an outcome seen at the deadline is still the outcome',
      sd({ status: 'SUCCESSFUL' }),
      { now: NOW + 120_000 },
      'completed',
      undefined
    ],
    [
      'cancelled in the bake',
      sd({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME' }),
      { cancelled: true },
      'cancelled',
      undefined
    ]
  ])('%s', (_name, deployment, more, status, message) => {
    const verdict = nativeVerdict(snapshot(deployment, more))
    expect(verdict.status).toBe(status)
    if (message && verdict.status !== 'pending') expect(verdict.message).toMatch(message)
  })

  test('a PAUSE hook awaiting action is handed to the caller', () => {
    const hook = { hookId: 'gate', targetType: 'PAUSE' as const, status: 'AWAITING_ACTION' as const }
    const verdict = nativeVerdict(
      snapshot(
        sd({ status: 'IN_PROGRESS', lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', lifecycleHookDetails: [hook] })
      )
    )
    expect(verdict).toEqual({ status: 'pending', rollingBack: false, awaiting: hook })
  })

  test('ROLLBACK_REQUESTED is marked as rolling back', () => {
    expect(nativeVerdict(snapshot(sd({ status: 'ROLLBACK_REQUESTED' })))).toEqual({
      status: 'pending',
      rollingBack: true
    })
  })
})

describe('nativeCause', () => {
  test.each<[string, Partial<ServiceDeployment>, string | undefined]>([
    ['nothing known', {}, undefined],
    ['ECS’s own words', { statusReason: 'Service deployment rolled back' }, 'Service deployment rolled back'],
    ['the rollback’s reason', { rollback: { reason: 'alarm' } }, 'alarm'],
    [
      'an alarm comes before ECS’s words',
      { statusReason: 'rolled back', alarms: { triggeredAlarmNames: ['a', 'b'] } },
      'alarm "a", "b" went into ALARM'
    ],
    [
      'a failed Lambda hook, by its function',
      {
        lifecycleHookDetails: [
          {
            hookId: 'ecs-hook-0123456789012345678901234567890123456789abc',
            targetType: 'AWS_LAMBDA',
            targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:smoke-test',
            status: 'FAILED'
          }
        ]
      },
      'Lambda hook smoke-test failed'
    ],
    [
      'a timed-out PAUSE hook, by its id',
      { lifecycleHookDetails: [{ hookId: 'ecs-pause-abc', targetType: 'PAUSE', status: 'TIMED_OUT' }] },
      'pause hook ecs-pause-abc timed out'
    ],
    [
      'a hook that succeeded is no cause',
      {
        statusReason: 'stopped',
        lifecycleHookDetails: [{ hookId: 'ecs-pause-abc', targetType: 'PAUSE', status: 'SUCCEEDED' }]
      },
      'stopped'
    ]
  ])('%s', (_name, d, expected) => {
    expect(nativeCause(sd(d))).toBe(expected)
  })
})

describe('trafficText and progressLine', () => {
  test.each<[string, Partial<ServiceDeployment>, string | undefined]>([
    ['no weights', {}, undefined],
    [
      'canary 5 %',
      { targetServiceRevision: { requestedProductionTrafficWeight: 5 } },
      'production 5% new / 95% old'
    ],
    [
      'linear 33.3 % with test traffic',
      { targetServiceRevision: { requestedProductionTrafficWeight: 33.3, requestedTestTrafficWeight: 100 } },
      'production 33.3% new / 66.7% old, test 100% new'
    ]
  ])('%s', (_name, d, expected) => {
    expect(trafficText(sd(d))).toBe(expected)
  })

  test('prints a line only when status, stage or weights change', () => {
    const a = sd({ status: 'IN_PROGRESS', lifecycleStage: 'SCALE_UP' })
    const b = sd({
      status: 'IN_PROGRESS',
      lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
      targetServiceRevision: { requestedProductionTrafficWeight: 10 }
    })
    expect(progressLine(undefined, a)).toBe('Abc123: IN_PROGRESS · stage SCALE_UP')
    expect(progressLine(a, a)).toBeUndefined()
    expect(progressLine(a, b)).toBe(
      'Abc123: IN_PROGRESS · stage PRODUCTION_TRAFFIC_SHIFT · production 10% new / 90% old'
    )
  })
})

/** The scaling decisions as tables: what to register, put and delete; the desired count an update sets. */
import { describe, expect, test } from '@jest/globals'
import { DeployError } from '../../src/errors.js'
import type { ScalingInputs } from '../../src/inputs.js'
import {
  changesAnything,
  desiredCountDecision,
  scalingPlan,
  type ScalingState,
  type TrackingPolicy
} from '../../src/scaling-plan.js'

const ID = 'service/prod/web'
const LABEL = 'app/web-alb/50dc6c495c0c9188/targetgroup/web-tg/6d0ecf831eec9f09'
const cpu = (targetValue: number, extra: Partial<TrackingPolicy> = {}): TrackingPolicy => ({
  name: 'ecs-deploy-cpu',
  metric: 'ECSServiceAverageCPUUtilization',
  targetValue,
  ...extra
})
const memory = (targetValue: number): TrackingPolicy => ({
  name: 'ecs-deploy-memory',
  metric: 'ECSServiceAverageMemoryUtilization',
  targetValue
})
const none: ScalingState = { policies: [] }
const registered = (min: number, max: number, policies: ScalingState['policies'] = []): ScalingState => ({
  target: { min, max },
  policies
})

describe('scalingPlan', () => {
  test.each<
    [
      string,
      ScalingInputs,
      ScalingState,
      { register?: { min: number; max: number }; put: TrackingPolicy[]; remove: string[] }
    ]
  >([
    [
      'nothing registered: the target and the policy',
      { min: 1, max: 4, cpu: 50 },
      none,
      { register: { min: 1, max: 4 }, put: [cpu(50)], remove: [] }
    ],
    [
      'all as asked: nothing',
      { min: 1, max: 4, cpu: 50 },
      registered(1, 4, [cpu(50)]),
      { register: undefined, put: [], remove: [] }
    ],
    [
      'a new max: only the target',
      { min: 1, max: 6, cpu: 50 },
      registered(1, 4, [cpu(50)]),
      { register: { min: 1, max: 6 }, put: [], remove: [] }
    ],
    [
      'a new target value: only the policy',
      { min: 1, max: 4, cpu: 60 },
      registered(1, 4, [cpu(50)]),
      { register: undefined, put: [cpu(60)], remove: [] }
    ],
    [
      'cooldowns not given keep the policy’s own',
      { cpu: 60 },
      registered(1, 4, [cpu(50, { scaleInCooldown: 120, scaleOutCooldown: 30 })]),
      { register: undefined, put: [cpu(60, { scaleInCooldown: 120, scaleOutCooldown: 30 })], remove: [] }
    ],
    [
      'a cooldown given and different: put',
      { cpu: 50, scaleOutCooldown: 60 },
      registered(1, 4, [cpu(50, { scaleOutCooldown: 30 })]),
      { register: undefined, put: [cpu(50, { scaleOutCooldown: 60 })], remove: [] }
    ],
    [
      'memory instead of cpu: ours deleted, the other put',
      { min: 1, max: 4, memory: 70 },
      registered(1, 4, [cpu(50)]),
      { register: undefined, put: [memory(70)], remove: ['ecs-deploy-cpu'] }
    ],
    [
      'policies of other names are left alone',
      { min: 1, max: 4, cpu: 50 },
      registered(1, 4, [cpu(50), { name: 'team-step-scaling' }, { ...memory(80), name: 'team-memory' }]),
      { register: undefined, put: [], remove: [] }
    ],
    [
      'a step policy under our name is replaced',
      { min: 1, max: 4, cpu: 50 },
      registered(1, 4, [{ name: 'ecs-deploy-cpu' }]),
      { register: undefined, put: [cpu(50)], remove: [] }
    ],
    [
      'requests with the label',
      { min: 2, max: 8, requests: { perTarget: 1000, resourceLabel: LABEL } },
      registered(2, 8),
      {
        register: undefined,
        put: [
          {
            name: 'ecs-deploy-requests',
            metric: 'ALBRequestCountPerTarget',
            targetValue: 1000,
            resourceLabel: LABEL
          }
        ],
        remove: []
      }
    ],
    [
      'only min: the registered max stays',
      { min: 2 },
      registered(1, 4),
      { register: { min: 2, max: 4 }, put: [], remove: [] }
    ]
  ])('%s', (_name, inputs, current, expected) => {
    const change = scalingPlan(inputs, current, ID)
    expect(change).toMatchObject({ resourceId: ID, ...expected, before: current })
    expect(change?.register).toEqual(expected.register)
    expect(changesAnything(change)).toBe(
      Boolean(expected.register) || expected.put.length > 0 || expected.remove.length > 0
    )
    // After: the bounds asked for, and every policy asked for as put.
    expect(change?.after.target).toEqual({
      min: inputs.min ?? current.target?.min,
      max: inputs.max ?? current.target?.max
    })
    for (const p of expected.put) expect(change?.after.policies).toContainEqual(p)
    for (const name of expected.remove) expect(change?.after.policies.map(p => p.name)).not.toContain(name)
  })

  test('no scaling input: no change', () => {
    expect(scalingPlan(undefined, registered(1, 4), ID)).toBeUndefined()
    expect(changesAnything(undefined)).toBe(false)
  })

  test.each<[string, ScalingInputs, ScalingState, string]>([
    ['a new target without max', { min: 1, cpu: 50 }, none, 'scaling-max'],
    ['a new target without min', { max: 3 }, none, 'scaling-min'],
    ['a policy and no target at all', { cpu: 50 }, none, 'scaling-min'],
    ['min above the registered max', { min: 6 }, registered(1, 4), 'scaling-min'],
    ['max below the registered min', { max: 1 }, registered(2, 4), 'scaling-max']
  ])('refused: %s', (_name, inputs, current, input) => {
    let error: unknown
    try {
      scalingPlan(inputs, current, ID)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).title).toBe(`Invalid input: ${input}`)
  })
})

describe('desiredCountDecision', () => {
  const r = (min: number, max: number) => ({ min, max })
  test.each<
    [
      string,
      number | undefined,
      number | undefined,
      { min: number; max: number } | undefined,
      { min: number; max: number } | undefined,
      number | undefined,
      string | undefined
    ]
  >([
    // name, input, running, target before, target after, desiredCount sent, notice (part)
    ['no auto scaling: the input', 3, 2, undefined, undefined, 3, undefined],
    ['no auto scaling, no input: unchanged', undefined, 2, undefined, undefined, undefined, undefined],
    [
      'scaled out: the input ignored, the count kept',
      1,
      4,
      r(1, 4),
      r(1, 4),
      undefined,
      'desired-count 1 is ignored'
    ],
    ['scaled out, no input: kept, nothing said', undefined, 4, r(1, 4), r(1, 4), undefined, undefined],
    ['the input equal to the running count: nothing said', 3, 3, r(1, 4), r(1, 4), undefined, undefined],
    ['a new max below the running count: clamped', undefined, 6, r(1, 8), r(1, 4), 4, 'set to 4'],
    ['a new min above it, input ignored: clamped', 1, 1, r(1, 4), r(2, 4), 2, 'desired-count 1 is ignored'],
    ['first registration: the input taken', 3, 1, undefined, r(1, 4), 3, undefined],
    [
      'first registration: the input clamped',
      9,
      1,
      undefined,
      r(1, 4),
      4,
      'outside scaling-min..scaling-max'
    ],
    [
      'first registration, no input, running outside: clamped',
      undefined,
      0,
      undefined,
      r(1, 4),
      1,
      'running 0'
    ],
    [
      'first registration, no input, running inside: unchanged',
      undefined,
      2,
      undefined,
      r(1, 4),
      undefined,
      undefined
    ]
  ])('%s', (_name, input, running, before, after, sent, notice) => {
    const decision = desiredCountDecision(input, running, before, after)
    expect(decision.desiredCount).toBe(sent)
    if (notice === undefined) expect(decision.notice).toBeUndefined()
    else expect(decision.notice).toContain(notice)
  })
})

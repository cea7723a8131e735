/**
 * The native wait (BLUE_GREEN, LINEAR, CANARY) driven by sequences of DescribeServiceDeployments answers
 * on a fake clock: the outcome, the progress printed, the pauses, the errors and the calls it costs.
 */
import { beforeEach, describe, expect, test } from '@jest/globals'
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs'
import { DeployError } from '../../src/errors.js'
import { watchDeployment } from '../../src/watch/loop.js'
import { CallMeter } from '../../src/watch/call-meter.js'
import { TD_NEW, at, awsError, callsOf, ecsMock, fakeClock, options, resetEcsMock, svc } from './fixtures.js'

const SD_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/Sd1'
const REV = 'arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/R1'

function sd(d: Partial<ServiceDeployment> = {}, production?: number): ServiceDeployment {
  return {
    serviceDeploymentArn: SD_ARN,
    status: 'IN_PROGRESS',
    targetServiceRevision: {
      arn: REV,
      ...(production !== undefined ? { requestedProductionTrafficWeight: production } : {})
    },
    ...d
  }
}

function listed(): void {
  ecsMock.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [{ serviceDeploymentArn: SD_ARN, targetServiceRevisionArn: REV, createdAt: at(1) }]
  })
  ecsMock.on(DescribeServiceRevisionsCommand).resolves({
    serviceRevisions: [{ serviceRevisionArn: REV, taskDefinition: TD_NEW }]
  })
  ecsMock.on(DescribeServicesCommand).resolves(svc([]))
}

function answers(list: Array<ServiceDeployment | Error>): void {
  let chain = ecsMock.on(DescribeServiceDeploymentsCommand)
  for (const a of list.slice(0, -1))
    chain = a instanceof Error ? chain.rejectsOnce(a) : chain.resolvesOnce({ serviceDeployments: [a] })
  const last = list.at(-1)!
  if (last instanceof Error) chain.rejects(last)
  else chain.resolves({ serviceDeployments: [last] })
}

beforeEach(() => {
  resetEcsMock()
  listed()
})

describe('watchServiceDeployment: outcomes', () => {
  test.each<[string, Array<ServiceDeployment | Error>, string, RegExp, number]>([
    [
      'SUCCESSFUL after the bake',
      [
        sd({ lifecycleStage: 'BAKE_TIME' }, 100),
        sd({ lifecycleStage: 'BAKE_TIME' }, 100),
        sd({ status: 'SUCCESSFUL' })
      ],
      'completed',
      /^Service deployment Sd1 succeeded$/,
      3
    ],
    [
      'ROLLBACK_SUCCESSFUL is red, never completed',
      [
        sd({ status: 'ROLLBACK_IN_PROGRESS' }),
        sd({ status: 'ROLLBACK_SUCCESSFUL', statusReason: 'alarm fired' })
      ],
      'rolled-back',
      /^ECS rolled back service deployment Sd1: alarm fired$/,
      2
    ],
    ['STOPPED', [sd({ status: 'STOPPED' })], 'failed', /was stopped/, 1],
    ['ROLLBACK_FAILED', [sd({ status: 'ROLLBACK_FAILED' })], 'failed', /could not roll it back/, 1],
    [
      'a throttled answer is retried',
      [awsError('ThrottlingException', 'slow down', 400), sd({ status: 'SUCCESSFUL' })],
      'completed',
      /succeeded/,
      2
    ]
  ])('%s', async (_name, list, status, message, describes) => {
    answers(list)
    const clock = fakeClock()
    const outcome = await watchDeployment(options(clock, { strategy: 'BLUE_GREEN' }))
    expect(outcome.status).toBe(status)
    expect(outcome.message).toMatch(message)
    expect(callsOf(DescribeServiceDeploymentsCommand)).toBe(describes)
    // Found once; then only described.
    expect(callsOf(ListServiceDeploymentsCommand)).toBe(1)
    expect(outcome.serviceDeployment?.serviceDeploymentArn).toBe(SD_ARN)
  })

  test('a deadline in the bake: timeout naming the stage', async () => {
    answers([sd({ lifecycleStage: 'BAKE_TIME' }, 100)])
    const outcome = await watchDeployment(options(fakeClock(), { strategy: 'CANARY', timeoutMs: 60_000 }))
    expect(outcome.status).toBe('timeout')
    expect(outcome.message).toMatch(/in stage BAKE_TIME/)
  })

  test('a refusal that is not transient ends the wait as its DeployError', async () => {
    answers([awsError('AccessDeniedException', 'denied', 400)])
    await expect(watchDeployment(options(fakeClock(), { strategy: 'BLUE_GREEN' }))).rejects.toThrow(
      /DescribeServiceDeployments/
    )
  })

  test('never listed: "Service deployment not found" after 10 polls', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] })
    const thrown = await watchDeployment(options(fakeClock(), { strategy: 'LINEAR' })).catch(
      (e: unknown) => e
    )
    expect(thrown).toBeInstanceOf(DeployError)
    expect((thrown as DeployError).title).toBe('Service deployment not found')
    expect(callsOf(ListServiceDeploymentsCommand)).toBe(10)
  })
})

describe('watchServiceDeployment: what it prints and answers', () => {
  test('one progress line per change of status, stage or weights; stage timings by the clock', async () => {
    answers([
      sd({ lifecycleStage: 'SCALE_UP' }),
      sd({ lifecycleStage: 'SCALE_UP' }),
      sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }, 10),
      sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }, 20),
      sd({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }, 100)
    ])
    const lines: string[] = []
    const outcome = await watchDeployment(
      options(fakeClock(), { strategy: 'LINEAR', pollIntervalMs: 1000, onProgress: l => lines.push(l) })
    )
    expect(lines).toEqual([
      'Sd1: IN_PROGRESS · stage SCALE_UP',
      'Sd1: IN_PROGRESS · stage PRODUCTION_TRAFFIC_SHIFT · production 10% new / 90% old',
      'Sd1: IN_PROGRESS · stage PRODUCTION_TRAFFIC_SHIFT · production 20% new / 80% old',
      'Sd1: SUCCESSFUL · stage CLEAN_UP · production 100% new / 0% old'
    ])
    expect(outcome.stages).toEqual([
      { stage: 'SCALE_UP', ms: 2000 },
      // Each stage with the weights it ended with.
      { stage: 'PRODUCTION_TRAFFIC_SHIFT', ms: 2000, traffic: 'production 20% new / 80% old' },
      { stage: 'CLEAN_UP', ms: 0, traffic: 'production 100% new / 0% old' }
    ])
  })

  const awaiting = sd({
    lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
    lifecycleHookDetails: [{ hookId: 'gate', targetType: 'PAUSE', status: 'AWAITING_ACTION' }]
  })
  test.each<['watch' | 'return', string, number]>([
    ['watch', 'completed', 3],
    ['return', 'paused', 1]
  ])('a pause is handed to onPause once; %s → %s', async (answer, status, describes) => {
    answers([awaiting, awaiting, sd({ status: 'SUCCESSFUL' })])
    const hooks: string[] = []
    const outcome = await watchDeployment(
      options(fakeClock(), {
        strategy: 'BLUE_GREEN',
        onPause: async hook => {
          hooks.push(hook.hookId ?? '')
          return answer
        }
      })
    )
    expect(hooks).toEqual(['gate'])
    expect(outcome.status).toBe(status)
    expect(callsOf(DescribeServiceDeploymentsCommand)).toBe(describes)
    if (status === 'paused') expect(outcome.hookId).toBe('gate')
  })

  test('a known service deployment (resume, rollback) is not looked for', async () => {
    answers([sd({ status: 'SUCCESSFUL' })])
    await watchDeployment(options(fakeClock(), { strategy: 'BLUE_GREEN', serviceDeploymentArn: SD_ARN }))
    expect(callsOf(ListServiceDeploymentsCommand)).toBe(0)
  })

  test('a 10-minute bake costs at most 20 ECS calls a minute', async () => {
    const clock = fakeClock()
    const end = clock.now() + 10 * 60_000
    ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => ({
      serviceDeployments: [
        clock.now() < end ? sd({ lifecycleStage: 'BAKE_TIME' }, 100) : sd({ status: 'SUCCESSFUL' })
      ]
    }))
    const meter = new CallMeter(40, clock.now)
    const outcome = await watchDeployment(options(clock, { strategy: 'BLUE_GREEN', meter }))
    expect(outcome.status).toBe('completed')
    const calls =
      callsOf(DescribeServiceDeploymentsCommand) +
      callsOf(ListServiceDeploymentsCommand) +
      callsOf(DescribeServiceRevisionsCommand)
    expect(calls / 10).toBeLessThanOrEqual(20)
    expect(calls / 10).toBeGreaterThanOrEqual(15)
  })

  test('cancelled: ends at once as cancelled, what ECS last said kept', async () => {
    const controller = new AbortController()
    ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => {
      controller.abort()
      return { serviceDeployments: [sd({ lifecycleStage: 'BAKE_TIME' }, 100)] }
    })
    const outcome = await watchDeployment(
      options(fakeClock(), { strategy: 'BLUE_GREEN', signal: controller.signal })
    )
    expect(outcome.status).toBe('cancelled')
    expect(outcome.serviceDeployment?.lifecycleStage).toBe('BAKE_TIME')
  })
})

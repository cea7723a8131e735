/**
 * The bench's native-strategy pieces that decide something: what the ecspresso-style waiter calls
 * deployed, its polling (a mocked ECS and a fake sleep), the bake's window on the timeline and which
 * logged calls belong to a cluster.
 */
import { beforeEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import { ecspressoDeploy, isTerminal, judgeTerminal } from '../bench/ecspresso.js'
import { aboutCluster, callsIn, findEntry, stageWindow, strategyConfig } from '../bench/native.js'
import type { SimCall, SimTimelineEntry } from '../packages/ecs-sim/testing.js'

const ecsMock = mockClient(ECSClient)
const ecs = new ECSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })
const ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/c1/web/abc'

beforeEach(() => {
  ecsMock.reset()
})

describe('judgeTerminal: what ecspresso-style waiting reports', () => {
  test.each([
    ['SUCCESSFUL', 'deployed'],
    // ecspresso's "completed" for a rollback that worked: the wrong verdict the bench counts.
    ['ROLLBACK_SUCCESSFUL', 'deployed'],
    ['ROLLBACK_FAILED', 'failed'],
    ['STOPPED', 'failed']
  ] as const)('%s → %s', (status, verdict) => {
    expect(judgeTerminal(status)).toBe(verdict)
  })

  test.each([
    ['PENDING', false],
    ['IN_PROGRESS', false],
    ['ROLLBACK_IN_PROGRESS', false],
    ['STOP_REQUESTED', false],
    [undefined, false],
    ['SUCCESSFUL', true],
    ['ROLLBACK_FAILED', true]
  ])('isTerminal(%s) = %s', (status, terminal) => {
    expect(isTerminal(status)).toBe(terminal)
  })
})

describe('ecspressoDeploy', () => {
  test.each([
    ['SUCCESSFUL', 'deployed'],
    ['ROLLBACK_SUCCESSFUL', 'deployed'],
    ['STOPPED', 'failed']
  ] as const)('polls every interval until %s, reported as %s, counting its calls', async (final, verdict) => {
    const sleeps: number[] = []
    ecsMock.on(UpdateServiceCommand).resolves({})
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [] })
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: ARN }] })
    ecsMock
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [{ status: 'IN_PROGRESS' }] })
      .resolves({ serviceDeployments: [{ status: final }] })
    const run = await ecspressoDeploy(ecs, {
      cluster: 'c1',
      service: 'web',
      taskDefinition: 'td:2',
      sleep: async ms => void sleeps.push(ms)
    })
    expect(run).toMatchObject({ status: final, verdict, serviceDeploymentArn: ARN, calls: 5 })
    // First look at once (not listed yet), then one look per 10 s.
    expect(sleeps).toEqual([10_000, 10_000])
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'c1',
      service: 'web',
      taskDefinition: 'td:2'
    })
    expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand)[0].args[0].input).toEqual({
      serviceDeploymentArns: [ARN]
    })
  })
})

const entry = (over: Partial<SimTimelineEntry> = {}): SimTimelineEntry => ({
  id: 'ecs-svc/1',
  region: 'eu-west-1',
  cluster: 'c1',
  service: 'web',
  taskDefinition: 'td:2',
  createdAt: '2026-01-01T00:00:00.000Z',
  decidableAt: '2026-01-01T00:10:30.000Z',
  outcome: 'COMPLETED',
  stages: [
    { stage: 'SCALE_UP', at: '2026-01-01T00:00:01.000Z' },
    { stage: 'BAKE_TIME', at: '2026-01-01T00:00:20.000Z' },
    { stage: 'CLEAN_UP', at: '2026-01-01T00:10:20.000Z' }
  ],
  ...over
})

describe('the timeline', () => {
  test.each([
    ['BAKE_TIME', { from: Date.parse('2026-01-01T00:00:20Z'), to: Date.parse('2026-01-01T00:10:20Z') }],
    ['CLEAN_UP', { from: Date.parse('2026-01-01T00:10:20Z'), to: Date.parse('2026-01-01T00:10:30Z') }],
    ['PRODUCTION_TRAFFIC_SHIFT', undefined]
  ])('stageWindow(%s)', (stage, window) => {
    expect(stageWindow(entry(), stage)).toEqual(window)
  })

  test('the last stage of an undecided deployment has no end yet', () => {
    expect(stageWindow(entry({ decidableAt: null }), 'CLEAN_UP')).toBeUndefined()
  })

  test.each([
    [{ cluster: 'c1', service: 'web' }, 'ecs-svc/1'],
    [{ cluster: 'c1', service: 'web', taskDefinition: 'td:3' }, undefined],
    [{ cluster: 'c2', service: 'web' }, undefined],
    [{ cluster: 'c1', service: 'web', since: Date.parse('2026-01-01T00:00:01Z') }, undefined]
  ])('findEntry(%j)', (q, id) => {
    expect(findEntry([entry()], q)?.id).toBe(id)
  })
})

const call = (operation: string, time: string, request: Record<string, unknown>): SimCall => ({
  time,
  service: 'ecs',
  operation,
  region: 'eu-west-1',
  status: 200,
  durationMs: 1,
  request
})

describe('calls about a cluster', () => {
  test.each([
    ['DescribeServices naming c1', true, call('DescribeServices', 't', { cluster: 'c1' })],
    [
      'DescribeServiceDeployments of a c1 ARN',
      true,
      call('DescribeServiceDeployments', 't', { serviceDeploymentArns: [ARN] })
    ],
    [
      'DescribeServiceDeployments of a c10 ARN',
      false,
      call('DescribeServiceDeployments', 't', { serviceDeploymentArns: [ARN.replace('/c1/', '/c10/')] })
    ],
    ['DescribeServices naming c2', false, call('DescribeServices', 't', { cluster: 'c2' })],
    ['a Logs call', false, { ...call('GetLogEvents', 't', { cluster: 'c1' }), service: 'logs' as const }]
  ])('%s: about c1 = %s', (_label, about, c) => {
    expect(aboutCluster(c, 'c1')).toBe(about)
  })

  test('callsIn counts only the window, by operation', () => {
    const calls = [
      call('UpdateService', '2026-01-01T00:00:00.000Z', { cluster: 'c1' }),
      call('DescribeServiceDeployments', '2026-01-01T00:00:20.000Z', { serviceDeploymentArns: [ARN] }),
      call('DescribeServiceDeployments', '2026-01-01T00:00:23.200Z', { serviceDeploymentArns: [ARN] }),
      call('DescribeServices', '2026-01-01T00:00:25.000Z', { cluster: 'c2' }),
      call('DescribeServiceDeployments', '2026-01-01T00:10:21.000Z', { serviceDeploymentArns: [ARN] })
    ]
    const window = { from: Date.parse('2026-01-01T00:00:20Z'), to: Date.parse('2026-01-01T00:10:20Z') }
    expect(callsIn(calls, 'c1', window)).toEqual({ total: 2, byOperation: { DescribeServiceDeployments: 2 } })
  })
})

test.each([
  ['BLUE_GREEN', {}],
  ['LINEAR', { linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 } }],
  ['CANARY', { canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 } }]
] as const)('strategyConfig(%s) bakes as told', (strategy, shape) => {
  expect(strategyConfig(strategy, 10)).toEqual({ strategy, bakeTimeInMinutes: 10, ...shape })
})

import { beforeEach, describe, expect, test } from '@jest/globals'
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ServiceDeploymentBrief
} from '@aws-sdk/client-ecs'
import { DeployError } from '../../src/errors.js'
import {
  chunks,
  continueServiceDeployment,
  describeServiceDeployments,
  direct,
  findServiceDeployment,
  matchByRevision,
  newestFirst,
  stopServiceDeployment
} from '../../src/watch/service-deployment.js'
import { SINCE, TD_NEW, TD_OLD, at, awsError, ecs, ecsMock, resetEcsMock } from './fixtures.js'

beforeEach(resetEcsMock)

const SD = (id: string): string => `arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/${id}`
const REV = (id: string): string => `arn:aws:ecs:eu-west-1:123456789012:service-revision/prod/web/${id}`
const brief = (id: string, seconds: number): ServiceDeploymentBrief => ({
  serviceDeploymentArn: SD(id),
  targetServiceRevisionArn: REV(id),
  createdAt: at(seconds)
})

describe('pure helpers', () => {
  test.each<[string, number[], number, number[][]]>([
    ['none', [], 20, []],
    ['fewer than a call takes', [1, 2], 20, [[1, 2]]],
    ['exactly 20', Array.from({ length: 20 }, (_, i) => i), 20, [Array.from({ length: 20 }, (_, i) => i)]],
    [
      '21 → 20 + 1',
      Array.from({ length: 21 }, (_, i) => i),
      20,
      [Array.from({ length: 20 }, (_, i) => i), [20]]
    ]
  ])('chunks: %s', (_name, items, size, expected) => {
    expect(chunks(items, size)).toEqual(expected)
  })

  test('newestFirst: by createdAt, else startedAt', () => {
    const a = brief('a', 1)
    const b = { ...brief('b', 0), createdAt: undefined, startedAt: at(5) }
    const c = brief('c', 3)
    expect(newestFirst([a, b, c]).map(x => x.serviceDeploymentArn)).toEqual([SD('b'), SD('c'), SD('a')])
  })

  test.each<[string, Array<[string, string | undefined]>, string | undefined]>([
    [
      'the one on our revision',
      [
        ['new', TD_NEW],
        ['other', TD_OLD]
      ],
      SD('new')
    ],
    [
      'the newest of two on our revision',
      [
        ['later', TD_NEW],
        ['earlier', TD_NEW]
      ],
      SD('later')
    ],
    ['none on our revision: not found yet', [['other', TD_OLD]], undefined],
    ['a revision ECS did not describe does not match', [['unknown', undefined]], undefined]
  ])('matchByRevision: %s', (_name, rows, expected) => {
    const candidates = rows.map(([id], i) => brief(id, 10 - i))
    const revisions = new Map(rows.map(([id, td]) => [REV(id), td]))
    expect(matchByRevision(candidates, revisions, TD_NEW)).toBe(expected)
  })
})

describe('findServiceDeployment', () => {
  test('pages ListServiceDeployments with nextToken, since our update, and matches by target revision', async () => {
    ecsMock
      .on(ListServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [brief('old', 1)], nextToken: 'page-2' })
      .resolvesOnce({ serviceDeployments: [brief('ours', 2)] })
    ecsMock.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        { serviceRevisionArn: REV('old'), taskDefinition: TD_OLD },
        { serviceRevisionArn: REV('ours'), taskDefinition: TD_NEW }
      ]
    })
    let calls = 0
    const found = await findServiceDeployment(
      ecs,
      { cluster: 'prod', service: 'web', since: SINCE, taskDefinitionArn: TD_NEW },
      direct,
      () => calls++
    )
    expect(found).toBe(SD('ours'))
    const lists = ecsMock.commandCalls(ListServiceDeploymentsCommand).map(c => c.args[0].input)
    expect(lists).toEqual([
      { cluster: 'prod', service: 'web', createdAt: { after: SINCE } },
      { cluster: 'prod', service: 'web', createdAt: { after: SINCE }, nextToken: 'page-2' }
    ])
    expect(
      ecsMock.commandCalls(DescribeServiceRevisionsCommand)[0].args[0].input.serviceRevisionArns
    ).toEqual([REV('ours'), REV('old')])
    expect(calls).toBe(3)
  })

  test('nothing listed yet: undefined, and no DescribeServiceRevisions', async () => {
    ecsMock.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] })
    const req = { cluster: 'prod', service: 'web', since: SINCE, taskDefinitionArn: TD_NEW }
    expect(await findServiceDeployment(ecs, req, direct)).toBeUndefined()
    expect(ecsMock.commandCalls(DescribeServiceRevisionsCommand)).toEqual([])
  })

  test.each<[string, Error, boolean]>([
    [
      'access denied: a DeployError naming the permission',
      awsError('AccessDeniedException', 'no', 400),
      true
    ],
    [
      'throttled: left as it is, for the loop to retry',
      awsError('ThrottlingException', 'slow down', 400),
      false
    ]
  ])('%s', async (_name, error, wrapped) => {
    ecsMock.on(ListServiceDeploymentsCommand).rejects(error)
    const req = { cluster: 'prod', service: 'web', since: SINCE, taskDefinitionArn: TD_NEW }
    const thrown = await findServiceDeployment(ecs, req, direct).catch((e: unknown) => e)
    expect(thrown instanceof DeployError).toBe(wrapped)
    if (wrapped) expect((thrown as DeployError).hint).toBe('check permission ecs:ListServiceDeployments')
  })
})

describe('the other calls', () => {
  test('describeServiceDeployments asks at most 20 ARNs a call', async () => {
    ecsMock.on(DescribeServiceDeploymentsCommand).callsFake((input: { serviceDeploymentArns: string[] }) => ({
      serviceDeployments: input.serviceDeploymentArns.map(serviceDeploymentArn => ({ serviceDeploymentArn }))
    }))
    const arns = Array.from({ length: 45 }, (_, i) => SD(String(i)))
    const found = await describeServiceDeployments(ecs, arns, direct)
    expect(found.map(d => d.serviceDeploymentArn)).toEqual(arns)
    expect(
      ecsMock
        .commandCalls(DescribeServiceDeploymentsCommand)
        .map(c => c.args[0].input.serviceDeploymentArns?.length)
    ).toEqual([20, 20, 5])
  })

  test('continue and stop send what they are given; a refusal names the call', async () => {
    ecsMock.on(ContinueServiceDeploymentCommand).resolves({})
    ecsMock.on(StopServiceDeploymentCommand).rejects(awsError('AccessDeniedException', 'denied', 400))
    await continueServiceDeployment(ecs, SD('a'), 'gate', 'ROLLBACK')
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)[0].args[0].input).toEqual({
      serviceDeploymentArn: SD('a'),
      hookId: 'gate',
      action: 'ROLLBACK'
    })
    await expect(stopServiceDeployment(ecs, SD('a'))).rejects.toThrow(
      /StopServiceDeployment \(service deployment a\)/
    )
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)[0].args[0].input).toEqual({
      serviceDeploymentArn: SD('a'),
      stopType: 'ROLLBACK'
    })
  })
})

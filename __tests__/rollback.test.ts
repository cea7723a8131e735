import { beforeEach, describe, expect, jest, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ECSClient,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ServiceDeploymentStatus
} from '@aws-sdk/client-ecs'
import type { WatchOutcome } from '../src/watch/loop.js'

jest.unstable_mockModule('@actions/core', () => ({
  info: jest.fn(),
  debug: jest.fn(),
  warning: jest.fn(),
  isDebug: () => false
}))
const { rollBack } = await import('../src/rollback.js')
const { runnerCommands } = await import('../scripts/run-action.js')

const ecsMock = mockClient(ECSClient)
const ecs = new ECSClient({ region: 'eu-west-1' })
const OLD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:4'
const NEW = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:5'

const failedOutcome = (status: WatchOutcome['status'], extra: Partial<WatchOutcome> = {}): WatchOutcome => ({
  status,
  events: [],
  stoppedTasks: [],
  notes: [],
  message: `Deployment ecs-svc/5 ${status}`,
  deployment: {
    id: 'ecs-svc/5',
    status: 'PRIMARY',
    taskDefinition: NEW,
    rolloutState: 'IN_PROGRESS',
    runningCount: 0,
    desiredCount: 2,
    failedTasks: 3
  },
  ...extra
})

let clock = 0
const fast = { sleep: async (ms: number) => void (clock += ms), now: () => clock }

/** The request main.ts makes after a failed deploy of NEW over OLD; each test changes what it is about. */
function request(outcome: WatchOutcome, overrides: Partial<Parameters<typeof rollBack>[0]> = {}) {
  return {
    ecs,
    cluster: 'c',
    service: 'web',
    policy: { enabled: true, taskDefinitionArn: OLD },
    failedTaskDefinitionArn: NEW,
    outcome,
    cancelled: false,
    ...overrides
  }
}

beforeEach(() => {
  ecsMock.reset()
  clock = 0
})

describe('rollBack', () => {
  test('ECS already rolled back: report it, call nothing', async () => {
    const result = await rollBack(
      request(
        failedOutcome('rolled-back', { service: { taskDefinition: OLD }, rollbackDeploymentId: 'ecs-svc/6' })
      )
    )
    expect(result).toMatchObject({ status: 'ecs', taskDefinitionArn: OLD })
    expect(result.message).toContain('web:4')
    expect(ecsMock.calls()).toHaveLength(0)
  })

  test('rollback: false leaves the service and says in what state', async () => {
    const result = await rollBack(
      request(failedOutcome('too-many-failed-tasks'), { policy: { enabled: false, taskDefinitionArn: OLD } })
    )
    expect(result.status).toBe('skipped')
    expect(result.message).toBe(
      'Rollback is off (rollback: false): the service is left on web:5; deployment ecs-svc/5 is IN_PROGRESS, 0/2 tasks running, 3 failed.'
    )
    expect(ecsMock.calls()).toHaveLength(0)
  })

  test.each([
    ['the target is the revision that failed', NEW],
    ['the plan found no revision the service ran before', undefined]
  ])('nothing to roll back to: %s', async (_name, target) => {
    const result = await rollBack(
      request(failedOutcome('timeout'), { policy: { enabled: true, taskDefinitionArn: target } })
    )
    expect(result.status).toBe('skipped')
    expect(result.message).toBe(
      'Nothing to roll back to: the service ran no other task definition before web:5.'
    )
    expect(ecsMock.calls()).toHaveLength(0)
  })

  test('rolls back to the previous revision and waits for it to complete', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({
      service: {
        deployments: [
          { id: 'ecs-svc/6', status: 'PRIMARY', taskDefinition: OLD, rolloutState: 'IN_PROGRESS' },
          { id: 'ecs-svc/5', status: 'ACTIVE', taskDefinition: NEW, rolloutState: 'IN_PROGRESS' }
        ]
      }
    })
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [
          {
            serviceName: 'web',
            taskDefinition: OLD,
            desiredCount: 2,
            runningCount: 1,
            deployments: [
              {
                id: 'ecs-svc/6',
                status: 'PRIMARY',
                taskDefinition: OLD,
                rolloutState: 'IN_PROGRESS',
                runningCount: 1,
                desiredCount: 2
              }
            ],
            events: []
          }
        ]
      })
      .resolves({
        services: [
          {
            serviceName: 'web',
            taskDefinition: OLD,
            desiredCount: 2,
            runningCount: 2,
            deployments: [
              {
                id: 'ecs-svc/6',
                status: 'PRIMARY',
                taskDefinition: OLD,
                rolloutState: 'COMPLETED',
                runningCount: 2,
                desiredCount: 2
              }
            ],
            events: []
          }
        ]
      })
    const result = await rollBack(request(failedOutcome('too-many-failed-tasks'), { ...fast }))
    expect(result).toEqual({
      status: 'completed',
      message: 'Rolled back to web:4: deployment ecs-svc/6 completed.',
      taskDefinitionArn: OLD,
      // For the summary's timeline: when we asked, and what ECS said while we waited.
      startedAt: expect.any(Date),
      events: []
    })
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'c',
      service: 'web',
      taskDefinition: OLD
    })
  })

  test("the rollback's service events are printed through the gate: a newline in one starts no command", async () => {
    const deployment = (rolloutState: 'IN_PROGRESS' | 'COMPLETED') => ({
      id: 'ecs-svc/6',
      status: 'PRIMARY',
      taskDefinition: OLD,
      rolloutState,
      runningCount: 2,
      desiredCount: 2
    })
    ecsMock.on(UpdateServiceCommand).resolves({ service: { deployments: [deployment('IN_PROGRESS')] } })
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'web',
          taskDefinition: OLD,
          deployments: [deployment('COMPLETED')],
          events: [
            {
              id: 'hostile',
              createdAt: new Date(Date.now() + 60_000),
              message: '(service web) was unable to place a task\n::error::x\r::add-mask::y\n##[group]g'
            }
          ]
        }
      ]
    })
    const core = await import('@actions/core')
    const info = core.info as unknown as jest.Mock
    info.mockClear()
    await rollBack(request(failedOutcome('too-many-failed-tasks'), { ...fast }))
    const printed = info.mock.calls.map(c => `${String(c[0])}\n`).join('')
    expect(printed).toContain('was unable to place a task')
    expect(printed).toContain('::error::x')
    expect(runnerCommands(printed)).toEqual([])
  })

  test('cancelled: starts the rollback without waiting', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({
      service: { deployments: [{ id: 'ecs-svc/6', status: 'PRIMARY', taskDefinition: OLD }] }
    })
    const result = await rollBack(request(failedOutcome('cancelled'), { cancelled: true }))
    expect(result.status).toBe('started')
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(0)
  })

  test('noWait (its tasks find no room either): starts the rollback and says why it is not waited for', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({
      service: { deployments: [{ id: 'ecs-svc/6', status: 'PRIMARY', taskDefinition: OLD }] }
    })
    const result = await rollBack(request(failedOutcome('failed'), { noWait: 'its tasks need room too' }))
    expect(result.status).toBe('started')
    expect(result.message).toMatch(
      / started \(deployment ecs-svc\/6\); its tasks need room too, so it was not waited for\.$/
    )
    expect(ecsMock.commandCalls(DescribeServicesCommand)).toHaveLength(0)
  })

  test('a failing UpdateService is reported, not thrown', async () => {
    const error = new Error('Rate exceeded')
    error.name = 'AccessDeniedException'
    ecsMock.on(UpdateServiceCommand).rejects(error)
    const result = await rollBack(request(failedOutcome('failed')))
    expect(result.status).toBe('failed')
    expect(result.message).toContain(
      'Rollback to web:4 failed: UpdateService: AccessDeniedException: Rate exceeded'
    )
  })

  test('rollback that does not settle in time', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({
      service: { deployments: [{ id: 'ecs-svc/6', status: 'PRIMARY', taskDefinition: OLD }] }
    })
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'web',
          desiredCount: 2,
          runningCount: 0,
          deployments: [
            {
              id: 'ecs-svc/6',
              status: 'PRIMARY',
              taskDefinition: OLD,
              rolloutState: 'IN_PROGRESS',
              runningCount: 0,
              desiredCount: 2
            }
          ],
          events: []
        }
      ]
    })
    const result = await rollBack(request(failedOutcome('timeout'), { waitMs: 60_000, ...fast }))
    expect(result.status).toBe('failed')
    expect(result.message).toMatch(/^Rollback to web:4 did not complete: /)
  })
})

/** BLUE_GREEN, LINEAR, CANARY: StopServiceDeployment(ROLLBACK) while ours is still going; else as rolling. */
describe('rollBack of a native deployment', () => {
  const SD = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/c/web/Sd5'
  const native = (status: WatchOutcome['status'], sdStatus: ServiceDeploymentStatus): WatchOutcome =>
    failedOutcome(status, {
      deployment: undefined,
      serviceDeployment: { serviceDeploymentArn: SD, status: sdStatus }
    })

  test.each<[string, WatchOutcome, ServiceDeploymentStatus, boolean, string, RegExp]>([
    [
      'timed out in the bake: stopped, watched to ROLLBACK_SUCCESSFUL',
      native('timeout', 'IN_PROGRESS'),
      'ROLLBACK_SUCCESSFUL',
      false,
      'completed',
      /^Rolled back service deployment Sd5: traffic is back/
    ],
    [
      'cancelled: stopped, not waited for',
      native('cancelled', 'IN_PROGRESS'),
      'ROLLBACK_SUCCESSFUL',
      true,
      'started',
      /not waited for/
    ],
    [
      'the rollback itself fails: red, saying so',
      native('timeout', 'IN_PROGRESS'),
      'ROLLBACK_FAILED',
      false,
      'failed',
      /did not succeed/
    ],
    [
      'ECS rolled back by itself: only reported',
      native('rolled-back', 'ROLLBACK_SUCCESSFUL'),
      'ROLLBACK_SUCCESSFUL',
      false,
      'ecs',
      /started no rollback/
    ]
  ])('%s', async (_name, outcome, after, cancelled, status, message) => {
    ecsMock.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: SD })
    ecsMock
      .on(DescribeServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ serviceDeploymentArn: SD, status: after }] })
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'web', taskDefinition: OLD }] })
    const result = await rollBack({ ...request(outcome, { cancelled, strategy: 'BLUE_GREEN' }), ...fast })
    expect(result.status).toBe(status)
    expect(result.message).toMatch(message)
    const stops = ecsMock.commandCalls(StopServiceDeploymentCommand).map(c => c.args[0].input)
    expect(stops).toEqual(status === 'ecs' ? [] : [{ serviceDeploymentArn: SD, stopType: 'ROLLBACK' }])
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toEqual([])
  })

  test('a ROLLING service with the same outcome rolls back with UpdateService', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({
      service: { deployments: [{ id: 'ecs-svc/6', status: 'PRIMARY', taskDefinition: OLD }] }
    })
    ecsMock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'web',
          status: 'ACTIVE',
          deployments: [
            { id: 'ecs-svc/6', status: 'PRIMARY', taskDefinition: OLD, rolloutState: 'COMPLETED' }
          ]
        }
      ]
    })
    const result = await rollBack({
      ...request(native('timeout', 'IN_PROGRESS'), { strategy: 'ROLLING' }),
      ...fast
    })
    expect(result.status).toBe('completed')
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toEqual([])
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input.taskDefinition).toBe(OLD)
  })
})

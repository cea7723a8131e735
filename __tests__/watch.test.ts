import { beforeEach, describe, expect, it } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Deployment,
  type DescribeServicesCommandOutput,
  type ServiceEvent,
  type Task
} from '@aws-sdk/client-ecs'
import { DeployError } from '../src/errors.js'
import {
  CallMeter,
  failedLimitText,
  isTransientError,
  watchDeployment,
  type WatchOptions
} from '../src/watch.js'

const ecsMock = mockClient(ECSClient)
const ecs = new ECSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } })

const OURS = 'ecs-svc/1111'
const OLD = 'ecs-svc/0000'
const ROLLBACK = 'ecs-svc/2222'
const TD_NEW = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8'
const TD_OLD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7'
const SINCE = new Date('2024-05-01T12:00:00Z')
const at = (seconds: number): Date => new Date(SINCE.getTime() + seconds * 1000)

function ours(d: Partial<Deployment> = {}): Deployment {
  return {
    id: OURS,
    status: 'PRIMARY',
    taskDefinition: TD_NEW,
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    createdAt: at(0),
    ...d
  }
}

function old(d: Partial<Deployment> = {}): Deployment {
  return {
    id: OLD,
    status: 'ACTIVE',
    taskDefinition: TD_OLD,
    desiredCount: 2,
    runningCount: 2,
    rolloutState: 'COMPLETED',
    createdAt: at(-3600),
    ...d
  }
}

function svc(deployments: Deployment[], events: ServiceEvent[] = []): DescribeServicesCommandOutput {
  return {
    $metadata: {},
    services: [{ serviceName: 'web', status: 'ACTIVE', deployments, events }],
    failures: []
  }
}

function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode },
    $fault: httpStatusCode >= 500 ? 'server' : 'client'
  })
}

function stoppedTask(id: string, stoppedAtSeconds: number): Task {
  return {
    taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${id}`,
    lastStatus: 'STOPPED',
    startedBy: OURS,
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    stoppedAt: at(stoppedAtSeconds),
    containers: [{ name: 'web', exitCode: 3 }]
  }
}

/** A fake clock: sleep advances it, nothing waits. */
function fakeClock(): {
  now: () => number
  sleep: (ms: number) => Promise<void>
  advance: (ms: number) => void
} {
  let t = SINCE.getTime()
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms
    },
    advance: (ms: number) => {
      t += ms
    }
  }
}

function options(clock: ReturnType<typeof fakeClock>, extra: Partial<WatchOptions> = {}): WatchOptions {
  return {
    ecs,
    cluster: 'prod',
    service: 'web',
    deploymentId: OURS,
    taskDefinitionArn: TD_NEW,
    since: SINCE,
    timeoutMs: 30 * 60_000,
    maxFailedTasks: 0,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...extra
  }
}

const callsOf = (command: unknown): number =>
  ecsMock.commandCalls(command as typeof DescribeServicesCommand).length

beforeEach(() => {
  ecsMock.reset()
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] })
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [] })
})

describe('watchDeployment: outcomes from sequences of DescribeServices answers', () => {
  const cases: Array<{
    name: string
    responses: DescribeServicesCommandOutput[]
    maxFailedTasks?: number
    status: string
    message: RegExp
    rollbackDeploymentId?: string
    polls: number
  }> = [
    {
      name: 'completes when our deployment is COMPLETED and PRIMARY',
      responses: [
        svc([ours(), old()]),
        svc([ours({ runningCount: 1, pendingCount: 1 }), old({ desiredCount: 1 })]),
        svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })])
      ],
      status: 'completed',
      message: /^Deployment ecs-svc\/1111 completed: 2\/2 tasks running on web:8$/,
      polls: 3
    },
    {
      name: 'does not call it done when the counts match but the rollout is still IN_PROGRESS',
      responses: [
        svc([ours({ runningCount: 2 })]),
        svc([ours({ runningCount: 2 })]),
        svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })])
      ],
      status: 'completed',
      message: /completed/,
      polls: 3
    },
    {
      name: 'completes without rolloutState when ours is the only deployment left at running = desired',
      responses: [
        svc([ours({ rolloutState: undefined }), old({ rolloutState: undefined })]),
        svc([
          ours({ rolloutState: undefined, runningCount: 2 }),
          old({ rolloutState: undefined, runningCount: 1 })
        ]),
        svc([ours({ rolloutState: undefined, runningCount: 2 })])
      ],
      status: 'completed',
      message: /completed: 2\/2 tasks running/,
      polls: 3
    },
    {
      name: 'fails when the circuit breaker marks our deployment FAILED (no rollback)',
      responses: [
        svc([ours(), old()]),
        svc([
          ours({
            rolloutState: 'FAILED',
            failedTasks: 3,
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
          }),
          old()
        ])
      ],
      status: 'failed',
      message:
        /^Deployment ecs-svc\/1111 failed: ECS deployment circuit breaker: tasks failed to start\. \(0\/2 tasks running, 3 failed\)$/,
      polls: 2
    },
    {
      name: 'reports a rollback when our FAILED deployment is replaced by a PRIMARY on the old revision',
      responses: [
        svc([ours(), old()]),
        svc([
          { ...old({ id: ROLLBACK, status: 'PRIMARY', rolloutState: 'IN_PROGRESS', createdAt: at(60) }) },
          ours({ status: 'ACTIVE', rolloutState: 'FAILED', failedTasks: 3 })
        ])
      ],
      status: 'rolled-back',
      message: /failed; ECS rolled back to web:7 \(deployment ecs-svc\/2222\)/,
      rollbackDeploymentId: ROLLBACK,
      polls: 2
    },
    {
      name: 'reports a rollback when our deployment vanished and a newer PRIMARY exists',
      responses: [
        svc([ours(), old()]),
        svc(
          [old({ id: ROLLBACK, status: 'PRIMARY', createdAt: at(90) })],
          [{ id: 'e2', createdAt: at(80), message: '(service web) rolling back to deployment ecs-svc/2222.' }]
        )
      ],
      status: 'rolled-back',
      message: /failed and ECS rolled back to web:7 \(deployment ecs-svc\/2222\)/,
      rollbackDeploymentId: ROLLBACK,
      polls: 2
    },
    {
      name: 'reports FAILED + a "rolling back" event as rolled back before the new PRIMARY shows',
      responses: [
        svc(
          [ours({ rolloutState: 'FAILED' }), old()],
          [{ id: 'e1', createdAt: at(30), message: '(service web) rolling back to deployment ecs-svc/0000.' }]
        )
      ],
      status: 'rolled-back',
      message: /ECS is rolling back/,
      polls: 1
    },
    {
      name: 'stops after maxFailedTasks failed tasks without a circuit breaker',
      responses: [
        svc([ours(), old()]),
        svc([ours({ failedTasks: 1 }), old()]),
        svc([ours({ failedTasks: 2 }), old()]),
        svc([ours({ failedTasks: 3 }), old()])
      ],
      maxFailedTasks: 3,
      status: 'too-many-failed-tasks',
      message:
        /^Deployment ecs-svc\/1111 stopped after 3 failed tasks \(limit 3\): 0\/2 tasks running, 3 failed$/,
      polls: 4
    },
    {
      name: 'tasks fail two at a time (desired 2): 4 failed with limit 3 is one batch, and says so',
      responses: [
        svc([ours(), old()]),
        svc([ours({ failedTasks: 2 }), old()]),
        svc([ours({ failedTasks: 4 }), old()])
      ],
      maxFailedTasks: 3,
      status: 'too-many-failed-tasks',
      message:
        /^Deployment ecs-svc\/1111 stopped after 4 failed tasks \(limit 3; ECS starts tasks in batches of 2\): 0\/2 tasks running, 4 failed$/,
      polls: 3
    },
    {
      name: 'keeps waiting past maxFailedTasks when it is 0 (disabled) and the rollout completes',
      responses: [
        svc([ours({ failedTasks: 5 })]),
        svc([ours({ failedTasks: 5, runningCount: 2, rolloutState: 'COMPLETED' })])
      ],
      maxFailedTasks: 0,
      status: 'completed',
      message: /completed/,
      polls: 2
    }
  ]

  it.each(cases)('$name', async c => {
    let chain = ecsMock.on(DescribeServicesCommand)
    for (const r of c.responses) chain = chain.resolvesOnce(r)
    chain.rejects(new Error('polled past the last answer'))
    const clock = fakeClock()

    const outcome = await watchDeployment(options(clock, { maxFailedTasks: c.maxFailedTasks ?? 0 }))

    expect(outcome.status).toBe(c.status)
    expect(outcome.message).toMatch(c.message)
    expect(outcome.rollbackDeploymentId).toBe(c.rollbackDeploymentId)
    expect(callsOf(DescribeServicesCommand)).toBe(c.polls)
    expect(ecsMock.commandCalls(DescribeServicesCommand)[0]!.args[0].input).toEqual({
      cluster: 'prod',
      services: ['web']
    })
    // Failures always read the stopped tasks once before returning; success does not need to.
    if (c.status !== 'completed') {
      expect(ecsMock.commandCalls(ListTasksCommand).at(-1)!.args[0].input).toEqual({
        cluster: 'prod',
        startedBy: OURS,
        desiredStatus: 'STOPPED'
      })
    }
    expect(outcome.deployment?.id).toBe(OURS)
  })

  it('notices success on the first poll after it happens (within one 2 s interval)', async () => {
    const clock = fakeClock()
    const completesAt = SINCE.getTime() + 7_300
    ecsMock
      .on(DescribeServicesCommand)
      .callsFake(() =>
        clock.now() >= completesAt
          ? svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })])
          : svc([ours(), old()])
      )

    const outcome = await watchDeployment(options(clock))

    expect(outcome.status).toBe('completed')
    expect(clock.now() - completesAt).toBeGreaterThanOrEqual(0)
    expect(clock.now() - completesAt).toBeLessThanOrEqual(2000)
  })
})

describe('watchDeployment: stopped tasks', () => {
  it('reads the stopped tasks of our deployment as failedTasks grows, describing each new ARN once', async () => {
    const tasks = ['t1', 't2', 't3'].map((id, i) => stoppedTask(id, 10 + i))
    const clock = fakeClock()
    let poll = 0
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      poll++
      // Poll 1: nothing failed; polls 2..4: one more failed task each (ListTasks shows it).
      return svc([ours({ failedTasks: Math.min(3, poll - 1) }), old()])
    })
    ecsMock
      .on(ListTasksCommand)
      .callsFake(() => ({ taskArns: tasks.slice(0, Math.min(3, poll - 1)).map(t => t.taskArn!) }))
    ecsMock.on(DescribeTasksCommand).callsFake(input => ({
      tasks: tasks.filter(t => (input as { tasks: string[] }).tasks.includes(t.taskArn!))
    }))
    const seen: string[] = []

    const outcome = await watchDeployment(
      options(clock, { maxFailedTasks: 3, onStoppedTask: t => seen.push(t.taskArn!.split('/').pop()!) })
    )

    expect(outcome.status).toBe('too-many-failed-tasks')
    expect(seen).toEqual(['t1', 't2', 't3'])
    expect(outcome.stoppedTasks.map(t => t.taskArn)).toEqual(tasks.map(t => t.taskArn))
    const described = ecsMock.commandCalls(DescribeTasksCommand).flatMap(c => c.args[0].input.tasks ?? [])
    expect(described).toEqual(tasks.map(t => t.taskArn)) // each ARN described once
    for (const call of ecsMock.commandCalls(DescribeTasksCommand))
      expect(call.args[0].input.cluster).toBe('prod')
  })

  it('reads a task again while it is still STOPPING, and reports it once it is STOPPED', async () => {
    const clock = fakeClock()
    let poll = 0
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      poll++
      return poll < 3
        ? svc([ours({ failedTasks: poll })])
        : svc([ours({ failedTasks: 2, rolloutState: 'FAILED' })])
    })
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/t1'
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [arn] })
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: arn, lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED' }] })
      .resolves({ tasks: [stoppedTask('t1', 5)] })
    const seen: Task[] = []

    const outcome = await watchDeployment(options(clock, { onStoppedTask: t => seen.push(t) }))

    expect(outcome.status).toBe('failed')
    expect(seen).toHaveLength(1)
    expect(seen[0]!.lastStatus).toBe('STOPPED')
    expect(outcome.stoppedTasks).toHaveLength(1)
  })

  it('turns a failure to read stopped tasks into a note, not a failed watch', async () => {
    const clock = fakeClock()
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([ours({ failedTasks: 1 })]))
      .resolves(svc([ours({ runningCount: 2, failedTasks: 1, rolloutState: 'COMPLETED' })]))
    ecsMock
      .on(ListTasksCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform ecs:ListTasks', 400))

    const outcome = await watchDeployment(options(clock))

    expect(outcome.status).toBe('completed')
    expect(outcome.notes).toEqual([
      expect.stringMatching(
        /^Could not read the stopped tasks of ecs-svc\/1111 \(AccessDeniedException\): not authorized/
      )
    ])
  })
})

describe('watchDeployment: time, cancellation and errors', () => {
  it('times out at the deadline with what the deployment looked like', async () => {
    const clock = fakeClock()
    ecsMock.on(DescribeServicesCommand).resolves(svc([ours({ runningCount: 1, pendingCount: 1 }), old()]))

    const outcome = await watchDeployment(options(clock, { timeoutMs: 60_000 }))

    expect(outcome.status).toBe('timeout')
    expect(outcome.message).toBe(
      'Deployment ecs-svc/1111 did not complete within 1 minute: 1/2 tasks running, 1 pending (rollout IN_PROGRESS)'
    )
    expect(clock.now() - SINCE.getTime()).toBe(60_000) // the last poll is at the deadline, not after it
    expect(callsOf(ListTasksCommand)).toBeGreaterThanOrEqual(1)
  })

  it('is cancelled promptly through the AbortSignal, with no call after the abort', async () => {
    const clock = fakeClock()
    const controller = new AbortController()
    let polls = 0
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      if (++polls === 3) controller.abort()
      return svc([ours(), old()])
    })

    const outcome = await watchDeployment(options(clock, { signal: controller.signal }))

    expect(outcome.status).toBe('cancelled')
    expect(outcome.message).toMatch(/^Stopped waiting for deployment ecs-svc\/1111: cancelled/)
    expect(polls).toBe(3)
    expect(callsOf(ListTasksCommand)).toBe(0)
  })

  it('wakes from the real sleep as soon as the signal aborts', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(svc([ours(), old()]))
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 20)
    const started = Date.now()

    const outcome = await watchDeployment({
      ecs,
      cluster: 'prod',
      service: 'web',
      deploymentId: OURS,
      taskDefinitionArn: TD_NEW,
      since: SINCE,
      timeoutMs: 600_000,
      maxFailedTasks: 3,
      pollIntervalMs: 60_000,
      signal: controller.signal
    })

    expect(outcome.status).toBe('cancelled')
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('tolerates transient DescribeServices errors (throttling, 5xx, network) and completes', async () => {
    const clock = fakeClock()
    ecsMock
      .on(DescribeServicesCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded', 400))
      .rejectsOnce(awsError('ServerException', 'Internal error', 500))
      .resolvesOnce(svc([ours(), old()]))
      .rejectsOnce(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded', 400))
      .rejectsOnce(awsError('ServiceUnavailable', 'try later', 503))
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded', 400))
      .resolves(svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })]))

    const outcome = await watchDeployment(options(clock))

    expect(outcome.status).toBe('completed')
    expect(callsOf(DescribeServicesCommand)).toBe(8)
  })

  const thrown: Array<{ name: string; error: Error; calls: number; timeoutMs?: number }> = [
    {
      name: 'persistent throttling, after 5 polls',
      error: awsError('ThrottlingException', 'Rate exceeded', 400),
      calls: 5
    },
    {
      name: 'persistent 5xx, after 5 polls',
      error: awsError('ServerException', 'Service unavailable', 500),
      calls: 5
    },
    {
      name: 'access denied, at once',
      error: awsError('AccessDeniedException', 'not authorized: ecs:DescribeServices', 400),
      calls: 1
    },
    {
      name: 'throttling until the deadline: the error, not a timeout',
      error: awsError('ThrottlingException', 'Rate exceeded', 400),
      calls: 4, // t = 0, 1.5, 4.5 (backoff with jitter) and the deadline at 5 s
      timeoutMs: 5_000
    }
  ]
  it.each(thrown)('throws DescribeServices errors as themselves: $name', async c => {
    const clock = fakeClock()
    ecsMock.on(DescribeServicesCommand).rejects(c.error)

    const error = await watchDeployment(options(clock, { timeoutMs: c.timeoutMs ?? 30 * 60_000 })).catch(
      e => e
    )

    expect(error).toBeInstanceOf(DeployError)
    expect(error).toMatchObject({ title: 'DescribeServices failed' })
    expect((error as DeployError).message).toContain(`${c.error.name}: ${c.error.message}`)
    expect((error as DeployError).message).not.toMatch(/timeout|did not complete/i)
    expect(callsOf(DescribeServicesCommand)).toBe(c.calls)
  })

  it('throws when DescribeServices says the service is MISSING', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ $metadata: {}, services: [], failures: [{ arn: 'arn:…/web', reason: 'MISSING' }] })
    const error = await watchDeployment(options(fakeClock())).catch(e => e)
    expect(error).toBeInstanceOf(DeployError)
    expect(error).toMatchObject({ title: 'Service not found' })
    expect((error as Error).message).toContain('MISSING')
  })

  it('throws when our deployment never shows up and only the old PRIMARY exists', async () => {
    ecsMock.on(DescribeServicesCommand).resolves(svc([old({ status: 'PRIMARY' })]))
    const error = await watchDeployment(options(fakeClock())).catch(e => e)
    expect(error).toMatchObject({ title: 'Deployment not found' })
    expect(callsOf(DescribeServicesCommand)).toBe(5)
  })
})

describe('watchDeployment: events', () => {
  it('streams each event since the update once, oldest first', async () => {
    const e = (id: string, seconds: number, message: string): ServiceEvent => ({
      id,
      createdAt: at(seconds),
      message
    })
    const before = e('e0', -120, '(service web) has reached a steady state.')
    const e1 = e('e1', 1, '(service web) has started 2 tasks: (task a) (task b).')
    const e2 = e('e2', 5, '(service web) has stopped 1 running tasks: (task a).')
    const e3 = e('e3', 5, '(service web) has started 1 tasks: (task c).') // same second, listed first = newer
    const e4 = e('e4', 12, '(service web) (deployment ecs-svc/1111) deployment completed.')
    const slack = e('e5', -0.5, '(service web) updated computedDesiredCount for taskSet') // within the 1 s slack
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([ours(), old()], [e1, slack, before]))
      .resolvesOnce(svc([ours(), old()], [e3, e2, e1, slack, before]))
      .resolvesOnce(svc([ours(), old()], [e3, e2, e1, slack, before]))
      .resolves(svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })], [e4, e3, e2, e1, slack, before]))
    const streamed: string[] = []

    const outcome = await watchDeployment(options(fakeClock(), { onEvent: ev => streamed.push(ev.id!) }))

    expect(streamed).toEqual(['e5', 'e1', 'e2', 'e3', 'e4'])
    expect(outcome.events.map(ev => ev.id)).toEqual(streamed)
  })

  it('never reports events the service already had before the update, even within the slack', async () => {
    const slack = { id: 'e5', createdAt: at(-0.5), message: '(service web) has reached a steady state.' }
    const mine = {
      id: 'e6',
      createdAt: at(1),
      message: '(service web) has started 2 tasks: (task a) (task b).'
    }
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([ours(), old()], [mine, slack]))
      .resolves(svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })], [mine, slack]))
    const streamed: string[] = []

    await watchDeployment(
      options(fakeClock(), { knownEventIds: ['e5'], onEvent: ev => streamed.push(ev.id!) })
    )

    expect(streamed).toEqual(['e6'])
  })
})

describe('watchDeployment: ECS call budget', () => {
  it('makes at most 40 ECS calls in any minute with the default interval, even while tasks crash every poll', async () => {
    const clock = fakeClock()
    const callTimes: number[] = []
    let failed = 0
    const arns: string[] = []
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      callTimes.push(clock.now())
      failed++
      arns.push(`arn:aws:ecs:eu-west-1:123456789012:task/prod/t${failed}`)
      return svc([ours({ failedTasks: failed }), old()])
    })
    ecsMock.on(ListTasksCommand).callsFake(() => {
      callTimes.push(clock.now())
      return { taskArns: [...arns] }
    })
    ecsMock.on(DescribeTasksCommand).callsFake(input => {
      callTimes.push(clock.now())
      return {
        tasks: (input as { tasks: string[] }).tasks.map(arn => ({
          ...stoppedTask(arn.split('/').pop()!, 0),
          taskArn: arn
        }))
      }
    })
    const seen = new Set<string>()

    const outcome = await watchDeployment(
      options(clock, { timeoutMs: 3 * 60_000, maxFailedTasks: 0, onStoppedTask: t => seen.add(t.taskArn!) })
    )

    expect(outcome.status).toBe('timeout')
    let worst = 0
    for (const t of callTimes) worst = Math.max(worst, callTimes.filter(c => c >= t && c < t + 60_000).length)
    expect(worst).toBeLessThanOrEqual(40)
    expect(worst).toBeGreaterThanOrEqual(30) // it did poll every 2 s
    expect(seen.size).toBe(arns.length) // and still read every stopped task by the end
  })

  it('makes about 30 calls a minute on a quiet deployment, and reads stopped tasks on a slow cadence', async () => {
    const clock = fakeClock()
    ecsMock.on(DescribeServicesCommand).resolves(svc([ours({ runningCount: 1 }), old()]))

    await watchDeployment(options(clock, { timeoutMs: 60_000 - 1 }))

    expect(callsOf(DescribeServicesCommand)).toBe(31) // t = 0, 2, …, 58 and the deadline
    expect(callsOf(ListTasksCommand)).toBe(3 + 1) // at 16, 32 and 48 s (every ≥ 15 s), and once at the end
  })
})

describe('watchDeployment: the failed-task limit under API faults', () => {
  type Since = Parameters<typeof failedLimitText>[3]
  it.each<[number, number, number, Since, string]>([
    [3, 3, 2, undefined, 'limit 3'],
    [4, 3, 2, undefined, 'limit 3; ECS starts tasks in batches of 2'],
    [4, 3, 2, { failed: 0, ms: 20_000, unread: true }, 'limit 3; ECS starts tasks in batches of 2'],
    [
      8,
      3,
      2,
      { failed: 2, ms: 24_000, unread: true },
      'limit 3; ECS starts tasks in batches of 2; 6 of them failed in the 24 seconds ECS could not be read'
    ],
    [
      8,
      3,
      2,
      { failed: 2, ms: 2_000, unread: false },
      'limit 3; ECS starts tasks in batches of 2; 6 of them failed between two reads 2 seconds apart'
    ],
    [4, 3, 0, undefined, 'limit 3; ECS starts tasks in batches of 1'],
    [8, 3, 2, { failed: 0, ms: 0, unread: false }, 'limit 3; ECS starts tasks in batches of 2']
  ])(
    '%p failed, limit %p, desired %p, since the last read %p → "%s"',
    (failed, limit, desired, since, text) => {
      expect(failedLimitText(failed, limit, desired, since)).toBe(text)
    }
  )

  type Fault = 'ok' | 'throttle' | '5xx' | { slowMs: number; then: 'ok' | 'throttle' }

  /**
   * ECS fails a batch of 2 tasks every `batchMs` of (fake) time; DescribeServices calls go as `faults`
   * says, one entry per call, then answer. A slow call is the SDK retrying a throttled call for
   * `slowMs` before it answers (or gives up): it settles two turns of the event loop later, unless
   * the watch aborted it first.
   */
  function faultyEcs(clock: ReturnType<typeof fakeClock>, batchMs: number, faults: Fault[]) {
    let calls = 0
    const seen: Array<{ at: number; failed?: number; fault: string }> = []
    const failedNow = () => 2 * Math.floor((clock.now() - SINCE.getTime()) / batchMs)
    const answer = () => svc([ours({ failedTasks: failedNow() }), old()])
    const reject = (kind: 'throttle' | '5xx') =>
      kind === 'throttle'
        ? awsError('ThrottlingException', 'Rate exceeded', 400)
        : awsError('ServerException', 'Service Unavailable. Please try again later.', 500)
    ecsMock.send.callsFake(async (command: unknown, options?: { abortSignal?: AbortSignal }) => {
      if (command instanceof ListTasksCommand) return { $metadata: {}, taskArns: [] }
      if (command instanceof DescribeTasksCommand) return { $metadata: {}, tasks: [] }
      const fault = faults[calls++] ?? 'ok'
      const at = clock.now()
      if (fault === 'ok') {
        const out = answer()
        seen.push({ at, failed: out.services![0]!.deployments![0]!.failedTasks, fault })
        return out
      }
      if (typeof fault === 'string') {
        seen.push({ at, fault })
        throw reject(fault)
      }
      seen.push({ at, fault: `slow ${fault.slowMs} ms, then ${fault.then}` })
      await new Promise(resolve => setImmediate(() => setImmediate(resolve)))
      if (options?.abortSignal?.aborted)
        throw Object.assign(new Error('Request aborted'), { name: 'AbortError' })
      clock.advance(fault.slowMs)
      if (fault.then === 'throttle') throw reject('throttle')
      return answer()
    })
    return { seen }
  }

  it('throttling, 5xx and calls the SDK retries for 25 s: stops within one batch of the limit', async () => {
    const clock = fakeClock()
    // Polls every 2 s; at t = 2 s a throttle, at 4 s a 5xx; the 26th call (t ≈ 50 s) is retried by the
    // SDK for 25 s and fails, the next for 25 s and succeeds. Tasks fail 2 at a time every 30 s.
    const faults: Fault[] = ['ok', 'throttle', '5xx', ...Array<Fault>(22).fill('ok')]
    faults.push({ slowMs: 25_000, then: 'throttle' }, { slowMs: 25_000, then: 'ok' })
    const { seen } = faultyEcs(clock, 30_000, faults)

    const outcome = await watchDeployment(options(clock, { maxFailedTasks: 3 }))

    expect(outcome.status).toBe('too-many-failed-tasks')
    // Without a limit on a call's time the watch saw nothing from t ≈ 50 s to 100 s: 6 failed.
    expect(outcome.deployment?.failedTasks).toBe(4)
    expect(outcome.message).toBe(
      'Deployment ecs-svc/1111 stopped after 4 failed tasks (limit 3; ECS starts tasks in batches of 2): 0/2 tasks running, 4 failed'
    )
    // The two slow calls were given up after 5 s each, and the deployment seen again at once.
    expect(clock.now() - SINCE.getTime()).toBeLessThan(70_000)
    expect(seen.filter(c => c.fault.startsWith('slow'))).toHaveLength(2)
  })

  it('counts from the watch start when the first answer is already past one batch', async () => {
    const clock = fakeClock()
    // The first two calls are throttled: the first answer comes at t = 4.5 s, with 6 failed.
    faultyEcs(clock, 1_500, ['throttle', 'throttle'])

    const outcome = await watchDeployment(options(clock, { maxFailedTasks: 3 }))

    expect(outcome.message).toBe(
      'Deployment ecs-svc/1111 stopped after 6 failed tasks (limit 3; ECS starts tasks in batches of 2; 6 of them failed in the 5 seconds ECS could not be read): 0/2 tasks running, 6 failed'
    )
  })

  it('says how long ECS could not be read when the count went past one batch', async () => {
    const clock = fakeClock()
    // Batches every 10 s; from t = 12 s four calls in a row are throttled or 5xx: the watch backs off
    // (1.5, 3, 6, 11.25 s) and next sees the deployment at t = 33.75 s, 23.75 s after the last answer.
    const faults: Fault[] = [...Array<Fault>(6).fill('ok'), 'throttle', '5xx', 'throttle', 'throttle']
    faultyEcs(clock, 10_000, faults)

    const outcome = await watchDeployment(options(clock, { maxFailedTasks: 3 }))

    expect(outcome.status).toBe('too-many-failed-tasks')
    expect(outcome.message).toBe(
      'Deployment ecs-svc/1111 stopped after 6 failed tasks (limit 3; ECS starts tasks in batches of 2; 4 of them failed in the 24 seconds ECS could not be read): 0/2 tasks running, 6 failed'
    )
  })
})

describe('isTransientError', () => {
  it.each([
    [awsError('ThrottlingException', 'x', 400), true],
    [awsError('ServerException', 'x', 500), true],
    [awsError('Whatever', 'x', 502), true],
    [awsError('TooManyRequestsException', 'x', 429), true],
    [Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), true],
    [awsError('AccessDeniedException', 'x', 400), false],
    [awsError('ClusterNotFoundException', 'x', 400), false],
    [new TypeError('bug'), false]
  ])('%p → %p', (error, expected) => {
    expect(isTransientError(error)).toBe(expected)
  })
})

describe('CallMeter', () => {
  it('counts calls over a sliding minute and says how long until more fit', () => {
    let t = 0
    const meter = new CallMeter(3, () => t)
    meter.record()
    t = 10_000
    meter.record()
    meter.record()
    expect(meter.used()).toBe(3)
    expect(meter.delayFor(1)).toBe(50_001) // the call at 0 leaves the window at 60 000
    expect(meter.delayFor(2)).toBe(60_001) // then the two at 10 000
    t = 60_001
    expect(meter.used()).toBe(2)
    expect(meter.delayFor(1)).toBe(0)
  })

  it('a shared meter holds a second watch back when the first used the budget', async () => {
    const clock = fakeClock()
    const meter = new CallMeter(40, clock.now)
    const start = clock.now()
    for (let i = 0; i < 40; i++) meter.record()
    const polledAt: number[] = []
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      polledAt.push(clock.now())
      return svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })])
    })
    await watchDeployment(options(clock, { meter }))
    expect(polledAt[0] - start).toBeGreaterThan(60_000)
  })
})

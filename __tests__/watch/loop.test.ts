import { beforeEach, describe, expect, it } from '@jest/globals'
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type DescribeServicesCommandOutput
} from '@aws-sdk/client-ecs'
import { DeployError, isTransientError } from '../../src/errors.js'
import { watchDeployment } from '../../src/watch/loop.js'
import type { Snapshot, VerdictFn } from '../../src/watch/verdict.js'
import {
  OURS,
  ROLLBACK,
  TD_NEW,
  SINCE,
  at,
  ours,
  old,
  svc,
  awsError,
  fakeClock,
  options,
  callsOf,
  ecsMock,
  ecs,
  resetEcsMock
} from './fixtures.js'

beforeEach(resetEcsMock)

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

describe('watchDeployment: the failed-task limit under API faults', () => {
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

describe('watchDeployment: the verdict is a seam', () => {
  it('judges every answer with the verdict it is given, passing the service, our deployment and the clock', async () => {
    const clock = fakeClock()
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([ours(), old()]))
      .resolves(svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })]))
    const seen: Snapshot[] = []
    const verdict: VerdictFn = s => {
      seen.push(s)
      return seen.length === 3 ? { status: 'completed', message: 'judged by the test' } : undefined
    }

    const outcome = await watchDeployment(options(clock, { verdict }))

    // The rolling verdict would have ended at the second answer; this one decides at the third.
    expect(outcome).toMatchObject({ status: 'completed', message: 'judged by the test' })
    expect(callsOf(DescribeServicesCommand)).toBe(3)
    expect(seen.map(s => [s.ours?.rolloutState, s.deployments.length, s.now - SINCE.getTime()])).toEqual([
      ['IN_PROGRESS', 2, 0],
      ['COMPLETED', 1, 2000],
      ['COMPLETED', 1, 4000]
    ])
    expect(seen[0]).toMatchObject({ deploymentId: OURS, service: { serviceName: 'web' }, cancelled: false })
  })

  it('without one, a service of any strategy gets the verdict for its strategy (rolling so far)', async () => {
    const clock = fakeClock()
    const answer = svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })])
    answer.services![0]!.deploymentConfiguration = { strategy: 'BLUE_GREEN' }
    ecsMock.on(DescribeServicesCommand).resolves(answer)

    const outcome = await watchDeployment(options(clock))

    expect(outcome.status).toBe('completed')
  })
})

/**
 * The simulator driven only through the real AWS SDK v3 clients, with the scripted task backend
 * (no Docker) and a small time scale.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  Service,
  StopTaskCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import { faultFor } from '../random.js'
import {
  getCalls,
  getFaults,
  getTimeline,
  reset,
  RunningSim,
  setFaults,
  setRules,
  startSim
} from '../testing.js'
import { clients, completedOn, messages, service, tasksOf, waitFor } from './helpers.js'

let sim: RunningSim
let ecs: ECSClient
let c: ReturnType<typeof clients>

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.02 })
  c = clients(sim.url)
  ecs = c.ecs
})

afterAll(async () => {
  await sim?.stop()
})

beforeEach(async () => {
  await reset(sim.url)
})

async function setup(
  cluster: string,
  images: string[],
  opts: {
    desired: number
    min?: number
    max?: number
    breaker?: { enable: boolean; rollback: boolean }
    healthCheck?: boolean
  }
) {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }))
  for (const image of images)
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'app',
            image,
            essential: true,
            healthCheck: opts.healthCheck
              ? { command: ['CMD-SHELL', 'wget -q -O- localhost/health'], interval: 5, retries: 2 }
              : undefined,
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': '/ecs/web',
                'awslogs-stream-prefix': 'ecs',
                'awslogs-region': 'eu-west-1'
              }
            }
          }
        ]
      })
    )
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: opts.desired,
      launchType: 'FARGATE',
      deploymentConfiguration: {
        minimumHealthyPercent: opts.min,
        maximumPercent: opts.max,
        deploymentCircuitBreaker: opts.breaker
      }
    })
  )
  return waitFor('first deployment', () => service(ecs, cluster, 'web'), completedOn('web:1'))
}

describe('rolling update', () => {
  it.each([
    { desired: 2, min: 100, max: 200 },
    { desired: 4, min: 50, max: 100 },
    { desired: 3, min: 0, max: 100 },
    { desired: 4, min: 75, max: 125 }
  ])('desired $desired, min $min%, max $max%: completes within the limits', async ({ desired, min, max }) => {
    const cluster = `roll-${desired}-${min}-${max}`
    const first = await setup(cluster, ['app:v1', 'app:v2'], { desired, min, max })
    expect(first.deployments![0]).toMatchObject({ status: 'PRIMARY', runningCount: desired, failedTasks: 0 })
    const firstId = first.deployments![0].id!
    expect(firstId).toMatch(/^ecs-svc\/\d{19}$/)

    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: 'web:2' }))
    const maxTotal = Math.floor((desired * max) / 100)
    const minHealthy = Math.ceil((desired * min) / 100)
    let sawTwo = false
    const done = await waitFor(
      'rollout to web:2',
      async () => {
        const s = await service(ecs, cluster, 'web')
        const deps = s.deployments!
        if (deps.length === 2) {
          sawTwo = true
          expect(deps.map(d => d.status)).toEqual(['PRIMARY', 'ACTIVE'])
          expect(deps[0].taskDefinition).toMatch(/task-definition\/web:2$/)
          expect(deps[1].id).toBe(firstId)
        }
        const inFlight = deps.reduce((n, d) => n + d.runningCount! + d.pendingCount!, 0)
        expect(inFlight).toBeLessThanOrEqual(maxTotal)
        expect(s.runningCount!).toBeGreaterThanOrEqual(minHealthy)
        return s
      },
      completedOn('web:2')
    )
    expect(sawTwo).toBe(true)
    const d = done.deployments![0]
    expect(d).toMatchObject({
      status: 'PRIMARY',
      runningCount: desired,
      pendingCount: 0,
      rolloutState: 'COMPLETED'
    })
    expect(d.rolloutStateReason).toBe(`ECS deployment ${d.id} completed.`)
    expect(done.taskDefinition).toMatch(/web:2$/)
    const events = messages(done)
    expect(events[0]).toBe('(service web) has reached a steady state.')
    expect(events[1]).toBe(`(service web) (deployment ${d.id}) deployment completed.`)
    expect(
      events.some(m => /^\(service web\) has started \d+ tasks: (\(task [0-9a-f]{32}\) ?)+\.$/.test(m))
    ).toBe(true)
    expect(
      events.some(m =>
        /^\(service web\) has stopped \d+ running tasks: (\(task [0-9a-f]{32}\) ?)+\.$/.test(m)
      )
    ).toBe(true)

    const running = await tasksOf(ecs, cluster, 'web', 'RUNNING')
    expect(running).toHaveLength(desired)
    for (const t of running) {
      expect(t).toMatchObject({ lastStatus: 'RUNNING', startedBy: d.id, group: 'service:web' })
      expect(t.taskArn).toMatch(
        new RegExp(`^arn:aws:ecs:eu-west-1:123456789012:task/${cluster}/[0-9a-f]{32}$`)
      )
    }
    await waitFor(
      'old tasks stopped',
      () => tasksOf(ecs, cluster, 'web', 'STOPPED'),
      ts => ts.every(t => t.lastStatus === 'STOPPED') && ts.length === desired
    )
    for (const t of await tasksOf(ecs, cluster, 'web', 'STOPPED')) {
      expect(t).toMatchObject({
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: `Scaling activity initiated by (deployment ${d.id})`,
        startedBy: firstId
      })
      expect(t.stoppedAt!.getTime()).toBeGreaterThanOrEqual(t.startedAt!.getTime())
    }
    const tl = (await getTimeline(sim.url)).filter(e => e.cluster === cluster)
    expect(tl.map(e => e.outcome)).toEqual(['COMPLETED', 'COMPLETED'])
    expect(Date.parse(tl[1].decidableAt!)).toBeGreaterThanOrEqual(Date.parse(tl[1].createdAt))
  })
})

describe('failures', () => {
  it.each([
    {
      name: 'crash with exit code, breaker with rollback',
      rule: { image: 'app:v2', outcome: 'crash' as const, exitCode: 3, afterMs: 500 },
      breaker: { enable: true, rollback: true },
      healthCheck: false,
      stopCode: 'EssentialContainerExited',
      reason: /^Essential container in task exited$/,
      exitCode: 3,
      outcome: 'ROLLED_BACK'
    },
    {
      name: 'image missing from the registry, breaker without rollback',
      rule: { image: 'app:v2', outcome: 'pullError' as const },
      breaker: { enable: true, rollback: false },
      healthCheck: false,
      stopCode: 'TaskFailedToStart',
      reason:
        /^CannotPullContainerError: pull image manifest has been retried 1 time\(s\): .*app:v2.*not found$/,
      exitCode: undefined,
      outcome: 'FAILED'
    },
    {
      name: 'failing health check, breaker with rollback',
      rule: { image: 'app:v2', outcome: 'unhealthy' as const },
      breaker: { enable: true, rollback: true },
      healthCheck: true,
      stopCode: 'ServiceSchedulerInitiated',
      reason: /^Task failed container health checks$/,
      exitCode: undefined,
      outcome: 'ROLLED_BACK'
    }
  ])('$name', async ({ rule, breaker, healthCheck, stopCode, reason, exitCode, outcome }) => {
    const cluster = `fail-${rule.outcome}`
    await setRules(sim.url, [rule])
    const first = await setup(cluster, ['app:v1', 'app:v2'], { desired: 2, breaker, healthCheck })
    const firstId = first.deployments![0].id!
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: 'web:2' }))
    // The breaker's instant is permanent in the timeline; DescribeServices may already show the rollback done.
    const badId = (await service(ecs, cluster, 'web')).deployments![0].id!
    const decided = await waitFor(
      'circuit breaker',
      async () => (await getTimeline(sim.url)).find(e => e.id === badId)!,
      e => e.outcome !== null
    )
    expect(decided.outcome).toBe(outcome)
    const tripped = await service(ecs, cluster, 'web')
    const bad = { id: badId }
    expect(messages(tripped)).toContain(
      `(service web) (deployment ${bad.id}) deployment failed: tasks failed to start.`
    )

    let final: Service
    if (breaker.rollback) {
      expect(decided.reason).toBe(`ECS deployment circuit breaker: rolling back to deploymentId ${firstId}.`)
      expect(messages(tripped)).toContain(`(service web) rolling back to deployment ${firstId}.`)
      final = await waitFor('rollback completes', () => service(ecs, cluster, 'web'), completedOn('web:1'))
      expect(final.taskDefinition).toMatch(/web:1$/)
      expect(final.runningCount).toBe(2)
      const rollback = (await getTimeline(sim.url)).find(e => e.rollbackOf === bad.id)!
      expect(rollback.id).toBe(final.deployments![0].id)
    } else {
      // ECS stops launching; the old tasks keep serving.
      final = tripped
      expect(final.deployments![0]).toMatchObject({
        id: bad.id,
        status: 'PRIMARY',
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
      })
      expect(final.deployments![0].failedTasks).toBeGreaterThanOrEqual(3)
      expect(final.deployments![1]).toMatchObject({ status: 'ACTIVE', runningCount: 2 })
    }
    if (healthCheck)
      expect(
        messages(final).some(m =>
          /^\(service web\) \(task [0-9a-f]{32}\) failed container health checks\.$/.test(m)
        )
      ).toBe(true)

    const stopped = (await tasksOf(ecs, cluster, 'web', 'STOPPED')).filter(
      t => t.taskDefinitionArn!.endsWith('web:2') && t.stopCode === stopCode
    )
    expect(stopped.length).toBeGreaterThanOrEqual(3)
    for (const t of stopped) {
      expect(t.stoppedReason).toMatch(reason)
      expect(t.startedBy).toBe(bad.id)
      if (exitCode !== undefined) expect(t.containers![0].exitCode).toBe(exitCode)
      if (rule.outcome === 'pullError') {
        expect(t.containers![0].reason).toMatch(/^CannotPullContainerError/)
        expect(t.startedAt).toBeUndefined()
      }
      if (rule.outcome === 'unhealthy') expect(t.containers![0].healthStatus).toBe('UNHEALTHY')
    }

    expect(Date.parse(decided.decidableAt!)).toBeGreaterThan(Date.parse(decided.createdAt))

    // The service deployment API tells the same story.
    const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'web' }))
    expect(list.serviceDeployments!.map(d => d.status)).toEqual([
      breaker.rollback ? 'ROLLBACK_SUCCESSFUL' : 'STOPPED',
      'SUCCESSFUL'
    ])
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({
        serviceDeploymentArns: [list.serviceDeployments![0].serviceDeploymentArn!]
      })
    )
    expect(described.serviceDeployments![0].deploymentCircuitBreaker).toMatchObject({
      status: 'TRIGGERED',
      threshold: 3
    })
    expect(described.serviceDeployments![0].deploymentCircuitBreaker!.failureCount).toBeGreaterThanOrEqual(3)
    expect(described.serviceDeployments![0].statusReason).toBe(
      'ECS deployment circuit breaker: tasks failed to start.'
    )
  })

  it('without the circuit breaker keeps retrying and says it cannot start tasks', async () => {
    await setRules(sim.url, [{ image: 'app:v2', outcome: 'crash', exitCode: 1 }])
    await setup('retry', ['app:v1', 'app:v2'], { desired: 1 })
    await ecs.send(new UpdateServiceCommand({ cluster: 'retry', service: 'web', taskDefinition: 'web:2' }))
    const s = await waitFor(
      'failed tasks pile up',
      () => service(ecs, 'retry', 'web'),
      s => s.deployments![0].failedTasks! >= 5
    )
    expect(s.deployments![0].rolloutState).toBe('IN_PROGRESS')
    expect(s.deployments![1]).toMatchObject({ status: 'ACTIVE', runningCount: 1 })
    expect(messages(s)).toContain(
      '(service web) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
    )
    const tl = (await getTimeline(sim.url)).find(e => e.id === s.deployments![0].id)!
    expect(tl.decidableAt).toBeNull()
  })
})

describe('tasks and logs', () => {
  it('RunTask, StopTask and container output in CloudWatch Logs', async () => {
    await setRules(sim.url, [
      { image: 'job:*', outcome: 'healthy', logs: ['hello from the job', 'second line'] }
    ])
    await ecs.send(new CreateClusterCommand({ clusterName: 'jobs' }))
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'job',
        containerDefinitions: [
          {
            name: 'main',
            image: 'job:1',
            memory: 128,
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': '/ecs/job', 'awslogs-stream-prefix': 'run' }
            }
          }
        ]
      })
    )
    const run = await ecs.send(
      new RunTaskCommand({ cluster: 'jobs', taskDefinition: 'job', startedBy: 'me' })
    )
    const task = run.tasks![0]
    expect(task).toMatchObject({
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      group: 'family:job',
      startedBy: 'me'
    })
    const id = task.taskArn!.split('/').pop()!
    await waitFor(
      'task running',
      async () => (await ecs.send(new ListTasksCommand({ cluster: 'jobs', startedBy: 'me' }))).taskArns!,
      arns => arns.length === 1
    )
    const logs = await waitFor(
      'log events',
      () =>
        c.logs
          .send(
            new GetLogEventsCommand({
              logGroupName: '/ecs/job',
              logStreamName: `run/main/${id}`,
              startFromHead: true
            })
          )
          .catch(() => ({ events: [] })),
      out => (out.events ?? []).length === 2
    )
    expect(logs.events!.map(e => e.message)).toEqual(['hello from the job', 'second line'])
    const stopped = await ecs.send(new StopTaskCommand({ cluster: 'jobs', task: id, reason: 'done here' }))
    expect(stopped.task).toMatchObject({
      desiredStatus: 'STOPPED',
      stopCode: 'UserInitiated',
      stoppedReason: 'done here'
    })
    await waitFor(
      'task stopped',
      async () =>
        (await ecs.send(new ListTasksCommand({ cluster: 'jobs', desiredStatus: 'STOPPED' }))).taskArns!,
      arns => arns.length === 1
    )
  })
})

async function errorOf(
  p: Promise<unknown>
): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p
  } catch (err) {
    return err as never
  }
  throw new Error('expected the call to fail')
}

describe('errors as ECS returns them', () => {
  beforeEach(async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'errs' }))
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'ok',
        containerDefinitions: [{ name: 'a', image: 'x:1', memory: 128 }]
      })
    )
    await ecs.send(
      new CreateServiceCommand({ cluster: 'errs', serviceName: 'svc', taskDefinition: 'ok', desiredCount: 1 })
    )
  })

  it.each([
    {
      call: () => ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['svc'] })),
      name: 'ClusterNotFoundException',
      message: 'Cluster not found.'
    },
    {
      call: () => ecs.send(new UpdateServiceCommand({ cluster: 'nope', service: 'svc', desiredCount: 1 })),
      name: 'ClusterNotFoundException',
      message: 'Cluster not found.'
    },
    {
      call: () => ecs.send(new ListTasksCommand({ cluster: 'nope' })),
      name: 'ClusterNotFoundException',
      message: 'Cluster not found.'
    },
    {
      call: () => ecs.send(new UpdateServiceCommand({ cluster: 'errs', service: 'ghost', desiredCount: 1 })),
      name: 'ServiceNotFoundException',
      message: 'Service not found.'
    },
    {
      call: () => ecs.send(new ListTasksCommand({ cluster: 'errs', serviceName: 'ghost' })),
      name: 'ServiceNotFoundException',
      message: 'Service not found.'
    },
    {
      call: () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'ghost' })),
      name: 'ClientException',
      message: 'Unable to describe task definition.'
    },
    {
      call: () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'ok:9' })),
      name: 'ClientException',
      message: 'Unable to describe task definition.'
    },
    {
      call: () =>
        ecs.send(new UpdateServiceCommand({ cluster: 'errs', service: 'svc', taskDefinition: 'ghost:1' })),
      name: 'ClientException',
      message: 'TaskDefinition not found.'
    },
    {
      call: () =>
        ecs.send(
          new CreateServiceCommand({
            cluster: 'errs',
            serviceName: 'svc',
            taskDefinition: 'ok',
            desiredCount: 1
          })
        ),
      name: 'InvalidParameterException',
      message: 'Creation of service was not idempotent.'
    },
    {
      call: () =>
        ecs.send(
          new UpdateServiceCommand({
            cluster: 'errs',
            service: 'svc',
            deploymentConfiguration: { maximumPercent: 50 }
          })
        ),
      name: 'InvalidParameterException',
      message: 'maximumPercent must be between 100 and 200.'
    },
    {
      call: () => ecs.send(new DeleteServiceCommand({ cluster: 'errs', service: 'svc' })),
      name: 'InvalidParameterException',
      message: 'The service cannot be stopped while it is scaled above 0.'
    },
    {
      call: () =>
        ecs.send(
          new RegisterTaskDefinitionCommand({
            family: 'bad family',
            containerDefinitions: [{ name: 'a', image: 'x', memory: 128 }]
          })
        ),
      name: 'ClientException',
      message: expect.stringContaining('Family contains invalid characters')
    },
    {
      call: () =>
        ecs.send(new StopTaskCommand({ cluster: 'errs', task: '0123456789abcdef0123456789abcdef' })),
      name: 'InvalidParameterException',
      message: 'The referenced task was not found.'
    },
    {
      call: () => c.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['sim-never-created'] })),
      name: 'RepositoryNotFoundException',
      message: expect.stringContaining("'sim-never-created' does not exist")
    },
    {
      call: () => c.logs.send(new GetLogEventsCommand({ logGroupName: '/nope', logStreamName: 'x' })),
      name: 'ResourceNotFoundException',
      message: 'The specified log group does not exist.'
    }
  ])('$name: $message', async ({ call, name, message }) => {
    const err = await errorOf(call())
    expect(err.name).toBe(name)
    expect(err.message).toEqual(message)
    expect(err.$metadata.httpStatusCode).toBe(400)
  })

  it('DescribeServices reports missing services as failures, like ECS', async () => {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: 'errs', services: ['svc', 'ghost'] }))
    expect(out.services!.map(s => s.serviceName)).toEqual(['svc'])
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:eu-west-1:123456789012:service/errs/ghost', reason: 'MISSING' }
    ])
    const clusters = await ecs.send(new DescribeClustersCommand({ clusters: ['errs', 'ghost'] }))
    expect(clusters.clusters!.map(x => x.clusterName)).toEqual(['errs'])
    expect(clusters.failures![0].reason).toBe('MISSING')
  })
})

describe('task definitions', () => {
  it('revisions per family, tags, deregistration and listing', async () => {
    const reg = (image: string) =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family: 'api',
          containerDefinitions: [
            { name: 'api', image, memory: 256, healthCheck: { command: ['CMD', 'true'] } }
          ],
          tags: [{ key: 'team', value: 'core' }]
        })
      )
    const one = await reg('api:1')
    const two = await reg('api:2')
    expect(one.taskDefinition!.taskDefinitionArn).toBe(
      'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:1'
    )
    expect(two.taskDefinition).toMatchObject({ revision: 2, status: 'ACTIVE', family: 'api' })
    expect(two.taskDefinition!.containerDefinitions![0]).toMatchObject({
      essential: true,
      environment: [],
      healthCheck: { command: ['CMD', 'true'], interval: 30, timeout: 5, retries: 3 }
    })
    expect(two.taskDefinition!.registeredAt).toBeInstanceOf(Date)
    const latest = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: 'api', include: ['TAGS'] })
    )
    expect(latest.taskDefinition!.revision).toBe(2)
    expect(latest.tags).toEqual([{ key: 'team', value: 'core' }])
    const byArn = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: one.taskDefinition!.taskDefinitionArn })
    )
    expect(byArn.taskDefinition!.revision).toBe(1)
    expect(byArn.tags).toBeUndefined()
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'api:2' }))
    expect(
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api' }))).taskDefinition!.revision
    ).toBe(1)
    expect(
      (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:2' }))).taskDefinition!.status
    ).toBe('INACTIVE')
    const listed = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'api' }))
    expect(listed.taskDefinitionArns).toEqual([one.taskDefinition!.taskDefinitionArn])
  })
})

describe('fault injection', () => {
  it('throttling on the chosen operations is retried by the SDK, then surfaces', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'faults' }))
    await setFaults(sim.url, { throttleRate: 1, operations: ['ListClusters'], seed: 1 })
    const err = await errorOf(ecs.send(new ListClustersCommand({})))
    expect(err.name).toBe('ThrottlingException')
    expect(err.$metadata.attempts).toBe(3)
    // Other operations are untouched, and take no index of the fault sequence.
    const ok = await ecs.send(new DescribeClustersCommand({ clusters: ['faults'] }))
    expect(ok.$metadata.attempts).toBe(1)
    const calls = await getCalls(sim.url)
    expect(calls.map(x => [x.operation, x.status, x.error, x.injected, x.faultDraw])).toEqual([
      ['CreateCluster', 200, undefined, undefined, undefined],
      ['ListClusters', 400, 'ThrottlingException', 'throttle', 0],
      ['ListClusters', 400, 'ThrottlingException', 'throttle', 1],
      ['ListClusters', 400, 'ThrottlingException', 'throttle', 2],
      ['DescribeClusters', 200, undefined, undefined, undefined]
    ])
  })

  it('some throttled attempts and then success: $metadata.attempts is what the seed prescribes', async () => {
    const rates = { throttleRate: 0.5, errorRate: 0 }
    // The first seed whose sequence starts throttled, throttled, then two calls not throttled: the first
    // call succeeds on its third (the SDK's last) attempt, the second on its first; two backoffs stay short.
    const start = (seed: number) => [0, 1, 2, 3].map(k => faultFor(seed, k, rates) ?? 'none').join()
    let seed = 0
    while (start(seed) !== 'throttle,throttle,none,none') seed++
    await setFaults(sim.url, { ...rates, seed })
    const first = await ecs.send(new ListClustersCommand({}))
    const second = await ecs.send(new ListClustersCommand({}))
    expect([first.$metadata.attempts, second.$metadata.attempts]).toEqual([3, 1])
    const calls = await getCalls(sim.url, 'ListClusters')
    expect(calls.map(x => [x.faultDraw, x.injected])).toEqual([
      [0, 'throttle'],
      [1, 'throttle'],
      [2, undefined],
      [3, undefined]
    ])
  }, 60_000)

  it('server errors are HTTP 500 ServerException, retried as transient', async () => {
    await setFaults(sim.url, { errorRate: 1, operations: ['DescribeClusters'], seed: 1 })
    const err = await errorOf(ecs.send(new DescribeClustersCommand({ clusters: ['x'] })))
    expect(err.name).toBe('ServerException')
    expect(err.$metadata.httpStatusCode).toBe(500)
    expect(err.$metadata.attempts).toBe(3)
  })

  it('a seed replays the same faults: POST starts its sequence anew, the call log names each index', async () => {
    const rates = { throttleRate: 0.3, errorRate: 0.3 }
    const once = clients(sim.url, 1).ecs
    const play = async () => {
      const before = (await getCalls(sim.url)).length
      for (let i = 0; i < 30; i++) await once.send(new ListClustersCommand({})).catch(() => undefined)
      return (await getCalls(sim.url)).slice(before).map(x => [x.faultDraw, x.injected ?? null])
    }
    await setFaults(sim.url, { ...rates, seed: 2026 })
    const first = await play()
    await setFaults(sim.url, { ...rates, seed: 2026 })
    const second = await play()
    expect(first).toEqual(Array.from({ length: 30 }, (_, k) => [k, faultFor(2026, k, rates) ?? null]))
    expect(second).toEqual(first)
    // Both kinds are in those 30 calls, so the comparison above compares something.
    expect(new Set(first.map(([, injected]) => injected))).toEqual(new Set([null, 'throttle', 'error']))
    await setFaults(sim.url, { ...rates, seed: 2027 })
    expect(await play()).not.toEqual(first)
  })

  it('control API round trip: POST answers the faults in force with their seed, GET shows them', async () => {
    const set = { throttleRate: 0.1, errorRate: 0.02, latencyMs: 0, operations: ['ListTasks'], seed: 7 }
    expect(await setFaults(sim.url, set)).toEqual(set)
    expect(await getFaults(sim.url)).toEqual(set)
    // Without a seed (and no --fault-seed) the simulator picks one and says which.
    const random = await setFaults(sim.url, { throttleRate: 0.1 })
    expect(random).toEqual({ throttleRate: 0.1, errorRate: 0, latencyMs: 0, seed: random.seed })
    expect(Number.isInteger(random.seed) && random.seed >= 0 && random.seed <= 0xffffffff).toBe(true)
    expect(await getFaults(sim.url)).toEqual(random)
    await expect(setFaults(sim.url, { throttleRate: 0.1, seed: -1 })).rejects.toThrow(
      '/_sim/faults: 400 seed must be an integer from 0 to 4294967295'
    )
    // A refused setting leaves the one in force.
    expect(await getFaults(sim.url)).toEqual(random)
    await reset(sim.url)
    expect(await getFaults(sim.url)).toMatchObject({ throttleRate: 0, errorRate: 0, latencyMs: 0 })
  })

  it('--fault-seed seeds every setting without a seed, and the faults after a reset', async () => {
    const seeded = await startSim({ tasks: 'scripted', timeScale: 0.02, faultSeed: 4242 })
    try {
      expect((await getFaults(seeded.url)).seed).toBe(4242)
      expect(await setFaults(seeded.url, { errorRate: 1 })).toEqual({
        throttleRate: 0,
        errorRate: 1,
        latencyMs: 0,
        seed: 4242
      })
      expect((await setFaults(seeded.url, { errorRate: 1, seed: 5 })).seed).toBe(5)
      await reset(seeded.url)
      expect(await getFaults(seeded.url)).toEqual({ throttleRate: 0, errorRate: 0, latencyMs: 0, seed: 4242 })
    } finally {
      await seeded.stop()
    }
  })
})

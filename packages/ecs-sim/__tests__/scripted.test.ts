/**
 * The simulator's deployments driven only through the real AWS SDK v3 clients, with the scripted task
 * backend (no Docker, no registry) and a small time scale: rolling updates, the circuit breaker, rollback.
 * The API's other operations are in scripted-api.test.ts, fault injection in scripted-faults.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  Service,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import { getTimeline, reset, RunningSim, setRules, startSim } from '../testing.js'
import { clients, completedOn, messages, service, tasksOf, waitFor } from './helpers.js'

let sim: RunningSim
let ecs: ECSClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.02 })
  ecs = clients(sim.url).ecs
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

/**
 * The docker task backend for real: images built FROM scratch with busybox, pushed to the local
 * registry, pulled and run by the simulator on the Docker engine (DOCKER_HOST, ECS_DEPLOY_REGISTRY).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  GetAuthorizationTokenCommand
} from '@aws-sdk/client-ecr'
import {
  ContainerDefinition,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  Service,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import { getTimeline, health, RunningSim, startSim } from '../testing.js'
import { clients, completedOn, messages, service, tasksOf, waitFor } from './helpers.js'
import { buildImage, REGISTRY, runningImages, serverScript, simContainers } from './images.js'

const REPO = 'sim-it'
let sim: RunningSim
let instance: string
let c: ReturnType<typeof clients>
let ecs: ECSClient
const images: Record<string, string> = {}

beforeAll(async () => {
  images.v1 = buildImage(REPO, 'v1', serverScript('v1'))
  images.v2 = buildImage(REPO, 'v2', serverScript('v2'))
  images.crash = buildImage(REPO, 'crash', 'echo "cannot start: config missing" >&2; exit 3')
  sim = await startSim({ tasks: 'docker', timeScale: 0.1 })
  instance = (await health(sim.url)).instance
  c = clients(sim.url)
  ecs = c.ecs
}, 120000)

afterAll(async () => {
  await sim?.stop()
  // Every container the simulator started is gone with it, and so is its process.
  if (sim) {
    expect(simContainers(instance)).toEqual([])
    expect(() => process.kill(sim.pid, 0)).toThrow()
  }
})

async function deploy(
  cluster: string,
  defs: ContainerDefinition[][],
  breaker?: { enable: boolean; rollback: boolean }
): Promise<Service> {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }))
  for (const containerDefinitions of defs)
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: cluster, memory: '512', containerDefinitions })
    )
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'web',
      taskDefinition: `${cluster}:1`,
      desiredCount: 2,
      deploymentConfiguration: { deploymentCircuitBreaker: breaker }
    })
  )
  return waitFor('first deployment', () => service(ecs, cluster, 'web'), completedOn(`${cluster}:1`), 60000)
}

const app = (image: string, extra: Partial<ContainerDefinition> = {}): ContainerDefinition[] => [
  {
    name: 'app',
    image,
    essential: true,
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': '/ecs/sim-it', 'awslogs-stream-prefix': 'ecs' }
    },
    ...extra
  }
]

describe('docker backend', () => {
  it('rolls out a new revision: new containers run, old ones are gone, logs are the real output', async () => {
    await deploy('roll', [
      app(images.v1, { environment: [{ name: 'GREETING', value: 'hi' }] }),
      app(images.v2)
    ])
    expect(runningImages(instance).sort()).toEqual([images.v1, images.v1])
    await ecs.send(new UpdateServiceCommand({ cluster: 'roll', service: 'web', taskDefinition: 'roll:2' }))
    let two = 0
    const done = await waitFor(
      'rollout',
      async () => {
        const s = await service(ecs, 'roll', 'web')
        if (s.deployments!.length === 2) two++
        return s
      },
      completedOn('roll:2'),
      60000
    )
    expect(two).toBeGreaterThan(0)
    expect(messages(done)[0]).toBe('(service web) has reached a steady state.')
    await waitFor(
      'old containers removed',
      async () => runningImages(instance),
      imgs => imgs.filter(i => i === images.v1).length === 0,
      30000
    )
    expect(runningImages(instance).sort()).toEqual([images.v2, images.v2])

    const [task] = await tasksOf(ecs, 'roll', 'web', 'RUNNING')
    const id = task.taskArn!.split('/').pop()!
    expect(task.containers![0]).toMatchObject({ name: 'app', image: images.v2, lastStatus: 'RUNNING' })
    expect(task.containers![0].runtimeId).toMatch(/^[0-9a-f]{64}$/)
    expect(task.containers![0].imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
    const logs = await waitFor(
      'container output',
      () =>
        c.logs.send(
          new GetLogEventsCommand({
            logGroupName: '/ecs/sim-it',
            logStreamName: `ecs/app/${id}`,
            startFromHead: true
          })
        ),
      out => (out.events ?? []).length > 0
    )
    expect(logs.events![0].message).toBe('app v2 starting')
    // A drained task's output survives its container, and ends with its SIGTERM handling.
    const [old] = await tasksOf(ecs, 'roll', 'web', 'STOPPED')
    expect(old).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' })
    expect(old.containers![0].exitCode).toBe(0)
    const oldLogs = await c.logs.send(
      new GetLogEventsCommand({
        logGroupName: '/ecs/sim-it',
        logStreamName: `ecs/app/${old.taskArn!.split('/').pop()}`,
        startFromHead: true
      })
    )
    expect(oldLogs.events!.map(e => e.message)).toEqual(['app v1 starting', 'app v1 stopping'])
  }, 90000)

  it('BLUE_GREEN runs both colours for real through the bake, then cleans blue up', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'bg' }))
    for (const image of [images.v1, images.v2])
      await ecs.send(
        new RegisterTaskDefinitionCommand({ family: 'bg', memory: '512', containerDefinitions: app(image) })
      )
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'bg',
        serviceName: 'web',
        taskDefinition: 'bg:1',
        desiredCount: 2,
        // 1 minute is 6 s at this time scale.
        deploymentConfiguration: { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 }
      })
    )
    await waitFor('first deployment', () => service(ecs, 'bg', 'web'), completedOn('bg:1'), 60000)
    // Other tests' services may still run containers: compare with what ran before.
    const before = runningImages(instance)
    const without = (imgs: string[], gone: string[]) => {
      const left = [...imgs]
      for (const g of gone) left.splice(left.indexOf(g), 1)
      return left.sort()
    }
    expect(before.filter(i => i === images.v1)).toEqual([images.v1, images.v1])
    await ecs.send(new UpdateServiceCommand({ cluster: 'bg', service: 'web', taskDefinition: 'bg:2' }))
    const newest = async () => {
      const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster: 'bg', service: 'web' }))
      const arn = list.serviceDeployments![0].serviceDeploymentArn!
      return (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })))
        .serviceDeployments![0]
    }
    await waitFor('the bake', newest, sd => sd.lifecycleStage === 'BAKE_TIME', 60000)
    // Blue (v1) and green (v2) both run.
    expect(runningImages(instance).sort()).toEqual([...before, images.v2, images.v2].sort())
    const done = await waitFor('SUCCESSFUL', newest, sd => sd.status === 'SUCCESSFUL', 60000)
    expect(done.targetServiceRevision!.requestedProductionTrafficWeight).toBe(100)
    await waitFor(
      'blue containers removed',
      async () => runningImages(instance),
      imgs => imgs.length === before.length,
      30000
    )
    expect(runningImages(instance).sort()).toEqual(
      without([...before, images.v2, images.v2], [images.v1, images.v1])
    )
  }, 120000)

  it('a container exiting 3 trips the circuit breaker and rolls back', async () => {
    const first = await deploy('crash', [app(images.v1), app(images.crash)], { enable: true, rollback: true })
    await ecs.send(new UpdateServiceCommand({ cluster: 'crash', service: 'web', taskDefinition: 'crash:2' }))
    const s = await waitFor(
      'rollback done',
      () => service(ecs, 'crash', 'web'),
      s => completedOn('crash:1')(s) && s.deployments![0].id !== first.deployments![0].id,
      60000
    )
    expect(s.taskDefinition).toMatch(/crash:1$/)
    expect(messages(s)).toContain(`(service web) rolling back to deployment ${first.deployments![0].id}.`)
    const stopped = (await tasksOf(ecs, 'crash', 'web', 'STOPPED')).filter(t =>
      t.taskDefinitionArn!.endsWith('crash:2')
    )
    // A crash:2 task still starting when the breaker tripped is stopped by the rollback instead, as in ECS.
    const failed = stopped.filter(t => t.stopCode !== 'ServiceSchedulerInitiated')
    for (const t of stopped.filter(x => x.stopCode === 'ServiceSchedulerInitiated'))
      expect(t.stoppedReason).toMatch(/^Scaling activity initiated by \(deployment ecs-svc\/\d+\)$/)
    expect(failed.length).toBeGreaterThanOrEqual(3)
    for (const t of failed) {
      expect(t).toMatchObject({
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited'
      })
      expect(t.containers![0].exitCode).toBe(3)
    }
    const logs = await c.logs.send(
      new GetLogEventsCommand({
        logGroupName: '/ecs/sim-it',
        logStreamName: `ecs/app/${failed[0].taskArn!.split('/').pop()}`
      })
    )
    expect(logs.events!.map(e => e.message)).toEqual(['cannot start: config missing'])
    const tl = (await getTimeline(sim.url)).filter(e => e.cluster === 'crash')
    expect(tl.map(e => e.outcome)).toEqual(['COMPLETED', 'ROLLED_BACK', 'COMPLETED'])
    expect(tl.every(e => e.decidableAt !== null)).toBe(true)
    expect(runningImages(instance).filter(i => i === images.crash)).toEqual([])
  }, 90000)

  it('an image missing from the registry fails with CannotPullContainerError', async () => {
    await deploy('missing', [app(images.v1), app(`${REGISTRY}/${REPO}:never-pushed`)], {
      enable: true,
      rollback: false
    })
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'missing', service: 'web', taskDefinition: 'missing:2' })
    )
    const s = await waitFor(
      'breaker',
      () => service(ecs, 'missing', 'web'),
      s => s.deployments![0].rolloutState === 'FAILED',
      60000
    )
    expect(s.deployments![0].failedTasks).toBeGreaterThanOrEqual(3)
    expect(s.deployments![1]).toMatchObject({ status: 'ACTIVE', runningCount: 2 })
    const failed = (await tasksOf(ecs, 'missing', 'web', 'STOPPED')).filter(t =>
      t.taskDefinitionArn!.endsWith('missing:2')
    )
    for (const t of failed) {
      expect(t.stopCode).toBe('TaskFailedToStart')
      expect(t.stoppedReason).toMatch(/^CannotPullContainerError: .*never-pushed.*not found/)
    }
  }, 90000)

  it('a failing container health check stops the tasks', async () => {
    const unhealthy = app(images.v2, {
      healthCheck: { command: ['CMD-SHELL', 'exit 1'], interval: 5, retries: 1 }
    })
    const healthy = app(images.v1, { healthCheck: { command: ['CMD', 'true'], interval: 5, retries: 1 } })
    await deploy('health', [healthy, unhealthy], { enable: true, rollback: true })
    const before = await tasksOf(ecs, 'health', 'web', 'RUNNING')
    expect(before.map(t => t.healthStatus)).toEqual(['HEALTHY', 'HEALTHY'])
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'health', service: 'web', taskDefinition: 'health:2' })
    )
    const badId = (await service(ecs, 'health', 'web')).deployments![0].id!
    const decided = await waitFor(
      'circuit breaker',
      async () => (await getTimeline(sim.url)).find(e => e.id === badId)!,
      e => e.outcome !== null,
      60000
    )
    expect(decided.outcome).toBe('ROLLED_BACK')
    const failed = (await tasksOf(ecs, 'health', 'web', 'STOPPED')).filter(
      t => t.stoppedReason === 'Task failed container health checks'
    )
    expect(failed.length).toBeGreaterThanOrEqual(3)
    expect(failed[0].containers![0].healthStatus).toBe('UNHEALTHY')
  }, 90000)

  it('ECR answers from what is really in the registry', async () => {
    const all = await c.ecr.send(new DescribeImagesCommand({ repositoryName: REPO }))
    const tags = all.imageDetails!.flatMap(d => d.imageTags ?? []).sort()
    expect(tags).toEqual(['crash', 'v1', 'v2'])
    const v1 = await c.ecr.send(
      new DescribeImagesCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'v1' }] })
    )
    const detail = v1.imageDetails![0]
    expect(detail.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(detail.imageSizeInBytes).toBeGreaterThan(500000)
    expect(detail.imagePushedAt).toBeInstanceOf(Date)
    const missing = await c.ecr
      .send(new DescribeImagesCommand({ repositoryName: REPO, imageIds: [{ imageTag: 'never-pushed' }] }))
      .catch((e: Error) => e)
    expect((missing as Error).name).toBe('ImageNotFoundException')
    const got = await c.ecr.send(
      new BatchGetImageCommand({
        repositoryName: REPO,
        imageIds: [{ imageDigest: detail.imageDigest }, { imageTag: 'never-pushed' }]
      })
    )
    expect(got.images![0].imageId!.imageDigest).toBe(detail.imageDigest)
    expect(JSON.parse(got.images![0].imageManifest!).layers.length).toBeGreaterThan(0)
    expect(got.failures![0]).toMatchObject({
      failureCode: 'ImageNotFound',
      imageId: { imageTag: 'never-pushed' }
    })
    const auth = await c.ecr.send(new GetAuthorizationTokenCommand({}))
    const data = auth.authorizationData![0]
    expect(data.proxyEndpoint).toBe(`http://${REGISTRY}`)
    expect(Buffer.from(data.authorizationToken!, 'base64').toString()).toMatch(/^AWS:.+/)
  })
})

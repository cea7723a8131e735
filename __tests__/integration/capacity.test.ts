/**
 * EC2 capacity (issue 14, acceptance 4), with dist/index.js against the local ECS (scripted backend): a
 * cluster with one small container instance. With a capacity provider whose managed scaling adds an
 * instance, the deploy waits for it and goes green, and the summary names the resource that ran out;
 * without one, it fails fast with the hint, well inside wait-for-minutes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import {
  CreateCapacityProviderCommand,
  CreateServiceCommand,
  ListContainerInstancesCommand,
  PutClusterCapacityProvidersCommand,
  type CreateServiceCommandInput
} from '@aws-sdk/client-ecs'
import { addContainerInstances, setAutoScalingGroups } from '../../packages/ecs-sim/testing.js'
import { startWorld, type World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'

let world: World

/** An image the scripted backend runs healthy; pinned by digest so no ECR lookup is needed. */
function image(): string {
  return `${world.registry}/good/app@sha256:${randomSha().padEnd(64, '0')}`
}

const ASG = 'arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:9f8e:autoScalingGroupName/cap-it-asg'
const WAIT_MINUTES = 2

beforeAll(async () => {
  world = await startWorld({ tasks: 'scripted', timeScale: 0.05, cluster: null })
}, 60_000)

afterAll(async () => {
  await world?.stop()
}, 60_000)

/**
 * In `cluster`: one container instance that holds one task of the example app (256 CPU units, 512 MiB)
 * and not two, and service web on its first revision, steady.
 */
async function ec2Service(cluster: string, placement: Partial<CreateServiceCommandInput>): Promise<void> {
  await addContainerInstances(world.sim.url, {
    cluster,
    region: world.region,
    instances: [{ cpu: 1024, memory: 768 }]
  })
  const first = await world.run({ image: image(), 'task-definition': 'task-definition.json', cluster })
  if (first.exitCode !== 0) throw new Error(`register-only run failed:\n${first.output}`)
  await world.ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'web',
      taskDefinition: first.outputs['task-definition-arn'],
      desiredCount: 1,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
      ...placement
    })
  )
  await world.waitSteady('web', { cluster })
}

function deploy(cluster: string, extra: Record<string, string> = {}) {
  return world.run({
    image: image(),
    'task-definition': 'task-definition.json',
    'container-name': 'web',
    cluster,
    service: 'web',
    'wait-for-minutes': String(WAIT_MINUTES),
    ...extra
  })
}

async function instanceCount(cluster: string): Promise<number> {
  const out = await world.ecs.send(new ListContainerInstancesCommand({ cluster }))
  return out.containerInstanceArns?.length ?? 0
}

describe('EC2 capacity', () => {
  test('a capacity provider with managed scaling: the deploy waits for the added instance and goes green', async () => {
    const cluster = 'cap-it-scaling'
    // The group's instances register 60 s (3 s at this time scale) after the scale-out.
    await setAutoScalingGroups(world.sim.url, {
      region: world.region,
      groups: [{ name: 'cap-it-asg', cpu: 1024, memory: 1024, launchSeconds: 60 }]
    })
    await world.ecs.send(
      new CreateCapacityProviderCommand({
        name: 'cap-it-cp',
        autoScalingGroupProvider: {
          autoScalingGroupArn: ASG,
          managedScaling: { status: 'ENABLED', targetCapacity: 100, instanceWarmupPeriod: 60 }
        }
      })
    )
    await world.createCluster(cluster)
    await world.ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster,
        capacityProviders: ['cap-it-cp'],
        defaultCapacityProviderStrategy: [{ capacityProvider: 'cap-it-cp', weight: 1 }]
      })
    )
    await ec2Service(cluster, { capacityProviderStrategy: [{ capacityProvider: 'cap-it-cp', weight: 1 }] })
    expect(await instanceCount(cluster)).toBe(1)

    const run = await deploy(cluster)
    if (run.exitCode !== 0) throw new Error(`deploy failed:\n${run.output}`)
    expect(await instanceCount(cluster)).toBe(2)
    const notices = run.commands.filter(c => c.command === 'notice').map(c => c.line)
    expect(
      notices.some(
        l => /Not enough memory on any container instance/.test(l) && /cap-it-cp has managed scaling/.test(l)
      )
    ).toBe(true)
    // The summary names the resource that ran out, with the numbers.
    expect(run.summary).toContain('### Problems seen')
    expect(run.summary).toContain('#### Not enough memory on any container instance')
    expect(run.summary).toMatch(/the task needs 512 MiB; the most the container instance has left is 256 MiB/)
    const service = await world.service('web', cluster)
    expect(service.taskDefinition).toBe(run.outputs['task-definition-arn'])
  }, 240_000)

  test('no capacity provider: it fails fast with the hint', async () => {
    const cluster = 'cap-it-bare'
    await world.createCluster(cluster)
    await ec2Service(cluster, { launchType: 'EC2' })
    const run = await deploy(cluster)
    expect(run.exitCode).toBe(1)
    // The run's one failure carries the finding; ECS's own event is annotated beside it.
    const failed = run.errors.filter(e => e.title === 'Deployment failed')
    expect(failed).toHaveLength(1)
    const [error] = failed
    expect(run.errors.map(e => e.message)).toContainEqual(
      expect.stringMatching(/has insufficient memory available/)
    )
    expect(error.message).toMatch(
      /^Not enough memory on any container instance: ECS could not place a task: the task needs 512 MiB; the most the container instance has left is 256 MiB; the service has no capacity provider with managed scaling/
    )
    expect(error.message).toMatch(
      /Hint: add container instances \(or larger ones\) to the cluster, give the service a capacity provider with managed scaling, or lower the task definition's memory\./
    )
    expect(error.message).toMatch(
      /cannot place its tasks: not enough memory on any container instance\. Rollback to demo-web:\d+ started \(deployment ecs-svc\/\d+\); its tasks need room on the cluster's container instances too \(not enough memory on any container instance\), so it was not waited for\./
    )
    expect(run.summary).toContain('#### Not enough memory on any container instance')
    // Well inside wait-for-minutes: the run ends once the event is read, not at the deadline.
    expect(run.durationMs).toBeLessThan((WAIT_MINUTES * 60_000) / 4)
    expect(await instanceCount(cluster)).toBe(1)
  }, 240_000)
})

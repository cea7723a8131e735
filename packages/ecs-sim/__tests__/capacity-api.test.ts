/**
 * EC2 capacity in the local ECS through the real ECS client (scripted backend, no Docker): container
 * instances and their resources, placement and its release, ECS's "unable to place a task" event per
 * resource, and a capacity provider with managed scaling that adds an instance, then places the tasks.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch'
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  ListContainerInstancesCommand,
  PutClusterCapacityProvidersCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerInstance,
  type Resource
} from '@aws-sdk/client-ecs'
import { addContainerInstances, reset, RunningSim, setAutoScalingGroups, startSim } from '../testing.js'
import { clients, completedOn, errorOf, messages, service, tasksOf, waitFor } from './helpers.js'

const REGION = 'eu-west-1'
const ASG = 'arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1a2b:autoScalingGroupName/cap-asg'
let sim: RunningSim
let ecs: ECSClient
let cloudwatch: CloudWatchClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.02 })
  ;({ ecs, cloudwatch } = clients(sim.url))
})
afterAll(async () => {
  await sim?.stop()
})
beforeEach(async () => {
  await reset(sim.url)
})

async function taskDefinition(
  family: string,
  opts: { hostPort?: number; cpu?: string; memory?: string } = {}
) {
  for (const version of ['v1', 'v2'])
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: opts.hostPort ? 'bridge' : 'awsvpc',
        requiresCompatibilities: ['EC2'],
        cpu: opts.cpu ?? '256',
        memory: opts.memory ?? '512',
        containerDefinitions: [
          {
            name: 'app',
            image: `app:${version}`,
            essential: true,
            portMappings: opts.hostPort ? [{ containerPort: 80, hostPort: opts.hostPort }] : undefined
          }
        ]
      })
    )
}

async function instances(cluster: string): Promise<ContainerInstance[]> {
  const arns = (await ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? []
  if (arns.length === 0) return []
  return (await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns })))
    .containerInstances!
}

function value(resources: Resource[] | undefined, name: string): number | string[] | undefined {
  const r = resources?.find(x => x.name === name)
  return r?.type === 'STRINGSET' ? r.stringSetValue : r?.integerValue
}

async function ec2Service(
  cluster: string,
  family: string,
  extra: Record<string, unknown> = { launchType: 'EC2' }
) {
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'web',
      taskDefinition: `${family}:1`,
      desiredCount: 1,
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
      ...extra
    })
  )
  return waitFor('first deployment', () => service(ecs, cluster, 'web'), completedOn(`${family}:1`))
}

describe('container instances', () => {
  it('registers through the control API and RegisterContainerInstance, with ECS resource shapes', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'ci' }))
    const [made] = await addContainerInstances(sim.url, {
      cluster: 'ci',
      region: REGION,
      instances: [{ cpu: 1024, memory: 2048, ports: [9000] }]
    })
    expect(made.arn).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:container-instance\/ci\/[0-9a-f]{32}$/)
    const registered = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: 'ci',
        totalResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: 4096 }
        ]
      })
    )
    expect(registered.containerInstance?.status).toBe('ACTIVE')
    const all = await instances('ci')
    expect(all).toHaveLength(2)
    const first = all.find(i => i.containerInstanceArn === made.arn)!
    expect(first).toMatchObject({
      status: 'ACTIVE',
      agentConnected: true,
      runningTasksCount: 0,
      pendingTasksCount: 0
    })
    expect(first.ec2InstanceId).toMatch(/^i-[0-9a-f]{17}$/)
    expect(value(first.registeredResources, 'CPU')).toBe(1024)
    expect(value(first.registeredResources, 'MEMORY')).toBe(2048)
    expect(value(first.registeredResources, 'PORTS')).toEqual([
      '22',
      '2375',
      '2376',
      '51678',
      '51679',
      '9000'
    ])
    expect(value(first.remainingResources, 'PORTS_UDP')).toEqual([])
    const cluster = (await ecs.send(new DescribeClustersCommand({ clusters: ['ci'] }))).clusters![0]
    expect(cluster.registeredContainerInstancesCount).toBe(2)
    const missing = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: 'ci', containerInstances: ['nope'] })
    )
    expect(missing.failures).toEqual([
      { arn: 'arn:aws:ecs:eu-west-1:123456789012:container-instance/ci/nope', reason: 'MISSING' }
    ])
  })

  it('reserves a task on its instance while it runs and releases it when it stops', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'rsv' }))
    await addContainerInstances(sim.url, {
      cluster: 'rsv',
      region: REGION,
      instances: [{ cpu: 1024, memory: 2048 }]
    })
    await taskDefinition('rsv', { hostPort: 8080 })
    await ec2Service('rsv', 'rsv')
    const [task] = await tasksOf(ecs, 'rsv', 'web', 'RUNNING')
    expect(task.launchType).toBe('EC2')
    const [i] = await instances('rsv')
    expect(task.containerInstanceArn).toBe(i.containerInstanceArn)
    expect(i.runningTasksCount).toBe(1)
    expect(value(i.remainingResources, 'CPU')).toBe(768)
    expect(value(i.remainingResources, 'MEMORY')).toBe(1536)
    expect(value(i.remainingResources, 'PORTS')).toContain('8080')
    // The cluster's reservation in CloudWatch: 256 of 1024 CPU units, 512 of 2048 MiB.
    const reserved = async () => {
      const now = Date.now()
      const out = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(now - 60_000),
          EndTime: new Date(now + 1000),
          MetricDataQueries: ['CPUReservation', 'MemoryReservation'].map((name, n) => ({
            Id: `m${n}`,
            MetricStat: {
              Metric: {
                Namespace: 'AWS/ECS',
                MetricName: name,
                Dimensions: [{ Name: 'ClusterName', Value: 'rsv' }]
              },
              Period: 1,
              Stat: 'Maximum'
            }
          }))
        })
      )
      return out.MetricDataResults!.map(m => m.Values ?? [])
    }
    const [cpuR, memR] = await waitFor(
      'the reservation metrics',
      reserved,
      ([c, m]) => c.includes(25) && m.includes(25)
    )
    expect(Math.max(...cpuR)).toBe(25)
    expect(Math.max(...memR)).toBe(25)
    await ecs.send(new UpdateServiceCommand({ cluster: 'rsv', service: 'web', desiredCount: 0 }))
    const freed = await waitFor(
      'release',
      () => instances('rsv'),
      ([x]) => value(x.remainingResources, 'MEMORY') === 2048
    )
    expect(value(freed[0].remainingResources, 'CPU')).toBe(1024)
    expect(value(freed[0].remainingResources, 'PORTS')).not.toContain('8080')
  })
})

describe("ECS's event when no instance has room", () => {
  it.each([
    {
      name: 'memory',
      instance: { cpu: 1024, memory: 768 },
      td: {},
      text: 'has insufficient memory available'
    },
    {
      name: 'CPU',
      instance: { cpu: 300, memory: 4096 },
      td: {},
      text: 'has insufficient CPU units available'
    },
    {
      name: 'ports',
      instance: { cpu: 4096, memory: 8192 },
      td: { hostPort: 8080 },
      text: 'is already using a port required by your task'
    }
  ])(
    '$name: the new revision is not started and the service says why',
    async ({ name, instance, td, text }) => {
      const cluster = `full-${name}`
      await ecs.send(new CreateClusterCommand({ clusterName: cluster }))
      const [made] = await addContainerInstances(sim.url, { cluster, region: REGION, instances: [instance] })
      await taskDefinition(cluster, td)
      await ec2Service(cluster, cluster)
      await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: `${cluster}:2` }))
      const want =
        `(service web) was unable to place a task because no container instance met all of its requirements. ` +
        `The closest matching (container-instance ${made.id}) ${text}. ` +
        'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
      const s = await waitFor(
        'the event',
        () => service(ecs, cluster, 'web'),
        x => messages(x).includes(want)
      )
      // ECS omits the duplicate while the cause lasts.
      await new Promise(r => setTimeout(r, 300))
      const later = await service(ecs, cluster, 'web')
      expect(messages(later).filter(m => m === want)).toHaveLength(1)
      expect(s.deployments![0]).toMatchObject({
        rolloutState: 'IN_PROGRESS',
        runningCount: 0,
        pendingCount: 0
      })
      expect(later.deployments).toHaveLength(2)
    }
  )

  it('no instances at all: the reason says so', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'empty' }))
    await taskDefinition('empty')
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'empty',
        serviceName: 'web',
        taskDefinition: 'empty:1',
        desiredCount: 1,
        launchType: 'EC2'
      })
    )
    const s = await waitFor(
      'the event',
      () => service(ecs, 'empty', 'web'),
      x => messages(x).some(m => m.includes('unable to place'))
    )
    expect(messages(s)).toContain(
      '(service web) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
    )
  })
})

describe('capacity providers', () => {
  async function withProvider(cluster: string, status: 'ENABLED' | 'DISABLED') {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }))
    await setAutoScalingGroups(sim.url, {
      region: REGION,
      groups: [{ name: 'cap-asg', cpu: 1024, memory: 1024, launchSeconds: 60 }]
    })
    await ecs.send(
      new CreateCapacityProviderCommand({
        name: `${cluster}-cp`,
        autoScalingGroupProvider: {
          autoScalingGroupArn: ASG,
          managedScaling: {
            status,
            targetCapacity: 100,
            minimumScalingStepSize: 1,
            maximumScalingStepSize: 2,
            instanceWarmupPeriod: 60
          }
        }
      })
    )
    await ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster,
        capacityProviders: [`${cluster}-cp`],
        defaultCapacityProviderStrategy: [{ capacityProvider: `${cluster}-cp`, weight: 1 }]
      })
    )
    await addContainerInstances(sim.url, { cluster, region: REGION, instances: [{ cpu: 1024, memory: 768 }] })
    await taskDefinition(cluster)
    // No launch type: the cluster's default strategy.
    return ec2Service(cluster, cluster, {})
  }

  it('describes providers as ECS does, and refuses a second one of the same name', async () => {
    await withProvider('desc', 'ENABLED')
    const out = await ecs.send(
      new DescribeCapacityProvidersCommand({ capacityProviders: ['desc-cp', 'FARGATE', 'nope'] })
    )
    expect(out.capacityProviders?.map(p => p.name)).toEqual(['desc-cp', 'FARGATE'])
    expect(out.capacityProviders![0]).toMatchObject({
      status: 'ACTIVE',
      autoScalingGroupProvider: {
        autoScalingGroupArn: ASG,
        managedScaling: { status: 'ENABLED', maximumScalingStepSize: 2 }
      }
    })
    expect(out.failures).toEqual([
      { arn: 'arn:aws:ecs:eu-west-1:123456789012:capacity-provider/nope', reason: 'MISSING' }
    ])
    const cluster = (await ecs.send(new DescribeClustersCommand({ clusters: ['desc'] }))).clusters![0]
    expect(cluster.capacityProviders).toEqual(['desc-cp'])
    const again = await errorOf(
      ecs.send(
        new CreateCapacityProviderCommand({
          name: 'desc-cp',
          autoScalingGroupProvider: { autoScalingGroupArn: ASG }
        })
      )
    )
    expect(again.name).toBe('ClientException')
    const s = await service(ecs, 'desc', 'web')
    expect(s.capacityProviderStrategy).toEqual([{ capacityProvider: 'desc-cp', weight: 1 }])
  })

  it('managed scaling: the task waits in PROVISIONING, an instance is added, then it is placed', async () => {
    await withProvider('ms', 'ENABLED')
    await ecs.send(new UpdateServiceCommand({ cluster: 'ms', service: 'web', taskDefinition: 'ms:2' }))
    const waiting = await waitFor(
      'a provisioning task',
      () => tasksOf(ecs, 'ms', 'web', 'RUNNING'),
      ts => ts.some(t => t.taskDefinitionArn!.endsWith('ms:2'))
    )
    const fresh = waiting.find(t => t.taskDefinitionArn!.endsWith('ms:2'))!
    expect(fresh).toMatchObject({ lastStatus: 'PROVISIONING', capacityProviderName: 'ms-cp' })
    expect(fresh.containerInstanceArn).toBeUndefined()
    const done = await waitFor('rollout to ms:2', () => service(ecs, 'ms', 'web'), completedOn('ms:2'))
    expect(messages(done).some(m => m.includes('has insufficient memory available'))).toBe(true)
    const all = await instances('ms')
    expect(all).toHaveLength(2)
    expect(all[1]).toMatchObject({ capacityProviderName: 'ms-cp', runningTasksCount: 1 })
    expect(value(all[1].registeredResources, 'MEMORY')).toBe(1024)
    const [task] = await tasksOf(ecs, 'ms', 'web', 'RUNNING')
    expect(task.containerInstanceArn).toBe(all[1].containerInstanceArn)
  })

  it.each([
    { name: 'managed scaling DISABLED', status: 'DISABLED' as const },
    { name: 'no provider (launchType EC2)', status: undefined }
  ])('$name: the task stays unplaced and no instance is added', async ({ status }) => {
    const cluster = status ? 'off' : 'bare'
    if (status) await withProvider(cluster, status)
    else {
      await ecs.send(new CreateClusterCommand({ clusterName: cluster }))
      await addContainerInstances(sim.url, {
        cluster,
        region: REGION,
        instances: [{ cpu: 1024, memory: 768 }]
      })
      await taskDefinition(cluster)
      await ec2Service(cluster, cluster)
    }
    await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: `${cluster}:2` }))
    await waitFor(
      'the event',
      () => service(ecs, cluster, 'web'),
      s => messages(s).some(m => m.includes('unable to place'))
    )
    // Three group launch times (60 s scaled: 1.2 s each).
    await new Promise(r => setTimeout(r, 3600))
    const s = await service(ecs, cluster, 'web')
    expect(s.deployments![0]).toMatchObject({ rolloutState: 'IN_PROGRESS', runningCount: 0 })
    expect(await instances(cluster)).toHaveLength(1)
  })
})

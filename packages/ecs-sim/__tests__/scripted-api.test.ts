/**
 * The simulator's ECS and CloudWatch Logs operations through the real AWS SDK v3 clients, with the
 * scripted task backend (no Docker, no registry): tasks and their logs, errors as ECS returns them, task
 * definitions. ECR answers from the registry, so its error row is in ecr-registry.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import { reset, RunningSim, setRules, startSim } from '../testing.js'
import { clients, errorOf, waitFor } from './helpers.js'

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

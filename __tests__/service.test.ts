import { beforeEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import {
  currentTaskDefinition,
  describeTaskDefinition,
  findCluster,
  findService,
  updateService
} from '../src/service.js'
import { DeployError } from '../src/errors.js'

const ecsMock = mockClient(ECSClient)
const ecs = new ECSClient({ region: 'eu-west-1' })
const TD1 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1'
const TD2 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:2'

function awsError(name: string, message: string): Error {
  const e = new Error(message)
  e.name = name
  return e
}

beforeEach(() => {
  ecsMock.reset()
})

describe('findCluster / findService', () => {
  test('cluster missing', async () => {
    ecsMock
      .on(DescribeClustersCommand)
      .resolves({ clusters: [], failures: [{ arn: 'x', reason: 'MISSING' }] })
    await expect(findCluster(ecs, 'prod')).rejects.toThrow('Cluster "prod" was not found (input "cluster").')
  })

  test('cluster found', async () => {
    ecsMock.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'prod', status: 'ACTIVE' }] })
    await expect(findCluster(ecs, 'prod')).resolves.toBeUndefined()
  })

  test.each([
    [{ services: [], failures: [{ reason: 'MISSING' }] }, 'Service not found'],
    [{ services: [{ serviceName: 'web', status: 'INACTIVE' }] }, 'Service not found'],
    [{ services: [{ serviceName: 'web', status: 'DRAINING' }] }, 'Service is being deleted'],
    [
      {
        services: [
          { serviceName: 'web', status: 'ACTIVE', deploymentController: { type: 'CODE_DEPLOY' as const } }
        ]
      },
      'Unsupported deployment controller'
    ]
  ])('service %j → %s', async (answer, title) => {
    ecsMock.on(DescribeServicesCommand).resolves(answer)
    const error = await findService(ecs, 'prod', 'web').catch(e => e)
    expect(error).toBeInstanceOf(DeployError)
    expect(error.title).toBe(title)
  })

  test('unknown cluster from DescribeServices', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(awsError('ClusterNotFoundException', 'Cluster not found.'))
    await expect(findService(ecs, 'nope', 'web')).rejects.toThrow('Cluster "nope" was not found')
  })

  test('active service', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [{ serviceName: 'web', status: 'ACTIVE' }] })
    await expect(findService(ecs, 'prod', 'web')).resolves.toMatchObject({ serviceName: 'web' })
  })
})

describe('describeTaskDefinition', () => {
  test('asks for tags and returns them', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: TD1, family: 'web' },
      tags: [{ key: 'team', value: 'a' }]
    })
    const out = await describeTaskDefinition(ecs, 'web')
    expect(out.tags).toEqual([{ key: 'team', value: 'a' }])
    expect(ecsMock.commandCalls(DescribeTaskDefinitionCommand)[0].args[0].input).toEqual({
      taskDefinition: 'web',
      include: ['TAGS']
    })
  })

  test('unknown family', async () => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .rejects(awsError('ClientException', 'Unable to describe task definition.'))
    await expect(describeTaskDefinition(ecs, 'nope')).rejects.toThrow(
      'Task definition "nope" could not be described: Unable to describe task definition.'
    )
  })

  test.each([
    [
      { input: 'task-definition-family' as const },
      'Input "task-definition-family": task definition family "nope" could not be described: Unable to describe task definition.'
    ],
    [
      { input: 'service' as const, service: 'web' },
      'Input "service": the current task definition of service "web" ("nope") could not be described: Unable to describe task definition.'
    ]
  ])('unknown task definition from %j names the input', async (origin, message) => {
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .rejects(awsError('ClientException', 'Unable to describe task definition.'))
    const error = await describeTaskDefinition(ecs, 'nope', origin).catch((e: unknown) => e)
    expect(error).toMatchObject({ title: 'Task definition not found', message })
  })
})

describe('updateService', () => {
  test('finds the PRIMARY deployment on our task definition; only given fields are sent', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({
      service: {
        deployments: [
          { id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: TD2 },
          { id: 'ecs-svc/1', status: 'ACTIVE', taskDefinition: TD1 }
        ]
      }
    })
    const result = await updateService(ecs, { cluster: 'prod', service: 'web', taskDefinitionArn: TD2 })
    expect(result.deployment.id).toBe('ecs-svc/2')
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'prod',
      service: 'web',
      taskDefinition: TD2
    })
  })

  test('optional fields', async () => {
    ecsMock
      .on(UpdateServiceCommand)
      .resolves({ service: { deployments: [{ id: 'ecs-svc/2', status: 'PRIMARY', taskDefinition: TD2 }] } })
    await updateService(ecs, {
      cluster: 'prod',
      service: 'web',
      taskDefinitionArn: TD2,
      desiredCount: 0,
      forceNewDeployment: true,
      propagateTags: 'SERVICE',
      enableEcsManagedTags: false
    })
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: 'prod',
      service: 'web',
      taskDefinition: TD2,
      desiredCount: 0,
      forceNewDeployment: true,
      propagateTags: 'SERVICE',
      enableECSManagedTags: false
    })
  })

  test('no PRIMARY deployment in the answer', async () => {
    ecsMock.on(UpdateServiceCommand).resolves({ service: { deployments: [] } })
    await expect(updateService(ecs, { cluster: 'c', service: 's', taskDefinitionArn: TD2 })).rejects.toThrow(
      'without a PRIMARY deployment'
    )
  })
})

describe('currentTaskDefinition', () => {
  test.each([
    [{ taskDefinition: TD1 }, TD1],
    [{ taskDefinition: TD2, deployments: [{ status: 'PRIMARY', taskDefinition: TD1 }] }, TD1],
    [
      {
        taskDefinition: TD2,
        deployments: [
          { status: 'PRIMARY', taskDefinition: TD2, rolloutState: 'IN_PROGRESS' as const },
          { status: 'ACTIVE', taskDefinition: TD1, rolloutState: 'COMPLETED' as const }
        ]
      },
      TD1
    ]
  ])('%j → %s', (service, expected) => {
    expect(currentTaskDefinition(service)).toBe(expected)
  })
})

/**
 * The local ECS refuses on RegisterTaskDefinition what ECS refuses, with ECS's exception and message, through
 * the real AWS SDK client (scripted backend, no Docker). The rules themselves are tested as a table in
 * __tests__/task-definition/rules.test.ts; this is about the wire: HTTP 400, `__type`, the named SDK exception.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput
} from '@aws-sdk/client-ecs'
import { getCalls, RunningSim, startSim } from '../testing.js'
import { clients } from './helpers.js'

let sim: RunningSim
let ecs: ECSClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.02 })
  ecs = clients(sim.url, 1).ecs
})

afterAll(async () => {
  await sim?.stop()
})

type Input = RegisterTaskDefinitionCommandInput
const fargate = (change: (td: Input) => void = () => {}): Input => {
  const td: Input = {
    family: 'strict',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'web', image: 'nginx:1', portMappings: [{ containerPort: 80 }] }]
  }
  change(td)
  return td
}
const web = (td: Input) => td.containerDefinitions![0]
/** Values the SDK's types do not allow but its serializer sends as they are. */
const loose = (v: unknown) => v as never

async function refusal(input: Input): Promise<{ name: string; message: string; status?: number }> {
  try {
    await ecs.send(new RegisterTaskDefinitionCommand(input))
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } }
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode }
  }
  throw new Error('RegisterTaskDefinition succeeded')
}

describe('RegisterTaskDefinition refuses what ECS refuses', () => {
  it.each<[string, Input, string, string]>([
    ['empty tags', fargate(td => (td.tags = [])), 'ClientException', 'Tags can not be empty.'],
    [
      'pidMode ""',
      fargate(td => (td.pidMode = loose(''))),
      'ClientException',
      ' is not a valid value for pidMode. The value must be one of [task,host]'
    ],
    [
      'ipcMode ""',
      fargate(td => (td.ipcMode = loose(''))),
      'ClientException',
      ' is not a valid value for ipcMode. The value must be one of [host,task,none]'
    ],
    [
      'networkMode ""',
      fargate(td => (td.networkMode = loose(''))),
      'ClientException',
      ' is not a valid value for networkMode. The value must be one of [bridge,host,awsvpc,none]'
    ],
    [
      'empty credentialsParameter',
      fargate(td => (web(td).repositoryCredentials = { credentialsParameter: '' })),
      'ClientException',
      "The repository credentials parameter specified for container 'web' is invalid."
    ],
    [
      'a container without image',
      fargate(td => delete web(td).image),
      'ClientException',
      'Container.image should not be null or empty.'
    ],
    [
      'a container with an empty name',
      fargate(td => (web(td).name = '')),
      'ClientException',
      'Container.name should not be null or empty.'
    ],
    [
      'two containers named web',
      fargate(td => td.containerDefinitions!.push({ name: 'web', image: 'x' })),
      'ClientException',
      "Duplicate container name 'web'. Container names must be unique within a task definition."
    ],
    [
      'no essential container',
      fargate(td => (web(td).essential = false)),
      'ClientException',
      'A task definition must have at least one essential container.'
    ],
    [
      'Fargate in bridge mode',
      fargate(td => (td.networkMode = 'bridge')),
      'ClientException',
      'Fargate only supports network mode ‘awsvpc’.'
    ],
    [
      'Fargate 256 CPU / 4096 MiB',
      fargate(td => (td.memory = '4096')),
      'ClientException',
      'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.'
    ],
    [
      'EC2 without any memory',
      { family: 'strict', containerDefinitions: [{ name: 'web', image: 'x' }] },
      'ClientException',
      "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified."
    ],
    [
      'hostPort 8080 for containerPort 80 under awsvpc',
      fargate(td => (web(td).portMappings = [{ containerPort: 80, hostPort: 8080 }])),
      'ClientException',
      'When networkMode=awsvpc, the host ports and container ports in port mappings must match.'
    ],
    [
      'eleven containers',
      fargate(td => {
        td.containerDefinitions = Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: 'x' }))
      }),
      'ClientException',
      'Too many containers.'
    ],
    [
      'a number as an environment value',
      fargate(td => (web(td).environment = [{ name: 'PORT', value: loose(8080) }])),
      'SerializationException',
      'NUMBER_VALUE cannot be converted to String'
    ],
    [
      'task cpu as an object',
      fargate(td => (td.cpu = loose({ units: 256 }))),
      'SerializationException',
      'Start of structure or map found where not expected.'
    ],
    [
      'container memory -5',
      fargate(td => (web(td).memory = -5)),
      'ClientException',
      "Invalid 'memory' setting for container 'web': -5. It must be greater than 0."
    ],
    [
      'container memoryReservation 0',
      fargate(td => (web(td).memoryReservation = 0)),
      'ClientException',
      "Invalid 'memoryReservation' setting for container 'web': 0. It must be greater than 0."
    ]
  ])('%s', async (_name, input, name, message) => {
    expect(await refusal(input)).toEqual({ name, message, status: 400 })
  })

  it('a 10 MB environment value: over 64 KiB', async () => {
    const input = fargate(
      td => (web(td).environment = [{ name: 'BIG', value: 'x'.repeat(10 * 1024 * 1024) }])
    )
    const bytes = JSON.stringify(input).length
    expect(await refusal(input)).toEqual({
      name: 'ClientException',
      message: `Actual length: '${bytes}'. Max allowed length is '65536' bytes.`,
      status: 400
    })
  })

  it('nothing refused is registered; what ECS takes still is', async () => {
    const before = (await getCalls(sim.url, 'RegisterTaskDefinition')).filter(c => c.status === 200)
    expect(before).toEqual([])
    const ok = await ecs.send(
      new RegisterTaskDefinitionCommand(fargate(td => (td.tags = [{ key: 'a', value: 'b' }])))
    )
    expect(ok.taskDefinition?.taskDefinitionArn).toBe(
      'arn:aws:ecs:eu-west-1:123456789012:task-definition/strict:1'
    )
    const described = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'strict' }))
    expect(described.taskDefinition?.revision).toBe(1)
  })
})

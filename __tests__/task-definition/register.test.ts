/** registerTaskDefinition: the one RegisterTaskDefinition call, tags only when there are some, ECS's words on failure. */
import { beforeEach, describe, expect, test } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs'
import { DeployError } from '../../src/errors.js'
import { registerTaskDefinition } from '../../src/task-definition/register.js'

const ecsMock = mockClient(ECSClient)
const ecs = new ECSClient({ region: 'eu-west-1' })
const TD2 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:2'

function awsError(name: string, message: string): Error {
  const e = new Error(message)
  e.name = name
  return e
}

beforeEach(() => {
  ecsMock.reset()
})

describe('registerTaskDefinition', () => {
  test('passes tags only when there are some', async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TD2 } })
    await registerTaskDefinition(ecs, { family: 'web', containerDefinitions: [] })
    await registerTaskDefinition(ecs, { family: 'web', containerDefinitions: [] }, [{ key: 'a', value: 'b' }])
    const calls = ecsMock.commandCalls(RegisterTaskDefinitionCommand).map(c => c.args[0].input)
    expect(calls[0]).not.toHaveProperty('tags')
    expect(calls[1].tags).toEqual([{ key: 'a', value: 'b' }])
  })

  test('ECS rejection keeps ECS message, with the phase', async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(awsError('ClientException', 'Invalid memory value'))
    const error = await registerTaskDefinition(ecs, { family: 'web', containerDefinitions: [] }).catch(e => e)
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toBe('RegisterTaskDefinition: ClientException: Invalid memory value')
  })

  test('access denied names the permission', async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(awsError('AccessDeniedException', 'not authorized'))
    const error = await registerTaskDefinition(ecs, { family: 'web', containerDefinitions: [] }).catch(e => e)
    expect(error.hint).toBe('check permission ecs:RegisterTaskDefinition')
  })

  test('an answer without a task definition ARN fails, with the hint to check the definition', async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { family: 'web' } })
    const error = await registerTaskDefinition(ecs, { family: 'web', containerDefinitions: [] }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(DeployError)
    expect(error).toMatchObject({
      title: 'RegisterTaskDefinition failed',
      message: expect.stringContaining('the answer has no task definition ARN'),
      hint: expect.stringContaining('check the task definition against the ECS documentation')
    })
  })
})

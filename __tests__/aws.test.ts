import { describe, expect, jest, test } from '@jest/globals'

const debug = jest.fn()
jest.unstable_mockModule('@actions/core', () => ({ debug, isDebug: () => true, info: jest.fn() }))
const { createClients, summarizeRequest } = await import('../src/aws.js')

describe('summarizeRequest (what ACTIONS_STEP_DEBUG prints)', () => {
  test.each([
    [{ cluster: 'prod', services: ['web'] }, 'cluster="prod" services=["web"]'],
    [{ taskDefinition: 'web:3', include: ['TAGS'] }, 'taskDefinition="web:3"'],
    [
      {
        family: 'web',
        containerDefinitions: [{ name: 'a', environment: [{ name: 'TOKEN', value: 's3cret' }] }]
      },
      'family="web" containers=1'
    ],
    [{ cluster: 'c', tasks: ['arn:1', 'arn:2'] }, 'cluster="c" tasks=2'],
    [{ registryIds: ['123456789012'] }, ''],
    [undefined, '']
  ])('%j → %s', (input, expected) => {
    expect(summarizeRequest(input)).toBe(expected)
  })

  test('a real client logs its request summary, and never a token or a secret', async () => {
    // Credentials from the environment, so the SDK never looks further (no instance metadata lookup).
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
    process.env.AWS_SECRET_ACCESS_KEY = 'example-secret'
    const { ecs } = createClients({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 })
    const { RegisterTaskDefinitionCommand } = await import('@aws-sdk/client-ecs')
    await ecs
      .send(
        new RegisterTaskDefinitionCommand({
          family: 'web',
          containerDefinitions: [
            { name: 'web', image: 'x', environment: [{ name: 'PASSWORD', value: 'hunter2' }] }
          ]
        })
      )
      .catch(() => undefined)
    const lines = debug.mock.calls.map(c => String(c[0]))
    expect(lines).toContain('AWS RegisterTaskDefinitionCommand family="web" containers=1')
    expect(lines.join('\n')).not.toContain('hunter2')
  })
})

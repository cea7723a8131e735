import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'

const debug = jest.fn()
jest.unstable_mockModule('@actions/core', () => ({ debug, isDebug: () => true, info: jest.fn() }))
const { createClients, summarizeRequest } = await import('../src/aws.js')
const { resolveRepository } = await import('../src/ecr.js')
const { parseRepositoryInput } = await import('../src/image-ref.js')

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

/**
 * One retry layer: the clients' adaptive retry. ECR calls (src/ecr.ts) add none of their own, so a call
 * AWS keeps failing is sent maxAttempts times, not maxAttempts × 3 as when ecr.ts wrapped it in withRetry.
 */
describe('the SDK retry is the only one', () => {
  let server: http.Server
  let endpoint = ''
  let failures = 0
  const seen: string[] = []
  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
    process.env.AWS_SECRET_ACCESS_KEY = 'example-secret'
    server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        seen.push(String(req.headers['x-amz-target']))
        const fail = failures > 0
        if (fail) failures--
        res.writeHead(fail ? 500 : 200, { 'content-type': 'application/x-amz-json-1.1' })
        res.end(
          JSON.stringify(
            fail
              ? { __type: 'ServerException', message: 'the registry is having a moment' }
              : {
                  repositories: [
                    {
                      repositoryName: 'my-app',
                      repositoryUri: '127.0.0.1:5001/my-app',
                      registryId: '000000000000'
                    }
                  ]
                }
          )
        )
      })
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise(resolve => server.close(resolve))
  })

  test('the clients retry adaptively, 8 attempts by default', async () => {
    const { ecr } = createClients({ region: 'eu-west-1', endpoint })
    expect(await ecr.config.maxAttempts()).toBe(8)
    const strategy = await ecr.config.retryStrategy()
    expect((strategy as { mode?: string }).mode).toBe('adaptive')
  })

  test.each<[string, number, number, string | undefined]>([
    ['two 5xx, then an answer: the SDK retried and the call succeeds', 2, 3, undefined],
    ['5xx every time: maxAttempts requests in all, then one AWS error', 99, 3, 'DescribeRepositories failed']
  ])('%s', async (_name, fail, requests, title) => {
    failures = fail
    seen.length = 0
    const { ecr } = createClients({ region: 'eu-west-1', endpoint, maxAttempts: 3 })
    const result = resolveRepository(ecr, parseRepositoryInput('my-app'), false)
    if (title) await expect(result).rejects.toMatchObject({ title })
    else await expect(result).resolves.toMatchObject({ uri: '127.0.0.1:5001/my-app' })
    expect(seen).toEqual(Array(requests).fill('AmazonEC2ContainerRegistry_V20150921.DescribeRepositories'))
  })
})

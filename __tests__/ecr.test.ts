import { beforeEach, describe, expect, jest, test } from '@jest/globals'
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException,
  ServerException
} from '@aws-sdk/client-ecr'
import { mockClient } from 'aws-sdk-client-mock'

const setSecret = jest.fn()
const info = jest.fn()
const debug = jest.fn()
const warning = jest.fn()
jest.unstable_mockModule('@actions/core', () => ({ setSecret, info, debug, warning }))

const {
  getRegistryCredentials,
  parseRepositoryInput,
  resolveRepository,
  findImageDigest,
  isTransient,
  registryHost
} = await import('../src/ecr.js')
const { DeployError } = await import('../src/errors.js')

const ecrMock = mockClient(ECRClient)
const ecr = new ECRClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
})
const noSleep = { sleep: async () => {}, random: () => 0.5 }

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
const meta = (status: number) => ({ httpStatusCode: status })

function awsError(name: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(
    new ECRServiceException({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: meta(status),
      message: name
    }),
    extra
  )
}

async function caught(p: Promise<unknown>): Promise<InstanceType<typeof DeployError>> {
  try {
    await p
  } catch (error) {
    expect(error).toBeInstanceOf(DeployError)
    return error as InstanceType<typeof DeployError>
  }
  throw new Error('expected a rejection')
}

beforeEach(() => {
  ecrMock.reset()
  setSecret.mockReset()
  info.mockReset()
  debug.mockReset()
  warning.mockReset()
})

describe('getRegistryCredentials', () => {
  test.each<[string, string, string]>([
    [
      'real ECR endpoint',
      'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
    ],
    ['local registry over http', 'http://127.0.0.1:5001', '127.0.0.1:5001'],
    [
      'trailing slash',
      'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
    ],
    [
      'China partition',
      'https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn'
    ],
    ['no scheme', 'localhost:5000', 'localhost:5000']
  ])('proxyEndpoint form: %s', async (_name, proxyEndpoint, registry) => {
    const expiresAt = new Date('2030-01-01T00:00:00Z')
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: b64('AWS:s3cr3t-pass:with:colons'), proxyEndpoint, expiresAt }
      ]
    })
    const creds = await getRegistryCredentials(ecr)
    expect(creds).toEqual({ registry, username: 'AWS', password: 's3cr3t-pass:with:colons', expiresAt })
  })

  test('masks the password and the raw token before returning', async () => {
    const token = b64('AWS:hunter2')
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: token, proxyEndpoint: 'http://127.0.0.1:5001' }]
    })
    const creds = await getRegistryCredentials(ecr)
    expect(setSecret).toHaveBeenCalledWith('hunter2')
    expect(setSecret).toHaveBeenCalledWith(token)
    expect(creds.expiresAt).toBeUndefined()
  })

  test.each<[string, string | undefined, Record<string, unknown>]>([
    ['no registry id', undefined, {}],
    ['a registry id', '210987654321', { registryIds: ['210987654321'] }]
  ])('asks for %s', async (_name, registryId, input) => {
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [{ authorizationToken: b64('AWS:p'), proxyEndpoint: 'http://127.0.0.1:5001' }]
    })
    await getRegistryCredentials(ecr, registryId)
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input).toEqual(input)
  })

  test.each<[string, Error]>([
    ['5xx ServerException', new ServerException({ $metadata: meta(500), message: 'boom' })],
    ['throttling', awsError('ThrottlingException', 400)],
    ['429', awsError('TooManyRequests', 429)],
    ['network reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })]
  ])('retries a transient %s and succeeds', async (_name, error) => {
    const sleep = jest.fn(async (_ms: number) => {})
    ecrMock
      .on(GetAuthorizationTokenCommand)
      .rejectsOnce(error)
      .resolves({
        authorizationData: [{ authorizationToken: b64('AWS:p'), proxyEndpoint: 'http://127.0.0.1:5001' }]
      })
    const creds = await getRegistryCredentials(ecr, undefined, { sleep, random: () => 0.5, baseDelayMs: 400 })
    expect(creds.password).toBe('p')
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(2)
    expect(sleep).toHaveBeenCalledTimes(1)
    expect(sleep).toHaveBeenCalledWith(200) // full jitter: 0.5 × 400·2^0
  })

  test('gives up after the attempts and reports a login error', async () => {
    const sleep = jest.fn(async (_ms: number) => {})
    ecrMock
      .on(GetAuthorizationTokenCommand)
      .rejects(new ServerException({ $metadata: meta(503), message: 'unavailable' }))
    const e = await caught(
      getRegistryCredentials(ecr, undefined, { sleep, random: () => 1, attempts: 4, baseDelayMs: 100 })
    )
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(4)
    expect(sleep.mock.calls.map(c => c[0])).toEqual([100, 200, 400])
    expect(e.title).toBe('ECR login failed')
    expect(e.message).toBe('GetAuthorizationToken: unavailable')
  })

  test('does not retry access denied; the hint names the permission', async () => {
    ecrMock
      .on(GetAuthorizationTokenCommand)
      .rejects(awsError('AccessDeniedException', 403, { message: 'not authorized' }))
    const e = await caught(getRegistryCredentials(ecr, undefined, noSleep))
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1)
    expect(e).toMatchObject({
      title: 'ECR login failed',
      hint: 'the role needs ecr:GetAuthorizationToken'
    })
    expect(e.message).toMatch(/^GetAuthorizationToken: /)
  })

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['no authorization data', {}, /no authorization token/],
    ['no token', { authorizationData: [{ proxyEndpoint: 'http://x' }] }, /no authorization token/],
    [
      'token without a colon',
      { authorizationData: [{ authorizationToken: b64('AWSpassword'), proxyEndpoint: 'http://x' }] },
      /user:password/
    ],
    [
      'empty password',
      { authorizationData: [{ authorizationToken: b64('AWS:'), proxyEndpoint: 'http://x' }] },
      /user:password/
    ],
    ['no proxy endpoint', { authorizationData: [{ authorizationToken: b64('AWS:p') }] }, /no proxyEndpoint/],
    [
      'bad proxy endpoint',
      { authorizationData: [{ authorizationToken: b64('AWS:p'), proxyEndpoint: 'https://' }] },
      /not a URL/
    ]
  ])('malformed answer: %s', async (_name, answer, message) => {
    ecrMock.on(GetAuthorizationTokenCommand).resolves(answer)
    const e = await caught(getRegistryCredentials(ecr, undefined, noSleep))
    expect(e.message).toMatch(message)
  })
})

describe('isTransient / registryHost', () => {
  test.each<[string, unknown, boolean]>([
    ['ServerException', new ServerException({ $metadata: meta(500), message: 'x' }), true],
    ['503 by status', awsError('Whatever', 503), true],
    ['$retryable', Object.assign(new Error('x'), { $retryable: {} }), true],
    [
      'ETIMEDOUT in the cause',
      Object.assign(new Error('x'), { cause: Object.assign(new Error('y'), { code: 'ETIMEDOUT' }) }),
      true
    ],
    ['RepositoryNotFound', new RepositoryNotFoundException({ $metadata: meta(400), message: 'x' }), false],
    ['400 validation', awsError('InvalidParameterException', 400), false],
    ['a string', 'nope', false],
    ['undefined', undefined, false]
  ])('%s → %p', (_name, error, expected) => {
    expect(isTransient(error)).toBe(expected)
  })

  test.each([
    ['https://123456789012.dkr.ecr.us-east-1.amazonaws.com', '123456789012.dkr.ecr.us-east-1.amazonaws.com'],
    ['http://127.0.0.1:5001', '127.0.0.1:5001'],
    ['http://[::1]:5001/', '[::1]:5001'],
    ['127.0.0.1:5001/v2/', '127.0.0.1:5001']
  ])('registryHost(%p) = %p', (endpoint, host) => {
    expect(registryHost(endpoint)).toBe(host)
  })
})

describe('parseRepositoryInput', () => {
  test.each<[string, ReturnType<typeof parseRepositoryInput>]>([
    ['my-app', { name: 'my-app' }],
    ['team/my-app', { name: 'team/my-app' }],
    ['a/b/c.d_e-f', { name: 'a/b/c.d_e-f' }],
    [' my-app ', { name: 'my-app' }],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app',
      { name: 'my-app', registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', registryId: '123456789012' }
    ],
    [
      '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/team/my-app',
      {
        name: 'team/my-app',
        registry: '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com',
        registryId: '123456789012'
      }
    ],
    [
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/my-app',
      {
        name: 'my-app',
        registry: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
        registryId: '123456789012'
      }
    ],
    // Loopback registries (a local ECR such as sim/): the only non-AWS hosts taken.
    ['127.0.0.1:5001/my-app', { name: 'my-app', registry: '127.0.0.1:5001' }],
    ['localhost/my-app', { name: 'my-app', registry: 'localhost' }],
    ['localhost:5000/team/my-app', { name: 'team/my-app', registry: 'localhost:5000' }],
    ['[::1]:5001/my-app', { name: 'my-app', registry: '[::1]:5001' }]
  ])('%p', (value, expected) => {
    expect(parseRepositoryInput(value)).toEqual(expected)
  })

  test.each<[string, RegExp]>([
    ['', /empty/],
    ['a', /2 to 256/],
    ['x'.repeat(257), /2 to 256/],
    ['My-App', /is not an ECR repository name or URI/],
    ['my app', /is not an ECR repository name or URI/],
    ['-app', /is not an ECR repository name or URI/],
    ['app-', /is not an ECR repository name or URI/],
    ['a//b', /is not an ECR repository name or URI/],
    ['my-app:latest', /must not contain a tag/],
    ['127.0.0.1:5001/my-app:v1', /must not contain a tag/],
    [`my-app@sha256:${'a'.repeat(64)}`, /digest/],
    ['https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app', /URL scheme/],
    // Paths, not repositories: once parsed as registry "..", now refused as what they are.
    ['../etc', /"\.\.\/etc" is not an ECR repository name or URI/],
    ['./my-app', /is not an ECR repository name or URI/],
    ['/my-app', /is not an ECR repository name or URI/],
    ['my-app/', /is not an ECR repository name or URI/],
    ['a__b', /is not an ECR repository name or URI/],
    ['a--b', /is not an ECR repository name or URI/],
    // Other registries: this input pushes to ECR only.
    ['ghcr.io/owner/app', /names the registry "ghcr\.io", which is not an ECR registry/],
    ['public.ecr.aws/team/app', /names the registry "public\.ecr\.aws", which is not an ECR registry/],
    ['registry.example.com:5000/app', /which is not an ECR registry/],
    ['10.0.0.1:5001/app', /which is not an ECR registry/],
    ['12345.dkr.ecr.eu-west-1.amazonaws.com/app', /which is not an ECR registry/],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.io/app', /which is not an ECR registry/],
    // What the message quotes is bounded and inert.
    ['x\n::error::y', /"x\\n:\\u003aerror:\\u003ay" must not contain a tag/],
    [`${'a'.repeat(300)}/b`, /"a{79}…" has a name of 302 characters/]
  ])('rejects %p', (value, message) => {
    let error: unknown
    try {
      parseRepositoryInput(value)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DeployError)
    expect(error).toMatchObject({ title: 'Invalid input: repository' })
    expect((error as Error).message).toMatch(/^Input "repository": /)
    expect((error as Error).message).not.toMatch(/[\n\r]|::/)
    expect((error as Error).message).toMatch(message)
  })
})

describe('resolveRepository', () => {
  const uri = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app'
  const found = {
    repositories: [{ repositoryName: 'my-app', repositoryUri: uri, registryId: '123456789012' }]
  }
  const expected = {
    name: 'my-app',
    uri,
    registryId: '123456789012',
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
  }
  const notFound = () =>
    new RepositoryNotFoundException({ $metadata: meta(400), message: 'The repository does not exist' })

  test.each<[string, string, Record<string, unknown>]>([
    ['a name', 'my-app', { repositoryNames: ['my-app'] }],
    ['an ECR URI', uri, { repositoryNames: ['my-app'], registryId: '123456789012' }]
  ])('finds an existing repository given %s', async (_name, input, describeInput) => {
    ecrMock.on(DescribeRepositoriesCommand).resolves(found)
    await expect(resolveRepository(ecr, input, false, noSleep)).resolves.toEqual(expected)
    expect(ecrMock.commandCalls(DescribeRepositoriesCommand)[0].args[0].input).toEqual(describeInput)
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0)
  })

  test('local registry URI: uses the URI ECR reports', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        { repositoryName: 'my-app', repositoryUri: '127.0.0.1:5001/my-app', registryId: '000000000000' }
      ]
    })
    await expect(resolveRepository(ecr, '127.0.0.1:5001/my-app', false, noSleep)).resolves.toEqual({
      name: 'my-app',
      uri: '127.0.0.1:5001/my-app',
      registryId: '000000000000',
      registry: '127.0.0.1:5001'
    })
    expect(warning).not.toHaveBeenCalled()
  })

  test('warns when the input registry differs from what ECR reports', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves(found)
    const ref = await resolveRepository(ecr, '127.0.0.1:5001/my-app', false, noSleep)
    expect(ref.uri).toBe(uri)
    expect(warning).toHaveBeenCalledWith(expect.stringContaining(uri))
  })

  test('not found and create → CreateRepository', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(notFound())
    ecrMock.on(CreateRepositoryCommand).resolves({ repository: found.repositories[0] })
    await expect(resolveRepository(ecr, 'my-app', true, noSleep)).resolves.toEqual(expected)
    expect(ecrMock.commandCalls(CreateRepositoryCommand)[0].args[0].input).toEqual({
      repositoryName: 'my-app'
    })
    expect(info).toHaveBeenCalledWith('Created ECR repository my-app')
  })

  test('not found and create, but created meanwhile by another job → describes again', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejectsOnce(notFound()).resolves(found)
    ecrMock
      .on(CreateRepositoryCommand)
      .rejects(new RepositoryAlreadyExistsException({ $metadata: meta(400), message: 'exists' }))
    await expect(resolveRepository(ecr, 'my-app', true, noSleep)).resolves.toEqual(expected)
    expect(ecrMock.commandCalls(DescribeRepositoriesCommand)).toHaveLength(2)
  })

  test('not found and no create → plan error with a hint', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(notFound())
    const e = await caught(resolveRepository(ecr, 'my-app', false, noSleep))
    expect(e).toMatchObject({
      title: 'ECR repository not found',
      hint: 'create it or set create-repository: true'
    })
    expect(e.message).toBe('Input "repository": ECR repository "my-app" does not exist')
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0)
  })

  test('CreateRepository denied → plan error naming the permission', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(notFound())
    ecrMock.on(CreateRepositoryCommand).rejects(awsError('AccessDeniedException', 403))
    const e = await caught(resolveRepository(ecr, 'my-app', true, noSleep))
    expect(e).toMatchObject({ title: 'ECR CreateRepository failed' })
    expect(e.hint).toMatch(/ecr:CreateRepository/)
  })

  test('DescribeRepositories denied → plan error naming the permission', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(awsError('AccessDeniedException', 403))
    const e = await caught(resolveRepository(ecr, 'my-app', true, noSleep))
    expect(e).toMatchObject({ title: 'ECR DescribeRepositories failed' })
    expect(e.hint).toMatch(/ecr:DescribeRepositories/)
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0)
  })

  test('retries a throttled DescribeRepositories', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejectsOnce(awsError('ThrottlingException', 400)).resolves(found)
    await expect(resolveRepository(ecr, 'my-app', false, noSleep)).resolves.toEqual(expected)
    expect(ecrMock.commandCalls(DescribeRepositoriesCommand)).toHaveLength(2)
  })

  test('an ECR URI in another region than the client fails before any call', async () => {
    const e = await caught(
      resolveRepository(ecr, '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app', false, noSleep)
    )
    expect(e).toMatchObject({ title: 'ECR repository in another region' })
    expect(e.message).toMatch(/^Input "repository": /)
    expect(e.hint).toContain('us-east-1')
    expect(ecrMock.calls()).toHaveLength(0)
  })

  test('an invalid name fails as an input error before any call', async () => {
    const e = await caught(resolveRepository(ecr, 'Bad Name', true, noSleep))
    expect(e.title).toBe('Invalid input: repository')
    expect(ecrMock.calls()).toHaveLength(0)
  })
})

describe('findImageDigest', () => {
  const repo = {
    name: 'my-app',
    uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app',
    registryId: '123456789012',
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
  }
  const digest = `sha256:${'b'.repeat(64)}`

  test('found → digest; asks by tag in the right registry', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: digest, imageTags: ['abc', 'latest'] }] })
    await expect(findImageDigest(ecr, repo, 'abc', noSleep)).resolves.toBe(digest)
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      repositoryName: 'my-app',
      registryId: '123456789012',
      imageIds: [{ imageTag: 'abc' }]
    })
  })

  test.each<[string, () => Error]>([
    [
      'ImageNotFoundException',
      () => new ImageNotFoundException({ $metadata: meta(400), message: 'no image' })
    ],
    [
      'RepositoryNotFoundException',
      () => new RepositoryNotFoundException({ $metadata: meta(400), message: 'no repo' })
    ]
  ])('%s → undefined', async (_name, error) => {
    ecrMock.on(DescribeImagesCommand).rejects(error())
    await expect(findImageDigest(ecr, repo, 'abc', noSleep)).resolves.toBeUndefined()
  })

  test('empty answer → undefined', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [] })
    await expect(findImageDigest(ecr, repo, 'abc', noSleep)).resolves.toBeUndefined()
  })

  test('no registryId on the ref → none in the request', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: digest, imageTags: ['abc'] }] })
    await findImageDigest(
      ecr,
      { name: 'my-app', uri: '127.0.0.1:5001/my-app', registry: '127.0.0.1:5001' },
      'abc',
      noSleep
    )
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      repositoryName: 'my-app',
      imageIds: [{ imageTag: 'abc' }]
    })
  })

  test('other errors → image error naming the permission; transient ones retried first', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .rejectsOnce(awsError('ServerException', 500))
      .rejects(awsError('AccessDeniedException', 403, { message: 'denied' }))
    const e = await caught(findImageDigest(ecr, repo, 'abc', noSleep))
    expect(ecrMock.commandCalls(DescribeImagesCommand)).toHaveLength(2)
    expect(e).toMatchObject({ title: 'ECR DescribeImages failed' })
    expect(e.message).toBe('DescribeImages my-app:abc: denied')
    expect(e.hint).toMatch(/ecr:DescribeImages/)
  })
})

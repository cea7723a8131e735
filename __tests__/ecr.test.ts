import { beforeEach, describe, expect, jest, test } from '@jest/globals'
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  PutImageCommand,
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

const { getRegistryCredentials, resolveRepository, findImageDigest, tagExistingImage } =
  await import('../src/ecr.js')
const { parseRepositoryInput } = await import('../src/image-ref.js')
const { DeployError } = await import('../src/errors.js')

const ecrMock = mockClient(ECRClient)
const ecr = new ECRClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }
})

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

  // The SDK's adaptive retry (src/aws.ts) retried these already; what it gives up on fails once, here.
  test.each<[string, Error, string]>([
    [
      '5xx ServerException',
      new ServerException({ $metadata: meta(500), message: 'boom' }),
      'GetAuthorizationToken: ServerException: boom'
    ],
    [
      'throttling',
      awsError('ThrottlingException', 400),
      'GetAuthorizationToken: ThrottlingException: ThrottlingException'
    ],
    ['429', awsError('TooManyRequests', 429), 'GetAuthorizationToken: TooManyRequests: TooManyRequests'],
    [
      'network reset',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      'GetAuthorizationToken: socket hang up'
    ]
  ])(
    'a transient %s the SDK gave up on: one call, no retry of our own, a login error',
    async (_name, error, message) => {
      ecrMock
        .on(GetAuthorizationTokenCommand)
        .rejectsOnce(error)
        .resolves({
          authorizationData: [{ authorizationToken: b64('AWS:p'), proxyEndpoint: 'http://127.0.0.1:5001' }]
        })
      const e = await caught(getRegistryCredentials(ecr))
      expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1)
      expect(e.title).toBe('GetAuthorizationToken failed')
      expect(e.message).toBe(message)
      expect(e.hint).toMatch(/credentials/)
      expect(e.cause).toBe(error)
    }
  )

  test('access denied: one call; the hint names the permission', async () => {
    ecrMock
      .on(GetAuthorizationTokenCommand)
      .rejects(awsError('AccessDeniedException', 403, { message: 'not authorized' }))
    const e = await caught(getRegistryCredentials(ecr, undefined))
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)).toHaveLength(1)
    expect(e).toMatchObject({
      title: 'GetAuthorizationToken failed',
      hint: 'check permission ecr:GetAuthorizationToken'
    })
    expect(e.message).toBe('GetAuthorizationToken: AccessDeniedException: not authorized')
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
    const e = await caught(getRegistryCredentials(ecr, undefined))
    expect(e.title).toBe('ECR login failed')
    expect(e.message).toMatch(message)
  })
})

describe('resolveRepository', () => {
  // The plan parses the input once (image-ref.ts); resolveRepository takes what it parsed.
  const resolve = (text: string, create: boolean) =>
    resolveRepository(ecr, parseRepositoryInput(text), create)
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
    await expect(resolve(input, false)).resolves.toEqual(expected)
    expect(ecrMock.commandCalls(DescribeRepositoriesCommand)[0].args[0].input).toEqual(describeInput)
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0)
  })

  test('local registry URI: uses the URI ECR reports', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        { repositoryName: 'my-app', repositoryUri: '127.0.0.1:5001/my-app', registryId: '000000000000' }
      ]
    })
    await expect(resolve('127.0.0.1:5001/my-app', false)).resolves.toEqual({
      name: 'my-app',
      uri: '127.0.0.1:5001/my-app',
      registryId: '000000000000',
      registry: '127.0.0.1:5001'
    })
    expect(warning).not.toHaveBeenCalled()
  })

  test('warns when the input registry differs from what ECR reports', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves(found)
    const ref = await resolve('127.0.0.1:5001/my-app', false)
    expect(ref.uri).toBe(uri)
    expect(warning).toHaveBeenCalledWith(expect.stringContaining(uri))
  })

  test('not found and create → CreateRepository', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(notFound())
    ecrMock.on(CreateRepositoryCommand).resolves({ repository: found.repositories[0] })
    await expect(resolve('my-app', true)).resolves.toEqual(expected)
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
    await expect(resolve('my-app', true)).resolves.toEqual(expected)
    expect(ecrMock.commandCalls(DescribeRepositoriesCommand)).toHaveLength(2)
  })

  test('not found and no create → plan error with a hint', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(notFound())
    const e = await caught(resolve('my-app', false))
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
    const e = await caught(resolve('my-app', true))
    expect(e).toMatchObject({ title: 'CreateRepository failed' })
    expect(e.message).toBe(
      'CreateRepository (repository my-app): AccessDeniedException: AccessDeniedException'
    )
    expect(e.hint).toMatch(/ecr:CreateRepository/)
  })

  test('DescribeRepositories denied → plan error naming the permission', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejects(awsError('AccessDeniedException', 403))
    const e = await caught(resolve('my-app', true))
    expect(e).toMatchObject({ title: 'DescribeRepositories failed' })
    expect(e.hint).toMatch(/ecr:DescribeRepositories/)
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0)
  })

  test('a throttled DescribeRepositories the SDK gave up on: one call, an error, nothing created', async () => {
    ecrMock.on(DescribeRepositoriesCommand).rejectsOnce(awsError('ThrottlingException', 400)).resolves(found)
    const e = await caught(resolve('my-app', true))
    expect(e).toMatchObject({ title: 'DescribeRepositories failed' })
    expect(e.message).toBe(
      'DescribeRepositories (repository my-app): ThrottlingException: ThrottlingException'
    )
    expect(ecrMock.commandCalls(DescribeRepositoriesCommand)).toHaveLength(1)
    expect(ecrMock.commandCalls(CreateRepositoryCommand)).toHaveLength(0)
  })

  test('created meanwhile, then the second DescribeRepositories fails: an AWS error, not an unexpected one', async () => {
    ecrMock
      .on(DescribeRepositoriesCommand)
      .rejectsOnce(notFound())
      .rejects(awsError('AccessDeniedException', 403, { message: 'denied' }))
    ecrMock
      .on(CreateRepositoryCommand)
      .rejects(new RepositoryAlreadyExistsException({ $metadata: meta(400), message: 'exists' }))
    const e = await caught(resolve('my-app', true))
    expect(e).toMatchObject({
      title: 'DescribeRepositories failed',
      hint: 'check permission ecr:DescribeRepositories'
    })
  })

  test('an ECR URI in another region than the client fails before any call', async () => {
    const e = await caught(resolve('123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app', false))
    expect(e).toMatchObject({ title: 'ECR repository in another region' })
    expect(e.message).toMatch(/^Input "repository": /)
    expect(e.hint).toContain('us-east-1')
    expect(ecrMock.calls()).toHaveLength(0)
  })

  test('the region of an ECR URI is the one the plan parsed: the same region, no objection', async () => {
    ecrMock.on(DescribeRepositoriesCommand).resolves(found)
    await expect(resolve(uri, false)).resolves.toEqual(expected)
    expect(ecrMock.commandCalls(DescribeRepositoriesCommand)).toHaveLength(1)
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
    await expect(findImageDigest(ecr, repo, 'abc')).resolves.toBe(digest)
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
    await expect(findImageDigest(ecr, repo, 'abc')).resolves.toBeUndefined()
  })

  test('empty answer → undefined', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [] })
    await expect(findImageDigest(ecr, repo, 'abc')).resolves.toBeUndefined()
  })

  test('no registryId on the ref → none in the request', async () => {
    ecrMock
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: digest, imageTags: ['abc'] }] })
    await findImageDigest(
      ecr,
      { name: 'my-app', uri: '127.0.0.1:5001/my-app', registry: '127.0.0.1:5001' },
      'abc'
    )
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      repositoryName: 'my-app',
      imageIds: [{ imageTag: 'abc' }]
    })
  })

  test.each<[string, Error, string, string | undefined]>([
    [
      'access denied',
      awsError('AccessDeniedException', 403, { message: 'denied' }),
      'DescribeImages (my-app:abc): AccessDeniedException: denied',
      'check permission ecr:DescribeImages'
    ],
    [
      'a ServerException the SDK gave up on',
      awsError('ServerException', 500),
      'DescribeImages (my-app:abc): ServerException: ServerException',
      undefined
    ]
  ])('%s → an image error after one call', async (_name, error, message, hint) => {
    ecrMock.on(DescribeImagesCommand).rejects(error)
    const e = await caught(findImageDigest(ecr, repo, 'abc'))
    expect(ecrMock.commandCalls(DescribeImagesCommand)).toHaveLength(1)
    expect(e).toMatchObject({ title: 'DescribeImages failed' })
    expect(e.message).toBe(message)
    expect(e.hint).toBe(hint)
  })
})

describe('tagExistingImage (moved from build.test.ts)', () => {
  const DIGEST = `sha256:${'a'.repeat(64)}`
  const MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json'
  const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE, config: {}, layers: [] })
  const repo = { name: 'my-app', uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app', registry: 'x' }
  function manifestFound(): void {
    ecrMock.on(BatchGetImageCommand).resolves({
      images: [
        {
          imageId: { imageDigest: DIGEST },
          imageManifest: MANIFEST,
          imageManifestMediaType: MEDIA_TYPE
        }
      ],
      failures: []
    })
  }

  test('no tags: no call at all', async () => {
    expect(await tagExistingImage(ecr, repo, DIGEST, [])).toEqual({ added: [], present: [] })
    expect(ecrMock.calls()).toHaveLength(0)
  })

  test('reads the manifest once, then puts it under each tag with its media type and digest', async () => {
    manifestFound()
    ecrMock.on(PutImageCommand).resolves({})
    const result = await tagExistingImage(ecr, { ...repo, registryId: '123456789012' }, DIGEST, [
      'latest',
      'stable'
    ])
    expect(result).toEqual({ added: ['latest', 'stable'], present: [] })
    const get = ecrMock.commandCalls(BatchGetImageCommand)
    expect(get).toHaveLength(1)
    expect(get[0].args[0].input).toMatchObject({
      repositoryName: 'my-app',
      registryId: '123456789012',
      imageIds: [{ imageDigest: DIGEST }]
    })
    // All stored manifest types accepted: ECR returns the manifest as pushed, not converted.
    expect(get[0].args[0].input.acceptedMediaTypes).toEqual(expect.arrayContaining([MEDIA_TYPE]))
    expect(ecrMock.commandCalls(PutImageCommand).map(c => c.args[0].input)).toEqual(
      ['latest', 'stable'].map(imageTag => ({
        repositoryName: 'my-app',
        registryId: '123456789012',
        imageManifest: MANIFEST,
        imageManifestMediaType: MEDIA_TYPE,
        imageDigest: DIGEST,
        imageTag
      }))
    )
  })

  test.each<[string, string[], { added: string[]; present: string[] }]>([
    ['a tag that already names the image is left as it is', ['latest'], { added: [], present: ['latest'] }],
    ['one new, one already there', ['v1', 'latest'], { added: ['v1'], present: ['latest'] }]
  ])('%s', async (_name, tags, expected) => {
    manifestFound()
    ecrMock
      .on(PutImageCommand)
      .resolves({})
      .on(PutImageCommand, { imageTag: 'latest' })
      .rejects(awsError('ImageAlreadyExistsException', 400))
    expect(await tagExistingImage(ecr, repo, DIGEST, tags)).toEqual(expected)
  })

  test('a throttled PutImage the SDK gave up on: one call, an image error, no tag added', async () => {
    manifestFound()
    ecrMock.on(PutImageCommand).rejectsOnce(awsError('ThrottlingException', 400)).resolves({})
    const e = await caught(tagExistingImage(ecr, repo, DIGEST, ['latest']))
    expect(ecrMock.commandCalls(PutImageCommand)).toHaveLength(1)
    expect(e).toMatchObject({ title: 'PutImage failed' })
    expect(e.message).toBe('PutImage (my-app:latest): ThrottlingException: ThrottlingException')
    expect(e.hint).toMatch(/skip-existing: false/)
  })

  test.each<[string, () => void, string, RegExp, RegExp]>([
    [
      'an immutable tag on another image',
      () => {
        manifestFound()
        ecrMock.on(PutImageCommand).rejects(awsError('ImageTagAlreadyExistsException', 400))
      },
      'ECR tag is immutable',
      /my-app:latest: the tag already names another image/,
      /MUTABLE/
    ],
    [
      'PutImage denied',
      () => {
        manifestFound()
        ecrMock.on(PutImageCommand).rejects(awsError('AccessDeniedException', 403))
      },
      'PutImage failed',
      /^PutImage \(my-app:latest\): AccessDeniedException: AccessDeniedException$/,
      /^check permission ecr:PutImage$/
    ],
    [
      'BatchGetImage denied',
      () => {
        ecrMock.on(BatchGetImageCommand).rejects(awsError('AccessDeniedException', 403))
      },
      'BatchGetImage failed',
      /^BatchGetImage \(my-app@sha256:a+\): AccessDeniedException: AccessDeniedException$/,
      /^check permission ecr:BatchGetImage$/
    ],
    [
      'BatchGetImage without the image',
      () => {
        ecrMock.on(BatchGetImageCommand).resolves({
          images: [],
          failures: [{ failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]
        })
      },
      'BatchGetImage failed',
      /no manifest for sha256:a+ \(ImageNotFound: Requested image not found\)/,
      /skip-existing: false/
    ]
  ])('%s: an image error before anything is registered', async (_name, arrange, title, message, hint) => {
    arrange()
    const error = await caught(tagExistingImage(ecr, repo, DIGEST, ['latest']))
    expect(error.title).toBe(title)
    expect(error.message).toMatch(message)
    expect(error.hint).toMatch(hint)
  })
})

/**
 * skip-existing reuse applies the `tags` input: tagExistingImage (BatchGetImage, then PutImage per tag)
 * and resolveImage's reuse path, against a mocked ECR client.
 */
import { beforeEach, describe, expect, jest, test } from '@jest/globals'
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  PutImageCommand
} from '@aws-sdk/client-ecr'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { ECSClient } from '@aws-sdk/client-ecs'
import { mockClient } from 'aws-sdk-client-mock'

const info = jest.fn()
const debug = jest.fn()
const warning = jest.fn()
const setSecret = jest.fn()
jest.unstable_mockModule('@actions/core', () => ({ info, debug, warning, setSecret }))

const { tagExistingImage } = await import('../src/ecr.js')
const { resolveImage } = await import('../src/image.js')
const { defaultTag } = await import('../src/image-ref.js')
const { DeployError } = await import('../src/errors.js')
type ImageDecision = import('../src/plan.js').ImageDecision

const ecrMock = mockClient(ECRClient)
const config = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }
const ecr = new ECRClient(config)
const noSleep = { sleep: async () => {}, random: () => 0.5 }

const DIGEST = `sha256:${'a'.repeat(64)}`
const MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json'
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE, config: {}, layers: [] })
const repo = { name: 'my-app', uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app', registry: 'x' }

function awsError(name: string, status = 400): Error {
  return new ECRServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} message`
  })
}

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

async function caught(p: Promise<unknown>): Promise<InstanceType<typeof DeployError>> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(DeployError)
  return error as InstanceType<typeof DeployError>
}

beforeEach(() => {
  ecrMock.reset()
  jest.clearAllMocks()
})

describe('tagExistingImage', () => {
  test('no tags: no call at all', async () => {
    expect(await tagExistingImage(ecr, repo, DIGEST, [], noSleep)).toEqual({ added: [], present: [] })
    expect(ecrMock.calls()).toHaveLength(0)
  })

  test('reads the manifest once, then puts it under each tag with its media type and digest', async () => {
    manifestFound()
    ecrMock.on(PutImageCommand).resolves({})
    const result = await tagExistingImage(
      ecr,
      { ...repo, registryId: '123456789012' },
      DIGEST,
      ['latest', 'stable'],
      noSleep
    )
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
      .rejects(awsError('ImageAlreadyExistsException'))
    expect(await tagExistingImage(ecr, repo, DIGEST, tags, noSleep)).toEqual(expected)
  })

  test('a throttled PutImage is retried', async () => {
    manifestFound()
    ecrMock.on(PutImageCommand).rejectsOnce(awsError('ThrottlingException')).resolves({})
    expect(await tagExistingImage(ecr, repo, DIGEST, ['latest'], noSleep)).toEqual({
      added: ['latest'],
      present: []
    })
    expect(ecrMock.commandCalls(PutImageCommand)).toHaveLength(2)
  })

  test.each<[string, () => void, string, RegExp, RegExp]>([
    [
      'an immutable tag on another image',
      () => {
        manifestFound()
        ecrMock.on(PutImageCommand).rejects(awsError('ImageTagAlreadyExistsException'))
      },
      'ECR tag is immutable',
      /my-app:latest: the tag already names another image/,
      /MUTABLE/
    ],
    [
      'PutImage denied',
      () => {
        manifestFound()
        ecrMock.on(PutImageCommand).rejects(awsError('AccessDeniedException'))
      },
      'ECR PutImage failed',
      /PutImage my-app:latest: AccessDeniedException message/,
      /ecr:PutImage/
    ],
    [
      'BatchGetImage denied',
      () => {
        ecrMock.on(BatchGetImageCommand).rejects(awsError('AccessDeniedException'))
      },
      'ECR BatchGetImage failed',
      /BatchGetImage my-app@sha256:a+: AccessDeniedException message/,
      /ecr:BatchGetImage/
    ],
    [
      'BatchGetImage without the image',
      () => {
        ecrMock.on(BatchGetImageCommand).resolves({
          images: [],
          failures: [{ failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]
        })
      },
      'ECR BatchGetImage failed',
      /no manifest for sha256:a+ \(ImageNotFound: Requested image not found\)/,
      /skip-existing: false/
    ]
  ])('%s: an image error before anything is registered', async (_name, arrange, title, message, hint) => {
    arrange()
    const error = await caught(tagExistingImage(ecr, repo, DIGEST, ['latest'], noSleep))
    expect(error.title).toBe(title)
    expect(error.message).toMatch(message)
    expect(error.hint).toMatch(hint)
  })
})

describe('resolveImage with skip-existing', () => {
  const sha = 'c'.repeat(40)
  const build = { context: '.', buildArgs: {}, platforms: [], network: 'none' }
  const mainTag = defaultTag(sha, build)
  const decision: ImageDecision = {
    kind: 'build',
    repositoryText: 'my-app',
    repository: { name: 'my-app' },
    createRepository: false,
    reuseExisting: true,
    build,
    paths: { context: '/nowhere' },
    tags: [mainTag, 'latest']
  }
  const clients = { ecr, ecs: new ECSClient(config), logs: new CloudWatchLogsClient(config) }

  test('reuses the image and applies the extra tags with PutImage; no login, no build', async () => {
    ecrMock
      .on(DescribeRepositoriesCommand)
      .resolves({
        repositories: [{ repositoryName: 'my-app', repositoryUri: repo.uri, registryId: '123456789012' }]
      })
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: [mainTag] }] })
      .on(PutImageCommand)
      .resolves({})
    manifestFound()
    const exec = jest.fn(async () => ({ exitCode: 0, stdout: '', stderr: '' }))
    const result = await resolveImage(decision, { clients, exec, sha, workspace: '/nowhere' }, () => {})
    expect(result).toEqual({
      image: `${repo.uri}@${DIGEST}`,
      digest: DIGEST,
      tags: [mainTag, 'latest'],
      source: 'reused'
    })
    expect(ecrMock.commandCalls(PutImageCommand).map(c => c.args[0].input.imageTag)).toEqual(['latest'])
    expect(exec).not.toHaveBeenCalled()
    expect(info).toHaveBeenCalledWith(`Tagged ${repo.uri}@${DIGEST} as latest.`)
  })

  test('no extra tags: no PutImage', async () => {
    ecrMock
      .on(DescribeRepositoriesCommand)
      .resolves({ repositories: [{ repositoryName: 'my-app', repositoryUri: repo.uri }] })
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: [mainTag] }] })
    const exec = jest.fn(async () => ({ exitCode: 0, stdout: '', stderr: '' }))
    const result = await resolveImage(
      { ...decision, tags: [mainTag] },
      { clients, exec, sha, workspace: '/nowhere' },
      () => {}
    )
    expect(result?.tags).toEqual([mainTag])
    expect(ecrMock.commandCalls(BatchGetImageCommand)).toHaveLength(0)
    expect(ecrMock.commandCalls(PutImageCommand)).toHaveLength(0)
  })
})

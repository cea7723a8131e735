/**
 * The image phase (src/image.ts) on each ImageDecision: keep, given (pinned when ECR knows the tag),
 * reused (skip-existing, with the `tags` input applied by PutImage) and built (token, docker login, build,
 * push), against a mocked ECR client and a fake docker. Moved from build.test.ts and grown.
 */
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  ECRServiceException,
  GetAuthorizationTokenCommand,
  PutImageCommand
} from '@aws-sdk/client-ecr'
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { ECSClient } from '@aws-sdk/client-ecs'
import { mockClient } from 'aws-sdk-client-mock'
import type { Exec, ExecOptions } from '../src/exec.js'

const info = jest.fn()
const debug = jest.fn()
const warning = jest.fn()
const setSecret = jest.fn()
const saved: Record<string, string> = {}
const saveState = jest.fn((k: string, v: string) => {
  saved[k] = v
})
jest.unstable_mockModule('@actions/core', () => ({ info, debug, warning, setSecret, saveState }))

const { commitSha, imageLine, resolveImage } = await import('../src/image.js')
const { defaultTag, parseImageReference, parseRepositoryInput } = await import('../src/image-ref.js')
const { DeployError } = await import('../src/errors.js')
type ImageDecision = import('../src/plan.js').ImageDecision

const ecrMock = mockClient(ECRClient)
const config = { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }
const ecr = new ECRClient(config)
const clients = {
  ecr,
  ecs: new ECSClient(config),
  logs: new CloudWatchLogsClient(config),
  cloudwatch: new CloudWatchClient(config),
  scaling: new ApplicationAutoScalingClient(config)
}

const DIGEST = `sha256:${'a'.repeat(64)}`
const MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json'
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE, config: {}, layers: [] })
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
const repo = { name: 'my-app', uri: `${REGISTRY}/my-app`, registry: 'x' }

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

interface Call {
  command: string
  args: string[]
  options?: ExecOptions
}

/** A fake docker with buildx: login succeeds, `buildx build` writes the metadata file with DIGEST. */
function fakeDocker(calls: Call[], answers: { login?: number } = {}): Exec {
  return async (command, args, options) => {
    calls.push({ command, args, options })
    if (args[0] === 'login') return { exitCode: answers.login ?? 0, stdout: '', stderr: 'denied' }
    if (args[0] === 'buildx' && args[1] === 'build') {
      const file = args[args.indexOf('--metadata-file') + 1]
      fs.writeFileSync(file, JSON.stringify({ 'containerimage.digest': DIGEST }))
    }
    return { exitCode: 0, stdout: '', stderr: '' }
  }
}

let temp: string
const savedEnv = { ...process.env }
beforeEach(() => {
  ecrMock.reset()
  jest.clearAllMocks()
  for (const key of Object.keys(saved)) delete saved[key]
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'image-test-'))
  // The Docker config the login writes lives here, and no user config leaks in.
  process.env.RUNNER_TEMP = temp
  process.env.DOCKER_CONFIG = path.join(temp, 'user-docker')
})
afterEach(() => {
  process.env = { ...savedEnv }
  fs.rmSync(temp, { recursive: true, force: true })
})

describe('resolveImage: keep and given', () => {
  const deps = (exec: Exec) => ({ clients, exec, sha: '', workspace: '/nowhere' })
  const given = (image: string): ImageDecision => ({ kind: 'given', image, ref: parseImageReference(image) })

  test('keep: nothing to do, no call, no docker', async () => {
    const exec = jest.fn(fakeDocker([]))
    await expect(resolveImage({ kind: 'keep' }, deps(exec), () => {})).resolves.toBeUndefined()
    expect(ecrMock.calls()).toHaveLength(0)
    expect(exec).not.toHaveBeenCalled()
  })

  test.each<[string, string, object]>([
    [
      'by digest: as given, no call',
      `${REGISTRY}/web@${DIGEST}`,
      { image: `${REGISTRY}/web@${DIGEST}`, digest: DIGEST, tags: [], source: 'given' }
    ],
    [
      'by tag and digest: the digest wins, no call',
      `${REGISTRY}/web:v1@${DIGEST}`,
      { image: `${REGISTRY}/web:v1@${DIGEST}`, digest: DIGEST, tags: ['v1'], source: 'given' }
    ],
    [
      'by tag outside ECR: deployed by tag, with a warning',
      'nginx:1.27',
      { image: 'nginx:1.27', tags: ['1.27'], source: 'given' }
    ]
  ])('%s', async (_name, image, expected) => {
    const result = await resolveImage(given(image), deps(fakeDocker([])), () => {})
    expect(result).toEqual(expected)
    expect(ecrMock.calls()).toHaveLength(0)
  })

  test('by tag outside ECR: the warning says the task definition is not pinned', async () => {
    await resolveImage(given('nginx:1.27'), deps(fakeDocker([])), () => {})
    expect(warning).toHaveBeenCalledWith(expect.stringContaining('"nginx:1.27" by tag'), {
      title: 'Image not pinned'
    })
  })

  test('by tag in ECR: pinned by the digest DescribeImages names', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: ['v1'] }] })
    const result = await resolveImage(given(`${REGISTRY}/web:v1`), deps(fakeDocker([])), () => {})
    expect(result).toEqual({
      image: `${REGISTRY}/web@${DIGEST}`,
      digest: DIGEST,
      tags: ['v1'],
      source: 'given'
    })
    expect(ecrMock.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      repositoryName: 'web',
      imageIds: [{ imageTag: 'v1' }]
    })
    expect(warning).not.toHaveBeenCalled()
  })

  test('by tag in ECR, but not there: Image not found', async () => {
    ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [] })
    const e = await caught(resolveImage(given(`${REGISTRY}/web:v9`), deps(fakeDocker([])), () => {}))
    expect(e).toMatchObject({
      title: 'Image not found',
      hint: 'push it first, or use repository to build it here'
    })
    expect(e.message).toBe(`Image "${REGISTRY}/web:v9" is not in ECR (input "image").`)
  })
})

describe('resolveImage: build', () => {
  const sha = 'c'.repeat(40)
  const build = { context: '.', buildArgs: {}, platforms: [], network: 'none' }
  const mainTag = defaultTag(sha, build)
  const decision: ImageDecision = {
    kind: 'build',
    repositoryText: 'my-app',
    repository: parseRepositoryInput('my-app'),
    createRepository: false,
    reuseExisting: true,
    build,
    paths: { context: '/work/app' },
    tags: [mainTag, 'latest']
  }
  const token = Buffer.from('AWS:build-password').toString('base64')

  function ecrAnswers(): void {
    ecrMock
      .on(DescribeRepositoriesCommand)
      .resolves({
        repositories: [{ repositoryName: 'my-app', repositoryUri: repo.uri, registryId: '123456789012' }]
      })
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [] })
      .on(GetAuthorizationTokenCommand)
      .resolves({ authorizationData: [{ authorizationToken: token, proxyEndpoint: `https://${REGISTRY}` }] })
  }

  test("not in ECR yet: token for the repository's registry, docker login, buildx build --push, pinned", async () => {
    ecrAnswers()
    const calls: Call[] = []
    const result = await resolveImage(
      decision,
      { clients, exec: fakeDocker(calls), sha, workspace: '/nowhere' },
      () => {}
    )
    expect(result).toEqual({
      image: `${repo.uri}@${DIGEST}`,
      digest: DIGEST,
      tags: [mainTag, 'latest'],
      source: 'built',
      builder: 'buildx'
    })
    // One direction: the repository, "already pushed?", the token; then docker.
    expect(ecrMock.calls().map(c => c.args[0].constructor.name)).toEqual([
      'DescribeRepositoriesCommand',
      'DescribeImagesCommand',
      'GetAuthorizationTokenCommand'
    ])
    expect(ecrMock.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input).toEqual({
      registryIds: ['123456789012']
    })
    expect(calls.map(c => c.args.slice(0, 2).join(' '))).toEqual([
      'login --username',
      'buildx version',
      'buildx build'
    ])
    expect(calls[0].options?.input).toBe('build-password')
    expect(calls[0].args).not.toContain('build-password')
    const buildArgs = calls[2].args
    expect(buildArgs).toEqual(
      expect.arrayContaining(['-t', `${repo.uri}:${mainTag}`, '-t', `${repo.uri}:latest`])
    )
    expect(buildArgs).toContain(`org.opencontainers.image.revision=${sha}`)
    expect(buildArgs.at(-1)).toBe('/work/app')
    expect(saved.dockerConfig).toBe(calls[0].options?.env?.DOCKER_CONFIG)
    expect(saved.registry).toBe(REGISTRY)
  })

  test('reuseExisting off: no DescribeImages, straight to the build', async () => {
    ecrAnswers()
    const calls: Call[] = []
    const result = await resolveImage(
      { ...decision, reuseExisting: false },
      { clients, exec: fakeDocker(calls), sha, workspace: '/nowhere' },
      () => {}
    )
    expect(result?.source).toBe('built')
    expect(ecrMock.commandCalls(DescribeImagesCommand)).toHaveLength(0)
  })

  test('the token refused: an AWS error, no docker command, no Docker config left to clean', async () => {
    ecrAnswers()
    ecrMock.on(GetAuthorizationTokenCommand).rejects(awsError('AccessDeniedException', 403))
    const calls: Call[] = []
    const e = await caught(
      resolveImage(decision, { clients, exec: fakeDocker(calls), sha, workspace: '/nowhere' }, () => {})
    )
    expect(e).toMatchObject({
      title: 'GetAuthorizationToken failed',
      hint: 'check permission ecr:GetAuthorizationToken'
    })
    expect(calls).toHaveLength(0)
    expect(saved.dockerConfig).toBeUndefined()
  })

  test('docker login fails: the build never starts; the config is saved for the post step', async () => {
    ecrAnswers()
    const calls: Call[] = []
    const e = await caught(
      resolveImage(
        decision,
        { clients, exec: fakeDocker(calls, { login: 1 }), sha, workspace: '/nowhere' },
        () => {}
      )
    )
    expect(e.title).toBe('docker login failed')
    expect(calls.map(c => c.args[0])).toEqual(['login'])
    expect(saved.dockerConfig).toMatch(/ecs-deploy-docker-/)
  })
})

describe('commitSha', () => {
  const SHA = 'e'.repeat(40)
  test.each<[string, string | undefined, { exitCode: number; stdout: string }, string | RegExp]>([
    ['GITHUB_SHA wins; git is not asked', SHA, { exitCode: 1, stdout: '' }, SHA],
    ['no GITHUB_SHA: git rev-parse HEAD', undefined, { exitCode: 0, stdout: `${SHA}\n` }, SHA],
    ['git fails: No commit', undefined, { exitCode: 128, stdout: '' }, /No commit/],
    ['git prints something else: No commit', undefined, { exitCode: 0, stdout: 'HEAD\n' }, /No commit/]
  ])('%s', async (_name, env, git, expected) => {
    if (env === undefined) delete process.env.GITHUB_SHA
    else process.env.GITHUB_SHA = env
    const calls: Call[] = []
    const exec: Exec = async (command, args, options) => {
      calls.push({ command, args, options })
      return { ...git, stderr: '' }
    }
    const result = commitSha(exec, '/work/app')
    if (typeof expected === 'string') await expect(result).resolves.toBe(expected)
    else await expect(result).rejects.toMatchObject({ title: expect.stringMatching(expected) })
    expect(calls.map(c => [c.command, ...c.args, c.options?.cwd])).toEqual(
      env === undefined ? [['git', 'rev-parse', 'HEAD', '/work/app']] : []
    )
  })
})

describe('resolveImage with skip-existing', () => {
  const sha = 'c'.repeat(40)
  const build = { context: '.', buildArgs: {}, platforms: [], network: 'none' }
  const mainTag = defaultTag(sha, build)
  const decision: ImageDecision = {
    kind: 'build',
    repositoryText: 'my-app',
    repository: parseRepositoryInput('my-app'),
    createRepository: false,
    reuseExisting: true,
    build,
    paths: { context: '/nowhere' },
    tags: [mainTag, 'latest']
  }

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

describe('imageLine: the image phase in one line', () => {
  const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:${'a'.repeat(64)}`
  test.each<[string, Parameters<typeof imageLine>[0], string]>([
    [
      'built with buildx, cache use known',
      { image, tags: [], source: 'built', builder: 'buildx', cache: { steps: 5, cached: 3 } },
      `Image: ${image} (built with buildx, 3 of 5 steps cached)`
    ],
    [
      'built with the classic builder',
      { image, tags: [], source: 'built', builder: 'classic' },
      `Image: ${image} (built with the classic builder)`
    ],
    [
      'reused',
      { image, tags: [], source: 'reused' },
      `Image: ${image} (reused: already in ECR for this commit and these build inputs)`
    ],
    ['given', { image, tags: [], source: 'given' }, `Image: ${image} (given (input "image"))`]
  ])('%s', (_name, result, line) => {
    expect(imageLine(result)).toBe(line)
  })
})

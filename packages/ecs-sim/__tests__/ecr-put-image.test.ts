/**
 * PutImage against the real registry: images built FROM scratch with busybox and pushed with docker, then
 * tagged through the simulator's ECR, and read back from the registry's own HTTP API v2.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  PutImageCommand,
  type PutImageCommandInput
} from '@aws-sdk/client-ecr'
import { RunningSim, startSim } from '../testing.js'
import { clients } from './helpers.js'
import { buildImage, REGISTRY } from './images.js'

const suffix = randomBytes(3).toString('hex')
const MUTABLE = `sim-put-${suffix}`
const IMMUTABLE = `sim-put-immutable-${suffix}`
let sim: RunningSim
let c: ReturnType<typeof clients>

interface Pushed {
  digest: string
  manifest: string
  mediaType: string
}
const pushed: Record<string, Pushed> = {}

/** What the registry itself says a tag points at (HEAD, so nothing is converted). */
async function registryDigest(repo: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${REGISTRY}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Accept: [
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.docker.distribution.manifest.list.v2+json'
      ].join(', ')
    }
  })
  return res.ok ? res.headers.get('docker-content-digest') : null
}

async function manifestOf(repo: string, tag: string): Promise<Pushed> {
  const out = await c.ecr.send(
    new BatchGetImageCommand({ repositoryName: repo, imageIds: [{ imageTag: tag }] })
  )
  const image = out.images?.[0]
  if (!image?.imageManifest || !image.imageManifestMediaType || !image.imageId?.imageDigest)
    throw new Error(`no manifest for ${repo}:${tag}`)
  return {
    digest: image.imageId.imageDigest,
    manifest: image.imageManifest,
    mediaType: image.imageManifestMediaType
  }
}

async function errorName(input: PutImageCommandInput): Promise<string> {
  const result = await c.ecr.send(new PutImageCommand(input)).then(
    () => 'no error',
    (e: Error) => e.name
  )
  return result
}

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.1 })
  c = clients(sim.url)
  await c.ecr.send(new CreateRepositoryCommand({ repositoryName: MUTABLE }))
  await c.ecr.send(
    new CreateRepositoryCommand({ repositoryName: IMMUTABLE, imageTagMutability: 'IMMUTABLE' })
  )
  for (const repo of [MUTABLE, IMMUTABLE]) {
    buildImage(repo, 'v1', 'echo v1')
    buildImage(repo, 'v2', 'echo v2')
  }
  pushed.v1 = await manifestOf(MUTABLE, 'v1')
  pushed.v2 = await manifestOf(MUTABLE, 'v2')
  pushed.immutableV1 = await manifestOf(IMMUTABLE, 'v1')
  pushed.immutableV2 = await manifestOf(IMMUTABLE, 'v2')
}, 120000)

afterAll(async () => {
  await sim?.stop()
})

describe('PutImage', () => {
  it('puts the manifest under a new tag in the registry, and ECR then lists the tag', async () => {
    expect(await registryDigest(MUTABLE, 'latest')).toBeNull()
    const out = await c.ecr.send(
      new PutImageCommand({
        repositoryName: MUTABLE,
        imageManifest: pushed.v1.manifest,
        imageManifestMediaType: pushed.v1.mediaType,
        imageDigest: pushed.v1.digest,
        imageTag: 'latest'
      })
    )
    expect(out.image).toMatchObject({
      repositoryName: MUTABLE,
      imageId: { imageDigest: pushed.v1.digest, imageTag: 'latest' },
      imageManifestMediaType: pushed.v1.mediaType
    })
    expect(await registryDigest(MUTABLE, 'latest')).toBe(pushed.v1.digest)
    const described = await c.ecr.send(
      new DescribeImagesCommand({ repositoryName: MUTABLE, imageIds: [{ imageDigest: pushed.v1.digest }] })
    )
    expect(described.imageDetails?.[0].imageTags).toEqual(['latest', 'v1'])
  })

  it('the same manifest under the same tag again: ImageAlreadyExistsException, nothing changes', async () => {
    expect(
      await errorName({ repositoryName: MUTABLE, imageManifest: pushed.v1.manifest, imageTag: 'latest' })
    ).toBe('ImageAlreadyExistsException')
    expect(await registryDigest(MUTABLE, 'latest')).toBe(pushed.v1.digest)
  })

  it('a tag that names another image is moved in a MUTABLE repository', async () => {
    await c.ecr.send(
      new PutImageCommand({ repositoryName: MUTABLE, imageManifest: pushed.v2.manifest, imageTag: 'latest' })
    )
    expect(await registryDigest(MUTABLE, 'latest')).toBe(pushed.v2.digest)
    expect(await registryDigest(MUTABLE, 'v1')).toBe(pushed.v1.digest)
  })

  it('in an IMMUTABLE repository: a new tag works, moving one is ImageTagAlreadyExistsException', async () => {
    await c.ecr.send(
      new PutImageCommand({
        repositoryName: IMMUTABLE,
        imageManifest: pushed.immutableV1.manifest,
        imageTag: 'release'
      })
    )
    expect(await registryDigest(IMMUTABLE, 'release')).toBe(pushed.immutableV1.digest)
    expect(
      await errorName({
        repositoryName: IMMUTABLE,
        imageManifest: pushed.immutableV2.manifest,
        imageTag: 'release'
      })
    ).toBe('ImageTagAlreadyExistsException')
    expect(await registryDigest(IMMUTABLE, 'release')).toBe(pushed.immutableV1.digest)
    // The same image under the same tag is "already exists", immutable or not.
    expect(
      await errorName({
        repositoryName: IMMUTABLE,
        imageManifest: pushed.immutableV1.manifest,
        imageTag: 'release'
      })
    ).toBe('ImageAlreadyExistsException')
  })

  it.each<[string, string, () => PutImageCommandInput]>([
    [
      'no tag, and the manifest is there already',
      'ImageAlreadyExistsException',
      () => ({ repositoryName: MUTABLE, imageManifest: pushed.v1.manifest })
    ],
    [
      'an imageDigest that is not the manifest’s',
      'ImageDigestDoesNotMatchException',
      () => ({
        repositoryName: MUTABLE,
        imageManifest: pushed.v1.manifest,
        imageDigest: pushed.v2.digest,
        imageTag: 'wrong-digest'
      })
    ],
    [
      'a layer the registry does not have',
      'LayersNotFoundException',
      () => {
        const m = JSON.parse(pushed.v1.manifest) as { layers: { digest: string }[] }
        m.layers[0].digest = `sha256:${'1'.repeat(64)}`
        return { repositoryName: MUTABLE, imageManifest: JSON.stringify(m), imageTag: 'no-layer' }
      }
    ],
    [
      'a manifest that is not JSON',
      'InvalidParameterException',
      () => ({ repositoryName: MUTABLE, imageManifest: '{not json', imageTag: 'bad' })
    ],
    [
      'a media type other than the manifest’s',
      'InvalidParameterException',
      () => ({
        repositoryName: MUTABLE,
        imageManifest: pushed.v1.manifest,
        imageManifestMediaType: 'application/vnd.oci.image.index.v1+json',
        imageTag: 'other-type'
      })
    ],
    [
      'a repository that does not exist',
      'RepositoryNotFoundException',
      () => ({
        repositoryName: `sim-put-missing-${suffix}`,
        imageManifest: pushed.v1.manifest,
        imageTag: 'x'
      })
    ]
  ])('%s: %s', async (_name, expected, input) => {
    const request = input()
    expect(await errorName(request)).toBe(expected)
    if (request.imageTag && request.repositoryName === MUTABLE)
      expect(await registryDigest(MUTABLE, request.imageTag)).toBeNull()
  })
})

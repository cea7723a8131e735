/** ECR's image reads, answered from the registry: DescribeImages, ListImages, BatchGetImage. */
import { ACCOUNT_ID, AwsError, Json, clean, epoch, list, obj, strList } from '../util.js'
import { MANIFEST_TYPES, type Manifest, type Registry, type Tagged } from './registry.js'
import type { Repository } from './types.js'

async function resolve(
  reg: Registry,
  name: string,
  id: Json,
  all: Tagged,
  accept?: string[]
): Promise<{ m: Manifest; tags: string[]; failure?: string } | undefined> {
  const tag = typeof id.imageTag === 'string' ? id.imageTag : undefined
  const digest = typeof id.imageDigest === 'string' ? id.imageDigest : undefined
  if (!tag && !digest)
    throw new AwsError('InvalidParameterException', 'imageId requires an imageTag or an imageDigest.')
  const m = await reg.manifest(name, digest ?? (tag as string), accept)
  if (!m) return undefined
  if (tag && digest && !all.get(digest)?.tags.includes(tag))
    return { m, tags: [], failure: 'ImageTagDoesNotMatchDigest' }
  return { m, tags: all.get(m.digest)?.tags ?? (tag ? [tag] : []) }
}

export async function describeImages(reg: Registry, r: Repository, input: Json): Promise<Json> {
  const all = await reg.tagged(r.name)
  const ids = list(input, 'imageIds')
  const found: { m: Manifest; tags: string[] }[] = []
  if (ids) {
    for (const id of ids) {
      const hit = await resolve(reg, r.name, id, all)
      if (!hit || hit.failure) throw imageNotFound(r.name, id)
      if (!found.some(f => f.m.digest === hit.m.digest)) found.push(hit)
    }
  } else {
    const tagStatus = (obj(input, 'filter')?.tagStatus as string | undefined) ?? 'ANY'
    if (tagStatus !== 'UNTAGGED') found.push(...all.values())
  }
  const imageDetails: Json[] = []
  for (const { m, tags } of found) {
    const info = await reg.imageInfo(r.name, m)
    imageDetails.push(
      clean({
        registryId: ACCOUNT_ID,
        repositoryName: r.name,
        imageDigest: m.digest,
        imageTags: tags.length > 0 ? [...tags].sort() : undefined,
        imageSizeInBytes: info.size,
        imagePushedAt: epoch(info.pushedAt ?? Date.now()),
        imageManifestMediaType: m.mediaType,
        artifactMediaType: info.configMediaType
      })
    )
  }
  return { imageDetails }
}

export async function listImages(reg: Registry, r: Repository): Promise<Json> {
  const imageIds: Json[] = []
  for (const { m, tags } of (await reg.tagged(r.name)).values())
    for (const t of tags) imageIds.push({ imageDigest: m.digest, imageTag: t })
  return { imageIds }
}

export async function batchGetImage(reg: Registry, r: Repository, input: Json): Promise<Json> {
  const ids = list(input, 'imageIds')
  if (!ids || ids.length === 0) throw new AwsError('InvalidParameterException', 'imageIds must not be empty.')
  const accept = strList(input, 'acceptedMediaTypes') ?? MANIFEST_TYPES
  const all = await reg.tagged(r.name)
  const images: Json[] = []
  const failures: Json[] = []
  for (const id of ids) {
    const hit = await resolve(reg, r.name, id, all, accept)
    if (!hit || hit.failure) {
      failures.push({
        imageId: clean({ imageDigest: id.imageDigest, imageTag: id.imageTag }),
        failureCode: hit?.failure ?? 'ImageNotFound',
        failureReason: hit?.failure
          ? 'Invalid request parameters: image tag digest mismatch'
          : 'Requested image not found'
      })
      continue
    }
    images.push({
      registryId: ACCOUNT_ID,
      repositoryName: r.name,
      imageId: clean({
        imageDigest: hit.m.digest,
        imageTag: typeof id.imageTag === 'string' ? id.imageTag : undefined
      }),
      imageManifest: hit.m.body,
      imageManifestMediaType: hit.m.mediaType
    })
  }
  return { images, failures }
}

function imageNotFound(repo: string, id: Json): AwsError {
  const digest = typeof id.imageDigest === 'string' ? id.imageDigest : 'null'
  const tag = typeof id.imageTag === 'string' ? id.imageTag : 'null'
  return new AwsError(
    'ImageNotFoundException',
    `The image with imageId {imageDigest:'${digest}', imageTag:'${tag}'} does not exist within the repository with name '${repo}' in the registry with id '${ACCOUNT_ID}'`
  )
}

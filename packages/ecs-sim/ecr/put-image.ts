import { createHash } from 'node:crypto'
import { ACCOUNT_ID, AwsError, Json, clean, str } from '../util.js'
import { MANIFEST_TYPES, type Registry } from './registry.js'
import type { Repository } from './types.js'

/**
 * PutImage: the manifest goes to the registry (HTTP API v2, PUT /v2/<name>/manifests/<tag|digest>), as
 * ECR's proxy does at the end of a push. ECR's rules: the same manifest under the same tag (or, without
 * a tag, a manifest already there) is ImageAlreadyExistsException; a tag that names another image is
 * moved, unless the repository's tags are IMMUTABLE (ImageTagAlreadyExistsException); an imageDigest
 * that is not the manifest's is ImageDigestDoesNotMatchException; missing layers, LayersNotFoundException.
 */
export async function putImage(reg: Registry, r: Repository, input: Json): Promise<Json> {
  const body = str(input, 'imageManifest')
  if (!body)
    throw new AwsError(
      'InvalidParameterException',
      "Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Member must have length greater than or equal to 1'"
    )
  let parsed: { mediaType?: unknown; schemaVersion?: unknown }
  try {
    parsed = JSON.parse(body) as typeof parsed
  } catch {
    throw new AwsError(
      'InvalidParameterException',
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'"
    )
  }
  const declared = str(input, 'imageManifestMediaType')
  const inManifest = typeof parsed.mediaType === 'string' ? parsed.mediaType : undefined
  const mediaType = declared ?? inManifest
  if (!mediaType)
    throw new AwsError(
      'InvalidParameterException',
      "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'the manifest has no mediaType: give imageManifestMediaType'"
    )
  if (declared && inManifest && declared !== inManifest)
    throw new AwsError(
      'InvalidParameterException',
      `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'imageManifestMediaType ${declared} does not match the manifest's mediaType ${inManifest}'`
    )
  if (!MANIFEST_TYPES.includes(mediaType))
    throw new AwsError(
      'InvalidParameterException',
      `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'unsupported media type ${mediaType}'`
    )
  const digest = `sha256:${createHash('sha256').update(body, 'utf8').digest('hex')}`
  const given = str(input, 'imageDigest')
  if (given && given !== digest)
    throw new AwsError(
      'ImageDigestDoesNotMatchException',
      `Manifest digest '${given}' does not match the digest calculated for the image manifest '${digest}'`
    )
  const tag = str(input, 'imageTag')
  if (tag !== undefined && (tag.length < 1 || tag.length > 300))
    throw new AwsError(
      'InvalidParameterException',
      "Invalid parameter at 'imageTag' failed to satisfy constraint: 'Member must have length between 1 and 300'"
    )
  const current = await reg.manifest(r.name, tag ?? digest)
  if (current && current.digest === digest)
    throw new AwsError(
      'ImageAlreadyExistsException',
      `Image with digest '${digest}' ${tag ? `and tag '${tag}' ` : ''}already exists in the repository with name '${r.name}' in registry with id '${ACCOUNT_ID}'`
    )
  if (tag && current && r.imageTagMutability === 'IMMUTABLE')
    throw new AwsError(
      'ImageTagAlreadyExistsException',
      `The image tag '${tag}' already exists in the '${r.name}' repository and cannot be overwritten because the repository is immutable.`
    )
  const res = await reg.request(`${r.name}/manifests/${tag ?? digest}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType },
    body
  })
  if (!res.ok) {
    const text = await res.text()
    const codes = ((): string[] => {
      try {
        return ((JSON.parse(text) as { errors?: { code?: string }[] }).errors ?? []).map(e => e.code ?? '')
      } catch {
        return []
      }
    })()
    if (codes.includes('MANIFEST_BLOB_UNKNOWN') || codes.includes('BLOB_UNKNOWN'))
      throw new AwsError(
        'LayersNotFoundException',
        `Layers referenced by the manifest of '${r.name}' are not in the repository (registry: ${text.trim()})`
      )
    if (res.status >= 500)
      throw new AwsError('ServerException', `registry answered ${res.status} to PutImage ${r.name}`, 500)
    throw new AwsError(
      'InvalidParameterException',
      `The registry refused the manifest for ${r.name}:${tag ?? digest} (${res.status}: ${text.trim()})`
    )
  }
  const stored = res.headers.get('docker-content-digest')
  if (stored && stored !== digest)
    throw new AwsError('ServerException', `registry stored ${stored}, expected ${digest}`, 500)
  return {
    image: {
      registryId: ACCOUNT_ID,
      repositoryName: r.name,
      imageId: clean({ imageDigest: digest, imageTag: tag }),
      imageManifest: body,
      imageManifestMediaType: mediaType
    }
  }
}

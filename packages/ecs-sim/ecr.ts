import { createHash, randomBytes } from 'node:crypto'
import { ACCOUNT_ID, AwsError, Json, clean, epoch, list, obj, str, strList } from './util.js'
import type { SimContext } from './context.js'

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json'
]

const REPO_RE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/

interface Manifest {
  digest: string
  mediaType: string
  body: string
}

interface ImageInfo {
  size: number
  pushedAt?: number
  configMediaType?: string
}

interface Repository {
  name: string
  createdAt: number
  tags: { key: string; value: string }[]
  imageTagMutability: string
  imageScanningConfiguration: Json
  encryptionConfiguration: Json
}

export interface EcrCall {
  ctx: SimContext
  region: string
  input: Json
}

/** ECR in front of the local registry: repositories here, images read from the registry's HTTP API v2. */
export class Ecr {
  private readonly repos = new Map<string, Repository>()
  private readonly info = new Map<string, ImageInfo>()
  private readonly registry: string

  constructor(registry: string) {
    this.registry = registry
  }

  reset(): void {
    this.repos.clear()
  }

  private async registryFetch(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`http://${this.registry}/v2/${path}`, {
        ...init,
        signal: AbortSignal.timeout(10000)
      })
    } catch (err) {
      throw new AwsError(
        'ServerException',
        `The local registry ${this.registry} is unreachable: ${(err as Error).message}`,
        500
      )
    }
  }

  private async catalog(): Promise<string[]> {
    const names: string[] = []
    let path: string | undefined = '_catalog?n=100'
    while (path) {
      const res: Response = await this.registryFetch(path)
      if (!res.ok) break
      names.push(...(((await res.json()) as { repositories?: string[] | null }).repositories ?? []))
      // Pagination: `Link: </v2/_catalog?last=x&n=100>; rel="next"`.
      const next = /<\/v2\/([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')
      path = next ? next[1] : undefined
    }
    return names
  }

  /** Created here, or already in the registry (pushed before the simulator started). */
  private async repo(name: string): Promise<Repository | undefined> {
    const known = this.repos.get(name)
    if (known) return known
    if (!(await this.catalog()).includes(name)) return undefined
    return this.adopt(name)
  }

  private adopt(name: string): Repository {
    const r: Repository = {
      name,
      createdAt: Date.now(),
      tags: [],
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' }
    }
    this.repos.set(name, r)
    return r
  }

  private async requireRepo(input: Json): Promise<Repository> {
    const name = str(input, 'repositoryName')
    if (!name) throw new AwsError('InvalidParameterException', 'repositoryName must not be empty.')
    const r = await this.repo(name)
    if (!r) throw notFoundRepo(name)
    return r
  }

  private renderRepo(region: string, r: Repository): Json {
    return {
      repositoryArn: `arn:aws:ecr:${region}:${ACCOUNT_ID}:repository/${r.name}`,
      registryId: ACCOUNT_ID,
      repositoryName: r.name,
      repositoryUri: `${this.registry}/${r.name}`,
      createdAt: epoch(r.createdAt),
      imageTagMutability: r.imageTagMutability,
      imageScanningConfiguration: r.imageScanningConfiguration,
      encryptionConfiguration: r.encryptionConfiguration
    }
  }

  private async tags(name: string): Promise<string[]> {
    const res = await this.registryFetch(`${name}/tags/list`)
    if (!res.ok) return []
    return ((await res.json()) as { tags?: string[] | null }).tags ?? []
  }

  private async manifest(name: string, ref: string, accept = MANIFEST_TYPES): Promise<Manifest | undefined> {
    const res = await this.registryFetch(`${name}/manifests/${ref}`, {
      headers: { Accept: accept.join(', ') }
    })
    if (res.status === 404) return undefined
    if (!res.ok)
      throw new AwsError('ServerException', `registry answered ${res.status} for ${name}:${ref}`, 500)
    const body = await res.text()
    const digest = res.headers.get('docker-content-digest') ?? ''
    const mediaType =
      (res.headers.get('content-type') ?? '').split(';')[0] || (JSON.parse(body).mediaType as string)
    return { digest, mediaType, body }
  }

  private async imageInfo(name: string, m: Manifest): Promise<ImageInfo> {
    const key = `${name}@${m.digest}`
    const cached = this.info.get(key)
    if (cached) return cached
    const parsed = JSON.parse(m.body) as {
      config?: { digest: string; size: number; mediaType?: string }
      layers?: { size: number }[]
      manifests?: { size: number }[]
    }
    let info: ImageInfo
    if (parsed.config) {
      const size = parsed.config.size + (parsed.layers ?? []).reduce((n, l) => n + l.size, 0)
      let pushedAt: number | undefined
      const cfg = await this.registryFetch(`${name}/blobs/${parsed.config.digest}`)
      if (cfg.ok) {
        const created = ((await cfg.json()) as { created?: string }).created
        pushedAt = created ? Date.parse(created) : undefined
      }
      info = { size, pushedAt, configMediaType: parsed.config.mediaType }
    } else {
      info = { size: (parsed.manifests ?? []).reduce((n, x) => n + x.size, 0) }
    }
    this.info.set(key, info)
    return info
  }

  /** Every tagged image of a repository: digest → its manifest and tags. */
  private async tagged(name: string): Promise<Map<string, { m: Manifest; tags: string[] }>> {
    const out = new Map<string, { m: Manifest; tags: string[] }>()
    for (const tag of await this.tags(name)) {
      const m = await this.manifest(name, tag)
      if (!m) continue
      const entry = out.get(m.digest)
      if (entry) entry.tags.push(tag)
      else out.set(m.digest, { m, tags: [tag] })
    }
    return out
  }

  async createRepository({ region, input }: EcrCall): Promise<Json> {
    const name = str(input, 'repositoryName')
    if (!name || !REPO_RE.test(name) || name.length > 256)
      throw new AwsError(
        'InvalidParameterException',
        `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '${REPO_RE.source}''`
      )
    if (this.repos.has(name))
      throw new AwsError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${name}' already exists in the registry with id '${ACCOUNT_ID}'`
      )
    const r = this.adopt(name)
    r.tags = ((list(input, 'tags') ?? []) as { Key?: string; Value?: string }[]).map(t => ({
      key: String(t.Key ?? ''),
      value: String(t.Value ?? '')
    }))
    r.imageTagMutability = str(input, 'imageTagMutability') ?? 'MUTABLE'
    r.imageScanningConfiguration = obj(input, 'imageScanningConfiguration') ?? { scanOnPush: false }
    r.encryptionConfiguration = obj(input, 'encryptionConfiguration') ?? { encryptionType: 'AES256' }
    return { repository: this.renderRepo(region, r) }
  }

  async describeRepositories({ region, input }: EcrCall): Promise<Json> {
    const names = strList(input, 'repositoryNames')
    if (names) {
      const out: Json[] = []
      for (const n of names) {
        const r = await this.repo(n)
        if (!r) throw notFoundRepo(n)
        out.push(this.renderRepo(region, r))
      }
      return { repositories: out }
    }
    for (const n of await this.catalog()) if (!this.repos.has(n)) this.adopt(n)
    return { repositories: [...this.repos.values()].map(r => this.renderRepo(region, r)) }
  }

  async deleteRepository({ region, input }: EcrCall): Promise<Json> {
    const r = await this.requireRepo(input)
    this.repos.delete(r.name)
    return { repository: this.renderRepo(region, r) }
  }

  getAuthorizationToken(): Json {
    const password = randomBytes(24).toString('base64url')
    return {
      authorizationData: [
        {
          authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
          expiresAt: epoch(Date.now() + 12 * 3600 * 1000),
          proxyEndpoint: `http://${this.registry}`
        }
      ]
    }
  }

  private async resolve(
    name: string,
    id: Json,
    all: Map<string, { m: Manifest; tags: string[] }>,
    accept?: string[]
  ): Promise<{ m: Manifest; tags: string[]; failure?: string } | undefined> {
    const tag = typeof id.imageTag === 'string' ? id.imageTag : undefined
    const digest = typeof id.imageDigest === 'string' ? id.imageDigest : undefined
    if (!tag && !digest)
      throw new AwsError('InvalidParameterException', 'imageId requires an imageTag or an imageDigest.')
    const m = await this.manifest(name, digest ?? (tag as string), accept)
    if (!m) return undefined
    if (tag && digest && !all.get(digest)?.tags.includes(tag))
      return { m, tags: [], failure: 'ImageTagDoesNotMatchDigest' }
    return { m, tags: all.get(m.digest)?.tags ?? (tag ? [tag] : []) }
  }

  async describeImages({ input }: EcrCall): Promise<Json> {
    const r = await this.requireRepo(input)
    const all = await this.tagged(r.name)
    const ids = list(input, 'imageIds')
    const found: { m: Manifest; tags: string[] }[] = []
    if (ids) {
      for (const id of ids) {
        const hit = await this.resolve(r.name, id, all)
        if (!hit || hit.failure) throw imageNotFound(r.name, id)
        if (!found.some(f => f.m.digest === hit.m.digest)) found.push(hit)
      }
    } else {
      const tagStatus = (obj(input, 'filter')?.tagStatus as string | undefined) ?? 'ANY'
      if (tagStatus !== 'UNTAGGED') found.push(...all.values())
    }
    const imageDetails: Json[] = []
    for (const { m, tags } of found) {
      const info = await this.imageInfo(r.name, m)
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

  async listImages({ input }: EcrCall): Promise<Json> {
    const r = await this.requireRepo(input)
    const imageIds: Json[] = []
    for (const { m, tags } of (await this.tagged(r.name)).values())
      for (const t of tags) imageIds.push({ imageDigest: m.digest, imageTag: t })
    return { imageIds }
  }

  async batchGetImage({ input }: EcrCall): Promise<Json> {
    const r = await this.requireRepo(input)
    const ids = list(input, 'imageIds')
    if (!ids || ids.length === 0)
      throw new AwsError('InvalidParameterException', 'imageIds must not be empty.')
    const accept = strList(input, 'acceptedMediaTypes') ?? MANIFEST_TYPES
    const all = await this.tagged(r.name)
    const images: Json[] = []
    const failures: Json[] = []
    for (const id of ids) {
      const hit = await this.resolve(r.name, id, all, accept)
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

  /**
   * PutImage: the manifest goes to the registry (HTTP API v2, PUT /v2/<name>/manifests/<tag|digest>), as
   * ECR's proxy does at the end of a push. ECR's rules: the same manifest under the same tag (or, without
   * a tag, a manifest already there) is ImageAlreadyExistsException; a tag that names another image is
   * moved, unless the repository's tags are IMMUTABLE (ImageTagAlreadyExistsException); an imageDigest
   * that is not the manifest's is ImageDigestDoesNotMatchException; missing layers, LayersNotFoundException.
   */
  async putImage({ input }: EcrCall): Promise<Json> {
    const r = await this.requireRepo(input)
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
    const current = await this.manifest(r.name, tag ?? digest)
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
    const res = await this.registryFetch(`${r.name}/manifests/${tag ?? digest}`, {
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
}

function notFoundRepo(name: string): AwsError {
  return new AwsError(
    'RepositoryNotFoundException',
    `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT_ID}'`
  )
}

function imageNotFound(repo: string, id: Json): AwsError {
  const digest = typeof id.imageDigest === 'string' ? id.imageDigest : 'null'
  const tag = typeof id.imageTag === 'string' ? id.imageTag : 'null'
  return new AwsError(
    'ImageNotFoundException',
    `The image with imageId {imageDigest:'${digest}', imageTag:'${tag}'} does not exist within the repository with name '${repo}' in the registry with id '${ACCOUNT_ID}'`
  )
}

export const ECR_OPERATIONS = [
  'CreateRepository',
  'DescribeRepositories',
  'DeleteRepository',
  'GetAuthorizationToken',
  'DescribeImages',
  'ListImages',
  'BatchGetImage',
  'PutImage'
] as const

export function ecrHandler(ecr: Ecr, op: string): ((call: EcrCall) => Promise<Json> | Json) | undefined {
  switch (op) {
    case 'CreateRepository':
      return c => ecr.createRepository(c)
    case 'DescribeRepositories':
      return c => ecr.describeRepositories(c)
    case 'DeleteRepository':
      return c => ecr.deleteRepository(c)
    case 'GetAuthorizationToken':
      return () => ecr.getAuthorizationToken()
    case 'DescribeImages':
      return c => ecr.describeImages(c)
    case 'ListImages':
      return c => ecr.listImages(c)
    case 'BatchGetImage':
      return c => ecr.batchGetImage(c)
    case 'PutImage':
      return c => ecr.putImage(c)
    default:
      return undefined
  }
}

import { AwsError } from '../util.js'

/** The manifest types ECR stores, in the Accept header of every manifest read. */
export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json'
]

/** How long the registry may take to answer one request (real milliseconds). */
const REGISTRY_TIMEOUT_MS = 10000

export interface Manifest {
  digest: string
  mediaType: string
  body: string
}

interface ImageInfo {
  size: number
  pushedAt?: number
  configMediaType?: string
}

/** A repository's tagged images: digest → its manifest and tags. */
export type Tagged = Map<string, { m: Manifest; tags: string[] }>

/** The local registry's HTTP API v2, as the local ECR reads (and PutImage writes) it. */
export class Registry {
  /** host:port */
  readonly host: string
  private readonly info = new Map<string, ImageInfo>()

  constructor(host: string) {
    this.host = host
  }

  /** A request to the registry's HTTP API v2; unreachable is a ServerException. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(`http://${this.host}/v2/${path}`, {
        ...init,
        signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS)
      })
    } catch (err) {
      throw new AwsError(
        'ServerException',
        `The local registry ${this.host} is unreachable: ${(err as Error).message}`,
        500
      )
    }
  }

  async catalog(): Promise<string[]> {
    const names: string[] = []
    let path: string | undefined = '_catalog?n=100'
    while (path) {
      const res: Response = await this.request(path)
      if (!res.ok) break
      names.push(...(((await res.json()) as { repositories?: string[] | null }).repositories ?? []))
      // Pagination: `Link: </v2/_catalog?last=x&n=100>; rel="next"`.
      const next = /<\/v2\/([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')
      path = next ? next[1] : undefined
    }
    return names
  }

  async tags(name: string): Promise<string[]> {
    const res = await this.request(`${name}/tags/list`)
    if (!res.ok) return []
    return ((await res.json()) as { tags?: string[] | null }).tags ?? []
  }

  async manifest(name: string, ref: string, accept = MANIFEST_TYPES): Promise<Manifest | undefined> {
    const res = await this.request(`${name}/manifests/${ref}`, {
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

  async imageInfo(name: string, m: Manifest): Promise<ImageInfo> {
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
      const cfg = await this.request(`${name}/blobs/${parsed.config.digest}`)
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
  async tagged(name: string): Promise<Map<string, { m: Manifest; tags: string[] }>> {
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
}

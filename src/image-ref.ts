/**
 * Image references, pure: the `image` and `repository` inputs parsed, ECR registry hosts read, tags,
 * digests, the build-input hash and OCI labels. No I/O; src/ecr.ts calls ECR with what these return.
 */
import { createHash } from 'node:crypto'
import { DeployError } from './errors.js'
import { quote } from './untrusted.js'

/** Everything besides the commit that decides what `docker build` produces. */
export interface BuildInputs {
  context: string
  dockerfile?: string
  buildArgs: Record<string, string>
  target?: string
  platforms: string[]
  network?: string
}

/** A docker tag: word characters, `.` and `-`, not starting with `.` or `-`, at most 128 characters. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

/** An OCI content digest as registries serve it. */
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/

// One path component of a repository name (distribution/reference grammar).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const DIGEST_REF = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/

/** Bumped when the hashed form changes, so an old hash can never match a new meaning. */
const HASH_VERSION = 1

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * A stable sha256 (hex) of the build inputs. Keys are sorted, empty optional values count as unset and
 * platforms are a set (their order does not change what is built).
 */
export function buildInputsHash(b: BuildInputs): string {
  const blank = (s: string | undefined): string | undefined =>
    s === undefined || s.trim() === '' ? undefined : s
  const normalized = {
    v: HASH_VERSION,
    context: b.context,
    dockerfile: blank(b.dockerfile),
    buildArgs: b.buildArgs,
    target: blank(b.target),
    platforms: [...new Set(b.platforms.map(p => p.trim()).filter(p => p !== ''))].sort(),
    network: blank(b.network)
  }
  return createHash('sha256').update(canonicalJson(normalized)).digest('hex')
}

/**
 * The default tag: `<first 12 of the commit sha>-<first 8 of the build inputs hash>`. The same commit
 * built with the same inputs gets the same tag, which is what makes "already pushed?" answerable.
 */
export function defaultTag(sha: string, b: BuildInputs): string {
  const commit = sha.trim().toLowerCase()
  if (!/^[0-9a-f]{7,64}$/.test(commit)) {
    throw new DeployError('No commit to tag the image with', `"${sha}" is not a git commit SHA`, {
      hint: 'GITHUB_SHA should be set by the runner; set `tags` if you run outside GitHub Actions'
    })
  }
  return `${commit.slice(0, 12)}-${buildInputsHash(b).slice(0, 8)}`
}

/** OCI annotation labels for the image, from the git context. */
export function ociLabels(ctx: {
  repoUrl?: string
  sha: string
  created: Date
  ref?: string
}): Record<string, string> {
  const labels: Record<string, string> = {}
  if (ctx.repoUrl) labels['org.opencontainers.image.source'] = ctx.repoUrl
  labels['org.opencontainers.image.revision'] = ctx.sha
  labels['org.opencontainers.image.created'] = ctx.created.toISOString()
  const tag = ctx.ref?.startsWith('refs/tags/') ? ctx.ref.slice('refs/tags/'.length) : undefined
  if (tag) labels['org.opencontainers.image.version'] = tag
  return labels
}

export interface ImageReference {
  registry?: string
  repository: string
  tag?: string
  digest?: string
}

function invalidImage(value: string, why: string): DeployError {
  return new DeployError('Invalid input: image', `Input "image": ${quote(value, 80)} ${why}`, {
    hint: 'expected [registry/]repository[:tag][@sha256:digest], e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app@sha256:…'
  })
}

/** Splits `[registry/]repository[:tag][@digest]` the way docker does; errors name the `image` input. */
export function parseImageReference(ref: string): ImageReference {
  const value = ref.trim()
  if (value === '') throw invalidImage(ref, 'is empty')
  if (/^[a-z]+:\/\//i.test(value)) throw invalidImage(value, 'must not start with a URL scheme')
  if (/\s/.test(value)) throw invalidImage(value, 'contains whitespace')

  let rest = value
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST_REF.test(digest)) throw invalidImage(value, `has an invalid digest ${quote(digest, 80)}`)
    if (digest.startsWith('sha256:') && !DIGEST_PATTERN.test(digest)) {
      throw invalidImage(
        value,
        `has an invalid digest ${quote(digest, 80)} (sha256 takes 64 lowercase hex digits)`
      )
    }
  }

  let tag: string | undefined
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.indexOf(':', lastSlash + 1)
  if (colon >= 0) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG_PATTERN.test(tag)) throw invalidImage(value, `has an invalid tag ${quote(tag, 80)}`)
  }

  let registry: string | undefined
  const slash = rest.indexOf('/')
  if (slash >= 0) {
    const first = rest.slice(0, slash)
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first
      rest = rest.slice(slash + 1)
      if (!HOST.test(registry)) throw invalidImage(value, `has an invalid registry ${quote(registry, 80)}`)
    }
  }

  if (rest === '') throw invalidImage(value, 'has no repository name')
  for (const component of rest.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw invalidImage(
        value,
        `has an invalid repository name ${quote(rest, 80)} (lowercase letters, digits and . _ - between them, path parts separated by /)`
      )
    }
  }
  if (rest.length > 255) throw invalidImage(value, 'has a repository name longer than 255 characters')

  const result: ImageReference = { repository: rest }
  if (registry !== undefined) result.registry = registry
  if (tag !== undefined) result.tag = tag
  if (digest !== undefined) result.digest = digest
  return result
}

/** `repository@sha256:…`: the form a task definition pins an image by. */
export function pinnedImage(repositoryUri: string, digest: string): string {
  if (!DIGEST_PATTERN.test(digest)) {
    throw new DeployError('Invalid image digest', `"${digest}" is not a sha256 digest`)
  }
  return `${repositoryUri}@${digest}`
}

/** `https://123456789012.dkr.ecr.eu-west-1.amazonaws.com` → `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
export function registryHost(proxyEndpoint: string): string {
  const value = proxyEndpoint.trim()
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const url = new URL(value)
    return url.host
  }
  return value.replace(/\/.*$/, '')
}

/** The account id in an ECR registry host (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`). */
export function parseEcrHost(host: string): { registryId: string; region: string } | undefined {
  const m =
    /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|sc2s\.sgov\.gov|c2s\.ic\.gov)$/.exec(
      host.toLowerCase()
    )
  return m ? { registryId: m[1], region: m[2] } : undefined
}

/** The `repository` input, parsed: an ECR repository name, and the registry when the input named one. */
export interface RepositoryInput {
  name: string
  /** host[:port] as the input gave it. */
  registry?: string
  /** The account of an ECR registry host. */
  registryId?: string
  /** The region of an ECR registry host. */
  region?: string
}

/** An ECR repository as ECR reports it (or as an `image` input names it): where to push and pin. */
export interface RepositoryRef {
  name: string
  /** registry/name */
  uri: string
  registryId?: string
  registry: string
}

// ECR's repositoryName pattern (the ECR API model, CreateRepository/DescribeRepositories), 2–256 characters.
const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/

/**
 * The one registry besides ECR's own hosts a repository URI may name: loopback (`localhost`, `127.x.x.x`,
 * `[::1]`, with an optional port), where a local ECR such as sim/ serves its registry. Nothing else.
 */
const LOOPBACK_REGISTRY = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?$/

// Something that reads as a registry host (a dotted name or host:port), to say "not ECR" instead of "bad name".
const HOST_LIKE = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|[A-Za-z0-9-]+:\d+|\[[0-9A-Fa-f:.]+\])(?::\d+)?$/

const REPOSITORY_HINT =
  'give an ECR repository name (my-app, team/my-app) or its URI (123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app)'

function invalidRepository(value: string, why: string, hint = REPOSITORY_HINT): DeployError {
  return new DeployError('Invalid input: repository', `Input "repository": ${quote(value, 80)} ${why}`, {
    hint
  })
}

/**
 * The `repository` input, parsed the one way ECR allows: an ECR repository name (`my-app`, `team/my-app`),
 * or `<registry>/<name>` where the registry is an ECR host (`<account>.dkr.ecr.<region>.amazonaws.com[.cn]`,
 * FIPS and ISO partitions included) or a loopback registry (a local ECR). No tag, no digest, no scheme.
 */
export function parseRepositoryInput(value: string): RepositoryInput {
  const input = value.trim()
  if (input === '') throw invalidRepository(value, 'is empty')
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input))
    throw invalidRepository(input, 'must not start with a URL scheme')
  if (input.includes('@'))
    throw invalidRepository(input, 'must not contain a digest (use the `image` input to deploy one)')
  let name = input
  let registry: string | undefined
  const slash = input.indexOf('/')
  if (slash >= 0) {
    const first = input.slice(0, slash)
    if (parseEcrHost(first) || LOOPBACK_REGISTRY.test(first)) {
      registry = first
      name = input.slice(slash + 1)
    } else if (HOST_LIKE.test(first)) {
      throw invalidRepository(
        input,
        `names the registry ${quote(first, 80)}, which is not an ECR registry (<account>.dkr.ecr.<region>.amazonaws.com); this action pushes to ECR`,
        'to deploy an image from another registry, give it as the image input instead of repository'
      )
    }
  }
  if (name.includes(':')) {
    throw invalidRepository(input, 'must not contain a tag (set extra tags with the `tags` input)')
  }
  if (name.length < 2 || name.length > 256) {
    throw invalidRepository(input, `has a name of ${name.length} characters; ECR allows 2 to 256`)
  }
  if (!ECR_NAME.test(name)) {
    throw invalidRepository(
      input,
      `is not an ECR repository name or URI (${quote(name, 80)}: lowercase letters and digits, single . _ - between them, path parts separated by /)`
    )
  }
  const result: RepositoryInput = { name }
  if (registry !== undefined) {
    result.registry = registry
    const ecrHost = parseEcrHost(registry)
    if (ecrHost) {
      result.registryId = ecrHost.registryId
      result.region = ecrHost.region
    }
  }
  return result
}

/** The repository input as text again (`registry/name` or `name`), for messages. */
export function formatRepositoryInput(input: RepositoryInput): string {
  return input.registry ? `${input.registry}/${input.name}` : input.name
}

/**
 * The repository of an `image` input ECR can be asked about: a tag in an ECR registry (or a loopback
 * one, a local ECR). Undefined when there is nothing to look up (a digest already, no tag, another
 * registry).
 */
export function lookupRepository(ref: ImageReference): RepositoryRef | undefined {
  if (ref.digest || !ref.tag || !ref.registry) return undefined
  if (!/\.dkr\.ecr\.|^127\.0\.0\.1|^localhost/.test(ref.registry)) return undefined
  return { name: ref.repository, registry: ref.registry, uri: `${ref.registry}/${ref.repository}` }
}

/** `registry/name` as ECR reports it in `repositoryUri`, split; undefined when it has no registry part. */
export function splitRepositoryUri(uri: string | undefined): { registry: string; uri: string } | undefined {
  const slash = uri?.indexOf('/') ?? -1
  if (!uri || slash <= 0) return undefined
  return { registry: uri.slice(0, slash), uri }
}

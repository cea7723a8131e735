/** Image references, tags and labels: pure helpers, no I/O. */
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

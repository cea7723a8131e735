/** What docker prints, read: the pushed digest (push, buildx metadata, imagetools, inspect), the last lines. Pure. */
import { DIGEST_PATTERN } from './image-ref.js'

/** Lines of build output an error message carries. */
const TAIL_LINES = 20

/** The last `n` non-empty lines of `text`. */
export function lastLines(text: string, n = TAIL_LINES): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .filter(l => l.trim() !== '')
  return lines.slice(-n).join('\n')
}

/** `<tag>: digest: sha256:… size: N` in `docker push` output; the last one when there are several. */
export function parsePushDigest(output: string): string | undefined {
  const matches = [...output.matchAll(/: digest: (sha256:[a-f0-9]{64}) size: \d+/g)]
  return matches.length > 0 ? matches[matches.length - 1][1] : undefined
}

/** `containerimage.digest` of a buildx metadata file. */
export function parseMetadataDigest(json: string): string | undefined {
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch {
    return undefined
  }
  if (!data || typeof data !== 'object') return undefined
  const digest = (data as Record<string, unknown>)['containerimage.digest']
  return typeof digest === 'string' && DIGEST_PATTERN.test(digest) ? digest : undefined
}

/** The digest of `repositoryUri` among `docker image inspect --format '{{json .RepoDigests}}'` output. */
export function parseRepoDigests(json: string, repositoryUri: string): string | undefined {
  let list: unknown
  try {
    list = JSON.parse(json.trim())
  } catch {
    return undefined
  }
  if (!Array.isArray(list)) return undefined
  for (const entry of list) {
    if (typeof entry !== 'string') continue
    const at = entry.lastIndexOf('@')
    if (at > 0 && entry.slice(0, at) === repositoryUri && DIGEST_PATTERN.test(entry.slice(at + 1))) {
      return entry.slice(at + 1)
    }
  }
  return undefined
}

/** `text` with every occurrence of `secret` replaced by `***`. */
export function scrub(text: string, secret: string): string {
  return secret ? text.split(secret).join('***') : text
}

/** The manifest digest of `docker buildx imagetools inspect --format '{{json .Manifest}}'` output. */
export function parseImagetoolsDigest(json: string): string | undefined {
  try {
    const manifest = JSON.parse(json) as { digest?: unknown } | null
    const digest = manifest?.digest
    return typeof digest === 'string' && DIGEST_PATTERN.test(digest) ? digest : undefined
  } catch {
    return undefined
  }
}

/** How much of a build came from the cache: steps run, and of those, reused. */
export interface CacheUse {
  steps: number
  cached: number
}

/**
 * Cache use, read from the build's output: BuildKit prints `#N [stage k/m] STEP` for each step and
 * `#N CACHED` for a reused one; the classic builder prints `Step k/m :` and ` ---> Using cache`.
 * undefined when the output shows no steps (e.g. buildx with a quiet progress mode).
 */
export function parseCacheUse(output: string): CacheUse | undefined {
  const text = output.replace(/\r\n?/g, '\n')
  const buildkitSteps = new Set([...text.matchAll(/^#(\d+) \[[^\]]*\d+\/\d+\]/gm)].map(m => m[1]))
  if (buildkitSteps.size > 0) {
    const cached = new Set(
      [...text.matchAll(/^#(\d+) CACHED\s*$/gm)].map(m => m[1]).filter(id => buildkitSteps.has(id))
    )
    return { steps: buildkitSteps.size, cached: cached.size }
  }
  const classicSteps = text.match(/^Step \d+\/\d+ :/gm)?.length ?? 0
  if (classicSteps === 0) return undefined
  return { steps: classicSteps, cached: text.match(/^ ---> Using cache\s*$/gm)?.length ?? 0 }
}

/**
 * The image phase, on the plan's ImageDecision: deploy a given image, or reuse the one already pushed for
 * this commit and these build inputs, or log in to ECR, build and push. Whatever the path, the result is
 * pinned by digest where ECR knows it. ECR calls in src/ecr.ts, references in src/image-ref.ts, the
 * Docker config and login in src/login.ts, docker itself in src/docker.ts: this file only sequences them.
 */
import * as core from '@actions/core'
import * as github from '@actions/github'
import type { AwsClients } from './aws.js'
import { DeployError } from './errors.js'
import { findImageDigest, getRegistryCredentials, resolveRepository, tagExistingImage } from './ecr.js'
import type { CacheUse } from './docker-output.js'
import type { Exec } from './exec.js'
import { lookupRepository, ociLabels, pinnedImage, type RepositoryRef } from './image-ref.js'
import { loginToEcr } from './login.js'
import type { ImageDecision } from './plan.js'
import { inert } from './untrusted.js'

export interface ImageResult {
  /** What the task definition gets: repository@sha256:… where the digest is known. */
  image: string
  digest?: string
  tags: string[]
  /** built: we built and pushed; reused: already in ECR for this commit; given: the `image` input. */
  source: 'built' | 'reused' | 'given'
  builder?: 'buildx' | 'classic'
  /** Build steps reused from the cache (built images, when the output tells). */
  cache?: CacheUse
}

export interface ImageDeps {
  clients: AwsClients
  exec: Exec
  /** The commit being deployed; GITHUB_SHA on Actions. */
  sha: string
  workspace: string
}

async function givenImage(
  decision: Extract<ImageDecision, { kind: 'given' }>,
  deps: ImageDeps
): Promise<ImageResult> {
  const { ref, image: raw } = decision
  if (ref.digest) return { image: raw, digest: ref.digest, tags: ref.tag ? [ref.tag] : [], source: 'given' }
  // A tag in an ECR repository of this account: pin it, so the task definition does not drift.
  const repo = lookupRepository(ref)
  if (repo && ref.tag) {
    const digest = await findImageDigest(deps.clients.ecr, repo, ref.tag)
    if (!digest) {
      throw new DeployError('Image not found', `Image "${raw}" is not in ECR (input "image").`, {
        hint: 'push it first, or use repository to build it here'
      })
    }
    return { image: pinnedImage(repo.uri, digest), digest, tags: [ref.tag], source: 'given' }
  }
  core.warning(
    `Deploying "${raw}" by tag: its digest cannot be looked up, so the task definition is not pinned.`,
    {
      title: 'Image not pinned'
    }
  )
  return { image: raw, tags: ref.tag ? [ref.tag] : [], source: 'given' }
}

type BuildDecision = Extract<ImageDecision, { kind: 'build' }>

/** The image already pushed for this commit and these build inputs, with the other tags applied; or none. */
async function reusedImage(
  decision: BuildDecision,
  repo: RepositoryRef,
  deps: ImageDeps
): Promise<ImageResult | undefined> {
  const { tags } = decision
  const mainTag = tags[0]
  const digest = await findImageDigest(deps.clients.ecr, repo, mainTag)
  if (!digest) return undefined
  core.info(inert(`${repo.uri}:${mainTag} is already in ECR (${digest}): skipping build and push.`))
  // The push would have applied the other tags (`tags`, e.g. latest): apply them to the reused image.
  const tagged = await tagExistingImage(deps.clients.ecr, repo, digest, tags.slice(1))
  if (tagged.added.length > 0) core.info(inert(`Tagged ${repo.uri}@${digest} as ${tagged.added.join(', ')}.`))
  if (tagged.present.length > 0) core.info(inert(`Already tagged ${tagged.present.join(', ')}.`))
  return { image: pinnedImage(repo.uri, digest), digest, tags, source: 'reused' }
}

/** Token, docker login into our own config, build and push every tag; pinned by the pushed digest. */
async function builtImage(
  decision: BuildDecision,
  repo: RepositoryRef,
  deps: ImageDeps,
  onOutput: (chunk: string) => void
): Promise<ImageResult> {
  const { tags } = decision
  const credentials = await getRegistryCredentials(deps.clients.ecr, repo.registryId)
  const { docker } = await loginToEcr(credentials, deps.exec, { onOutput })
  const ctx = github.context
  const repoUrl = process.env.GITHUB_REPOSITORY
    ? `${process.env.GITHUB_SERVER_URL ?? 'https://github.com'}/${process.env.GITHUB_REPOSITORY}`
    : undefined
  const result = await docker.buildAndPush({
    ...decision.build,
    // The real paths the plan confined to the workspace; the tag's hash keeps the inputs as given.
    ...decision.paths,
    repositoryUri: repo.uri,
    tags,
    labels: ociLabels({ repoUrl, sha: deps.sha, created: new Date(), ref: ctx.ref || undefined }),
    push: true
  })
  return {
    image: pinnedImage(repo.uri, result.digest),
    digest: result.digest,
    tags,
    source: 'built',
    builder: result.builder,
    ...(result.cache ? { cache: result.cache } : {})
  }
}

/** The image phase: undefined when the task definition's images stay as they are. */
export async function resolveImage(
  decision: ImageDecision,
  deps: ImageDeps,
  onOutput: (chunk: string) => void
): Promise<ImageResult | undefined> {
  if (decision.kind === 'keep') return undefined
  if (decision.kind === 'given') return givenImage(decision, deps)
  const repo = await resolveRepository(deps.clients.ecr, decision.repository, decision.createRepository)
  const reused = decision.reuseExisting ? await reusedImage(decision, repo, deps) : undefined
  return reused ?? builtImage(decision, repo, deps, onOutput)
}

/** The commit: GITHUB_SHA on Actions, else git's HEAD of the build context. */
export async function commitSha(exec: Exec, cwd: string): Promise<string> {
  if (process.env.GITHUB_SHA) return process.env.GITHUB_SHA
  const out = await exec('git', ['rev-parse', 'HEAD'], { cwd, silent: true })
  const sha = out.stdout.trim()
  if (out.exitCode === 0 && /^[0-9a-f]{40}$/.test(sha)) return sha
  throw new DeployError('No commit', 'GITHUB_SHA is not set and git could not name the commit to build.', {
    hint: 'run in a checkout (actions/checkout), or set image to deploy an existing image'
  })
}

/**
 * The image phase's result in one line, printed after its log group: what the task definition gets and
 * where it came from ("built with buildx, 3 of 5 steps cached", "reused: already in ECR for this commit").
 */
export function imageLine(result: ImageResult): string {
  const how =
    result.source === 'built'
      ? `built${result.builder ? ` with ${result.builder === 'buildx' ? 'buildx' : 'the classic builder'}` : ''}${
          result.cache ? `, ${result.cache.cached} of ${result.cache.steps} steps cached` : ''
        }`
      : result.source === 'reused'
        ? 'reused: already in ECR for this commit and these build inputs'
        : 'given (input "image")'
  return `Image: ${result.image} (${how})`
}

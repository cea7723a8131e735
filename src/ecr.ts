/** ECR: authorization token → registry and masked credentials; repositories; "is this tag pushed?". */
import * as core from '@actions/core'
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  PutImageCommand,
  type Repository
} from '@aws-sdk/client-ecr'
import { awsErrorName, DeployError, errorMessage, isTransientError } from './errors.js'
import { inert, quote } from './untrusted.js'

export interface RegistryCredentials {
  /** host[:port], no scheme: what `docker login` takes. */
  registry: string
  username: string
  password: string
  expiresAt?: Date
}

export interface RepositoryRef {
  name: string
  /** registry/name */
  uri: string
  registryId?: string
  registry: string
}

export interface RetryOptions {
  /** Attempts in all, including the first (default 3). */
  attempts?: number
  /** Base delay in ms; attempt n waits a random time in [0, base·2^n) ("full jitter"). Default 500. */
  baseDelayMs?: number
  /** Upper bound of one wait in ms (default 5000). */
  maxDelayMs?: number
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

const defaultSleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Network failures, 5xx and throttling: worth another try (one classification for the whole action). */
export const isTransient = isTransientError

/** Runs `fn`, retrying transient failures with exponential backoff and full jitter. */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 3)
  const base = options.baseDelayMs ?? 500
  const max = options.maxDelayMs ?? 5000
  const sleep = options.sleep ?? defaultSleep
  const random = options.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error
      const delay = Math.floor(random() * Math.min(max, base * 2 ** (attempt - 1)))
      core.debug(
        inert(
          `transient AWS error (${awsErrorName(error) ?? 'error'}), retry ${attempt}/${attempts - 1} in ${delay}ms`
        )
      )
      await sleep(delay)
    }
  }
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

function loginError(message: string, cause?: unknown): DeployError {
  return new DeployError('ECR login failed', message, {
    hint: 'the role needs ecr:GetAuthorizationToken',
    cause
  })
}

/**
 * Calls GetAuthorizationToken and turns the answer into what `docker login` needs. The password and the
 * raw token are masked before anything else can print them.
 */
export async function getRegistryCredentials(
  ecr: ECRClient,
  registryId?: string,
  retry: RetryOptions = {}
): Promise<RegistryCredentials> {
  let output
  try {
    output = await withRetry(
      () => ecr.send(new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {})),
      retry
    )
  } catch (error) {
    throw loginError(`GetAuthorizationToken: ${errorMessage(error)}`, error)
  }
  const data = output.authorizationData?.[0]
  const token = data?.authorizationToken
  if (!data || !token) throw loginError('GetAuthorizationToken: the answer held no authorization token')
  core.setSecret(token)
  const decoded = Buffer.from(token, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0 || colon === decoded.length - 1) {
    throw loginError('GetAuthorizationToken: the authorization token is not base64 of "user:password"')
  }
  const username = decoded.slice(0, colon)
  const password = decoded.slice(colon + 1)
  core.setSecret(password)
  if (!data.proxyEndpoint) throw loginError('GetAuthorizationToken: the answer held no proxyEndpoint')
  let registry: string
  try {
    registry = registryHost(data.proxyEndpoint)
  } catch (error) {
    throw loginError(`GetAuthorizationToken: proxyEndpoint "${data.proxyEndpoint}" is not a URL`, error)
  }
  if (!registry) throw loginError(`GetAuthorizationToken: proxyEndpoint "${data.proxyEndpoint}" has no host`)
  const credentials: RegistryCredentials = { registry, username, password }
  if (data.expiresAt) credentials.expiresAt = data.expiresAt
  return credentials
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
export function parseRepositoryInput(value: string): {
  name: string
  registry?: string
  registryId?: string
} {
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
  const result: { name: string; registry?: string; registryId?: string } = { name }
  if (registry !== undefined) {
    result.registry = registry
    const ecrHost = parseEcrHost(registry)
    if (ecrHost) result.registryId = ecrHost.registryId
  }
  return result
}

function toRef(repo: Repository, fallbackName: string): RepositoryRef {
  const name = repo.repositoryName ?? fallbackName
  const uri = repo.repositoryUri
  const slash = uri?.indexOf('/') ?? -1
  if (!uri || slash <= 0) {
    throw new DeployError(
      'ECR repository has no URI',
      `DescribeRepositories: ${name} was returned with repositoryUri "${uri ?? ''}" (expected registry/name)`
    )
  }
  const ref: RepositoryRef = { name, uri, registry: uri.slice(0, slash) }
  if (repo.registryId) ref.registryId = repo.registryId
  return ref
}

async function clientRegion(ecr: ECRClient): Promise<string | undefined> {
  try {
    const region = ecr.config.region
    return typeof region === 'function' ? await region() : region
  } catch {
    return undefined
  }
}

/**
 * Finds the repository (the `repository` input's name or URI), creating it when `create` is set.
 * A URI of an ECR registry in another region than the client's fails here, before anything is pushed.
 */
export async function resolveRepository(
  ecr: ECRClient,
  repository: string,
  create: boolean,
  retry: RetryOptions = {}
): Promise<RepositoryRef> {
  const input = parseRepositoryInput(repository)
  const ecrHost = input.registry ? parseEcrHost(input.registry) : undefined
  if (ecrHost) {
    const region = await clientRegion(ecr)
    if (region && region !== ecrHost.region) {
      throw new DeployError(
        'ECR repository in another region',
        `Input "repository": ${quote(repository, 300)} is in ${ecrHost.region}, but the action talks to ECR in ${region}`,
        { hint: `set aws-region: ${ecrHost.region}, or give the repository by name` }
      )
    }
  }
  const target = input.registryId ? { registryId: input.registryId } : {}
  const where = input.registryId ? ` in registry ${input.registryId}` : ''

  let found: Repository | undefined
  try {
    const out = await withRetry(
      () => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [input.name], ...target })),
      retry
    )
    found = out.repositories?.find(r => r.repositoryName === input.name) ?? out.repositories?.[0]
  } catch (error) {
    if (awsErrorName(error) !== 'RepositoryNotFoundException') {
      throw new DeployError(
        'ECR DescribeRepositories failed',
        `DescribeRepositories ${input.name}: ${errorMessage(error)}`,
        {
          hint: 'the role needs ecr:DescribeRepositories',
          cause: error
        }
      )
    }
  }

  if (!found) {
    if (!create) {
      throw new DeployError(
        'ECR repository not found',
        `Input "repository": ECR repository ${quote(input.name, 256)} does not exist${where}`,
        {
          hint: 'create it or set create-repository: true'
        }
      )
    }
    try {
      const out = await withRetry(
        () => ecr.send(new CreateRepositoryCommand({ repositoryName: input.name, ...target })),
        retry
      )
      found = out.repository
      core.info(inert(`Created ECR repository ${input.name}`))
    } catch (error) {
      if (awsErrorName(error) !== 'RepositoryAlreadyExistsException') {
        throw new DeployError(
          'ECR CreateRepository failed',
          `CreateRepository ${input.name}: ${errorMessage(error)}`,
          {
            hint: 'the role needs ecr:CreateRepository (or create the repository yourself)',
            cause: error
          }
        )
      }
      // Created by someone else in the meantime (a parallel job): use theirs.
      const out = await withRetry(
        () => ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [input.name], ...target })),
        retry
      )
      found = out.repositories?.[0]
    }
    if (!found) {
      throw new DeployError(
        'ECR repository not found',
        `Input "repository": ECR repository ${quote(input.name, 256)} could not be created${where}`
      )
    }
  }

  const ref = toRef(found, input.name)
  if (input.registry && input.registry !== ref.registry) {
    core.warning(
      `repository ${repository}: ECR reports its URI as ${ref.uri}; pushing there (the registry in the input is ignored)`
    )
  }
  return ref
}

/** The digest of `repo:tag` if ECR has it, else undefined. */
export async function findImageDigest(
  ecr: ECRClient,
  repo: RepositoryRef,
  tag: string,
  retry: RetryOptions = {}
): Promise<string | undefined> {
  try {
    const out = await withRetry(
      () =>
        ecr.send(
          new DescribeImagesCommand({
            repositoryName: repo.name,
            imageIds: [{ imageTag: tag }],
            ...(repo.registryId ? { registryId: repo.registryId } : {})
          })
        ),
      retry
    )
    const detail = out.imageDetails?.find(d => d.imageTags?.includes(tag)) ?? out.imageDetails?.[0]
    return detail?.imageDigest || undefined
  } catch (error) {
    const name = awsErrorName(error)
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') return undefined
    throw new DeployError(
      'ECR DescribeImages failed',
      `DescribeImages ${repo.name}:${tag}: ${errorMessage(error)}`,
      {
        hint: 'the role needs ecr:DescribeImages (or set skip-existing: false)',
        cause: error
      }
    )
  }
}

/** Every manifest type ECR stores: asked for all, BatchGetImage returns the manifest as it was pushed. */
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json'
]

export interface TagResult {
  /** Tags PutImage pointed at the image. */
  added: string[]
  /** Tags that already pointed at it (ECR's ImageAlreadyExistsException). */
  present: string[]
}

/**
 * Points more tags at an image already in ECR (skip-existing reuses it, so `docker push` never applies
 * the `tags` input): BatchGetImage for its manifest, then PutImage with that manifest under each tag. A
 * tag that already points at the image is left as it is; one that points at another image is moved,
 * unless the repository's tags are immutable, which fails like the push would.
 */
export async function tagExistingImage(
  ecr: ECRClient,
  repo: RepositoryRef,
  digest: string,
  tags: string[],
  retry: RetryOptions = {}
): Promise<TagResult> {
  const result: TagResult = { added: [], present: [] }
  if (tags.length === 0) return result
  const registry = repo.registryId ? { registryId: repo.registryId } : {}
  let manifest: string | undefined
  let mediaType: string | undefined
  try {
    const out = await withRetry(
      () =>
        ecr.send(
          new BatchGetImageCommand({
            repositoryName: repo.name,
            imageIds: [{ imageDigest: digest }],
            acceptedMediaTypes: MANIFEST_MEDIA_TYPES,
            ...registry
          })
        ),
      retry
    )
    const image = out.images?.find(i => i.imageId?.imageDigest === digest) ?? out.images?.[0]
    manifest = image?.imageManifest
    mediaType = image?.imageManifestMediaType
    if (!manifest) {
      const failure = out.failures?.[0]
      const why = failure ? `${failure.failureCode ?? 'failure'}: ${failure.failureReason ?? ''}`.trim() : ''
      throw new Error(`no manifest for ${digest}${why ? ` (${why})` : ''}`)
    }
  } catch (error) {
    throw new DeployError(
      'ECR BatchGetImage failed',
      `BatchGetImage ${repo.name}@${digest}: ${errorMessage(error)}`,
      { hint: 'the role needs ecr:BatchGetImage (or set skip-existing: false)', cause: error }
    )
  }
  for (const tag of tags) {
    try {
      await withRetry(
        () =>
          ecr.send(
            new PutImageCommand({
              repositoryName: repo.name,
              imageManifest: manifest,
              ...(mediaType ? { imageManifestMediaType: mediaType } : {}),
              imageDigest: digest,
              imageTag: tag,
              ...registry
            })
          ),
        retry
      )
      result.added.push(tag)
    } catch (error) {
      const name = awsErrorName(error)
      if (name === 'ImageAlreadyExistsException') {
        result.present.push(tag)
        continue
      }
      if (name === 'ImageTagAlreadyExistsException') {
        throw new DeployError(
          'ECR tag is immutable',
          `PutImage ${repo.name}:${tag}: the tag already names another image and the repository's tags are immutable (${errorMessage(error)})`,
          {
            hint: `drop "${tag}" from tags, or set the repository's image tag mutability to MUTABLE`,
            cause: error
          }
        )
      }
      throw new DeployError('ECR PutImage failed', `PutImage ${repo.name}:${tag}: ${errorMessage(error)}`, {
        hint: 'the role needs ecr:PutImage (or set skip-existing: false)',
        cause: error
      })
    }
  }
  return result
}

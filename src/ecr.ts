/**
 * ECR API calls only, on references src/image-ref.ts has already parsed: the authorization token, the
 * repository (found or created), "is this tag pushed?", and more tags on a pushed image. No retries here:
 * the clients' adaptive retry (src/aws.ts) is the one layer; what it gives up on goes through awsFailure.
 */
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
import { awsFailure } from './aws.js'
import { awsErrorName, DeployError, errorMessage } from './errors.js'
import {
  formatRepositoryInput,
  registryHost,
  splitRepositoryUri,
  type RepositoryInput,
  type RepositoryRef
} from './image-ref.js'
import { boundMessage, inert, quote } from './untrusted.js'

export interface RegistryCredentials {
  /** host[:port], no scheme: what `docker login` takes. */
  registry: string
  username: string
  password: string
  expiresAt?: Date
}

const LOGIN_HINT =
  'are there AWS credentials for this step (configure-aws-credentials), for the right region?'

function loginError(message: string): DeployError {
  return new DeployError('ECR login failed', message, { hint: 'the role needs ecr:GetAuthorizationToken' })
}

/**
 * Calls GetAuthorizationToken and turns the answer into what `docker login` needs. The password and the
 * raw token are masked before anything else can print them.
 */
export async function getRegistryCredentials(
  ecr: ECRClient,
  registryId?: string
): Promise<RegistryCredentials> {
  let output
  try {
    output = await ecr.send(new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {}))
  } catch (error) {
    throw awsFailure('ecr:GetAuthorizationToken', error, { hint: LOGIN_HINT })
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
  } catch {
    throw loginError(`GetAuthorizationToken: proxyEndpoint "${data.proxyEndpoint}" is not a URL`)
  }
  if (!registry) throw loginError(`GetAuthorizationToken: proxyEndpoint "${data.proxyEndpoint}" has no host`)
  const credentials: RegistryCredentials = { registry, username, password }
  if (data.expiresAt) credentials.expiresAt = data.expiresAt
  return credentials
}

function toRef(repo: Repository, fallbackName: string): RepositoryRef {
  const name = repo.repositoryName ?? fallbackName
  const split = splitRepositoryUri(repo.repositoryUri)
  if (!split) {
    throw new DeployError(
      'ECR repository has no URI',
      `DescribeRepositories: ${name} was returned with repositoryUri "${repo.repositoryUri ?? ''}" (expected registry/name)`
    )
  }
  const ref: RepositoryRef = { name, uri: split.uri, registry: split.registry }
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

async function describeRepository(
  ecr: ECRClient,
  input: RepositoryInput,
  target: { registryId?: string }
): Promise<Repository | undefined> {
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [input.name], ...target }))
    return out.repositories?.find(r => r.repositoryName === input.name) ?? out.repositories?.[0]
  } catch (error) {
    if (awsErrorName(error) === 'RepositoryNotFoundException') return undefined
    throw awsFailure('ecr:DescribeRepositories', error, { subject: `repository ${input.name}` })
  }
}

/**
 * Finds the repository the `repository` input names (parsed by the plan), creating it when `create` is
 * set. A URI of an ECR registry in another region than the client's fails here, before any call.
 */
export async function resolveRepository(
  ecr: ECRClient,
  input: RepositoryInput,
  create: boolean
): Promise<RepositoryRef> {
  const text = formatRepositoryInput(input)
  if (input.region) {
    const region = await clientRegion(ecr)
    if (region && region !== input.region) {
      throw new DeployError(
        'ECR repository in another region',
        `Input "repository": ${quote(text, 300)} is in ${input.region}, but the action talks to ECR in ${region}`,
        { hint: `set aws-region: ${input.region}, or give the repository by name` }
      )
    }
  }
  const target = input.registryId ? { registryId: input.registryId } : {}
  const where = input.registryId ? ` in registry ${input.registryId}` : ''

  let found = await describeRepository(ecr, input, target)
  if (!found) {
    if (!create) {
      throw new DeployError(
        'ECR repository not found',
        `Input "repository": ECR repository ${quote(input.name, 256)} does not exist${where}`,
        { hint: 'create it or set create-repository: true' }
      )
    }
    try {
      const out = await ecr.send(new CreateRepositoryCommand({ repositoryName: input.name, ...target }))
      found = out.repository
      core.info(inert(`Created ECR repository ${input.name}`))
    } catch (error) {
      if (awsErrorName(error) !== 'RepositoryAlreadyExistsException') {
        throw awsFailure('ecr:CreateRepository', error, {
          subject: `repository ${input.name}`,
          hint: 'create the repository yourself, or check its name'
        })
      }
      // Created by someone else in the meantime (a parallel job): use theirs.
      found = await describeRepository(ecr, input, target)
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
      `repository ${text}: ECR reports its URI as ${ref.uri}; pushing there (the registry in the input is ignored)`
    )
  }
  return ref
}

/** The digest of `repo:tag` if ECR has it, else undefined. */
export async function findImageDigest(
  ecr: ECRClient,
  repo: RepositoryRef,
  tag: string
): Promise<string | undefined> {
  try {
    const out = await ecr.send(
      new DescribeImagesCommand({
        repositoryName: repo.name,
        imageIds: [{ imageTag: tag }],
        ...(repo.registryId ? { registryId: repo.registryId } : {})
      })
    )
    const detail = out.imageDetails?.find(d => d.imageTags?.includes(tag)) ?? out.imageDetails?.[0]
    return detail?.imageDigest || undefined
  } catch (error) {
    const name = awsErrorName(error)
    if (name === 'ImageNotFoundException' || name === 'RepositoryNotFoundException') return undefined
    throw awsFailure('ecr:DescribeImages', error, { subject: `${repo.name}:${tag}` })
  }
}

/** Every manifest type ECR stores: asked for all, BatchGetImage returns the manifest as it was pushed. */
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json'
]

const REUSE_HINT = 'set skip-existing: false to build and push instead'

export interface TagResult {
  /** Tags PutImage pointed at the image. */
  added: string[]
  /** Tags that already pointed at it (ECR's ImageAlreadyExistsException). */
  present: string[]
}

async function getManifest(
  ecr: ECRClient,
  repo: RepositoryRef,
  digest: string,
  registry: { registryId?: string }
): Promise<{ manifest: string; mediaType?: string }> {
  const subject = `${repo.name}@${digest}`
  let out
  try {
    out = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: repo.name,
        imageIds: [{ imageDigest: digest }],
        acceptedMediaTypes: MANIFEST_MEDIA_TYPES,
        ...registry
      })
    )
  } catch (error) {
    throw awsFailure('ecr:BatchGetImage', error, { subject, hint: REUSE_HINT })
  }
  const image = out.images?.find(i => i.imageId?.imageDigest === digest) ?? out.images?.[0]
  if (!image?.imageManifest) {
    const failure = out.failures?.[0]
    const why = failure ? `${failure.failureCode ?? 'failure'}: ${failure.failureReason ?? ''}`.trim() : ''
    throw new DeployError(
      'BatchGetImage failed',
      `BatchGetImage (${subject}): ${boundMessage(`no manifest for ${digest}${why ? ` (${why})` : ''}`)}`,
      { hint: REUSE_HINT }
    )
  }
  return { manifest: image.imageManifest, mediaType: image.imageManifestMediaType }
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
  tags: string[]
): Promise<TagResult> {
  const result: TagResult = { added: [], present: [] }
  if (tags.length === 0) return result
  const registry = repo.registryId ? { registryId: repo.registryId } : {}
  const { manifest, mediaType } = await getManifest(ecr, repo, digest, registry)
  for (const tag of tags) {
    try {
      await ecr.send(
        new PutImageCommand({
          repositoryName: repo.name,
          imageManifest: manifest,
          ...(mediaType ? { imageManifestMediaType: mediaType } : {}),
          imageDigest: digest,
          imageTag: tag,
          ...registry
        })
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
          `PutImage ${repo.name}:${tag}: the tag already names another image and the repository's tags are immutable (${boundMessage(errorMessage(error))})`,
          {
            hint: `drop "${tag}" from tags, or set the repository's image tag mutability to MUTABLE`,
            cause: error
          }
        )
      }
      throw awsFailure('ecr:PutImage', error, { subject: `${repo.name}:${tag}`, hint: REUSE_HINT })
    }
  }
  return result
}

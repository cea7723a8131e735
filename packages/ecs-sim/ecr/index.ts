/**
 * ECR in front of the local registry: repositories here (created, or adopted from the registry's catalog),
 * authorization tokens, and the image operations of images.ts and put-image.ts.
 */
import { randomBytes } from 'node:crypto'
import { ACCOUNT_ID, AwsError, Json, epoch, list, obj, str, strList } from '../util.js'
import { batchGetImage, describeImages, listImages } from './images.js'
import { putImage } from './put-image.js'
import { Registry } from './registry.js'
import type { EcrCall, Repository } from './types.js'

export type { EcrCall } from './types.js'

const REPO_RE = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/

/** ECR's authorization tokens last 12 hours (real time: the time scale does not apply to them). */
const TOKEN_LIFETIME_MS = 12 * 3600 * 1000

export class Ecr {
  private readonly repos = new Map<string, Repository>()
  private readonly registry: Registry

  constructor(registry: string) {
    this.registry = new Registry(registry)
  }

  reset(): void {
    this.repos.clear()
  }

  /** Created here, or already in the registry (pushed before the simulator started). */
  private async repo(name: string): Promise<Repository | undefined> {
    const known = this.repos.get(name)
    if (known) return known
    if (!(await this.registry.catalog()).includes(name)) return undefined
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
      repositoryUri: `${this.registry.host}/${r.name}`,
      createdAt: epoch(r.createdAt),
      imageTagMutability: r.imageTagMutability,
      imageScanningConfiguration: r.imageScanningConfiguration,
      encryptionConfiguration: r.encryptionConfiguration
    }
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
    for (const n of await this.registry.catalog()) if (!this.repos.has(n)) this.adopt(n)
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
          expiresAt: epoch(Date.now() + TOKEN_LIFETIME_MS),
          proxyEndpoint: `http://${this.registry.host}`
        }
      ]
    }
  }

  describeImages({ input }: EcrCall): Promise<Json> {
    return this.requireRepo(input).then(r => describeImages(this.registry, r, input))
  }

  listImages({ input }: EcrCall): Promise<Json> {
    return this.requireRepo(input).then(r => listImages(this.registry, r))
  }

  batchGetImage({ input }: EcrCall): Promise<Json> {
    return this.requireRepo(input).then(r => batchGetImage(this.registry, r, input))
  }

  putImage({ input }: EcrCall): Promise<Json> {
    return this.requireRepo(input).then(r => putImage(this.registry, r, input))
  }
}

function notFoundRepo(name: string): AwsError {
  return new AwsError(
    'RepositoryNotFoundException',
    `The repository with name '${name}' does not exist in the registry with id '${ACCOUNT_ID}'`
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

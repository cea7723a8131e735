/**
 * Docker: login with the password on stdin, build (buildx or the classic builder), push, read the digest.
 * The runner; what its output means is read by src/docker-output.ts.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RegistryCredentials } from './ecr.js'
import { DeployError, errorMessage } from './errors.js'
import type { Exec, ExecResult } from './exec.js'
import {
  lastLines,
  parseCacheUse,
  parseImagetoolsDigest,
  parseMetadataDigest,
  parsePushDigest,
  parseRepoDigests,
  scrub,
  type CacheUse
} from './docker-output.js'
import { TAG_PATTERN, type BuildInputs } from './image-ref.js'
import { CommandsStopped } from './untrusted.js'

export interface BuildRequest extends BuildInputs {
  /** registry/name, without tag. */
  repositoryUri: string
  /** Tag names; the first is the main one. */
  tags: string[]
  labels: Record<string, string>
  push: true
}

export interface BuildResult {
  digest: string
  builder: 'buildx' | 'classic'
  /** Full references pushed. */
  tags: string[]
  /** Steps reused from the cache, as the build's output tells. */
  cache?: CacheUse
}

export interface DockerOptions {
  /** DOCKER_CONFIG for every call: where `login` writes and what the post step removes. */
  configDir: string
  /** The docker binary (default `docker`). */
  binary?: string
  /**
   * Build and push output as it arrives, each command's output inside its own stop-commands block
   * (untrusted.ts), so nothing a Dockerfile prints can act on the runner. Without it, nothing is printed.
   */
  onOutput?: (chunk: string) => void
}

/**
 * A temporary DOCKER_CONFIG hides the user's CLI plugins (a buildx installed in ~/.docker/cli-plugins)
 * and buildx builder instances (docker/setup-buildx-action). This links both from `sourceDir`
 * (default: $DOCKER_CONFIG or ~/.docker) into `configDir`, so the action builds with the builder the
 * workflow set up while credentials stay in the temporary directory.
 */
export async function linkDockerCliState(configDir: string, sourceDir?: string): Promise<string[]> {
  const source = sourceDir ?? (process.env.DOCKER_CONFIG || join(homedir(), '.docker'))
  await mkdir(configDir, { recursive: true })
  const linked: string[] = []
  for (const entry of ['cli-plugins', 'buildx']) {
    const from = join(source, entry)
    const to = join(configDir, entry)
    if (!existsSync(from) || existsSync(to)) continue
    await symlink(from, to, 'dir')
    linked.push(entry)
  }
  return linked
}

export class Docker {
  private readonly exec: Exec
  private readonly configDir: string
  private readonly binary: string
  private readonly onOutput?: (chunk: string) => void
  private buildx?: Promise<boolean>

  constructor(exec: Exec, options: DockerOptions) {
    this.exec = exec
    this.configDir = options.configDir
    this.binary = options.binary ?? 'docker'
    this.onOutput = options.onOutput
  }

  /** `docker login --username AWS --password-stdin <registry>`: the password goes only to stdin. */
  async login(creds: RegistryCredentials): Promise<void> {
    const result = await this.run(
      ['login', '--username', creds.username, '--password-stdin', creds.registry],
      {
        input: creds.password,
        quiet: true
      }
    )
    if (result.exitCode !== 0) {
      const detail = scrub(lastLines(`${result.stderr}\n${result.stdout}`, 10), creds.password)
      throw new DeployError(
        'docker login failed',
        `docker login ${creds.registry} exited with code ${result.exitCode}${detail ? `:\n${detail}` : ''}`,
        { hint: 'is the Docker engine running, and can this runner reach the registry?' }
      )
    }
  }

  /** `docker logout <registry>`; never throws (it runs in cleanup). */
  async logout(registry: string): Promise<void> {
    try {
      await this.run(['logout', registry], { quiet: true })
    } catch {
      // Cleanup must not fail the step; the config directory is removed anyway.
    }
  }

  /** Whether `docker buildx` is available (asked once). */
  hasBuildx(): Promise<boolean> {
    this.buildx ??= this.run(['buildx', 'version'], { quiet: true }).then(
      r => r.exitCode === 0,
      () => false
    )
    return this.buildx
  }

  /** Builds and pushes every tag; returns the pushed digest. */
  async buildAndPush(req: BuildRequest): Promise<BuildResult> {
    validateRequest(req)
    const refs = req.tags.map(t => `${req.repositoryUri}:${t}`)
    if (await this.hasBuildx()) return this.buildxBuild(req, refs)
    return this.classicBuild(req, refs)
  }

  private async buildxBuild(req: BuildRequest, refs: string[]): Promise<BuildResult> {
    const dir = await mkdtemp(join(tmpdir(), 'ecs-deploy-build-'))
    try {
      const metadataFile = join(dir, 'metadata.json')
      const args = [
        'buildx',
        'build',
        '--push',
        '--metadata-file',
        metadataFile,
        '--provenance=false',
        ...commonBuildArgs(req, refs, true)
      ]
      const result = await this.run(args)
      if (result.exitCode !== 0) throw buildFailed(result)
      let digest: string | undefined
      try {
        digest = parseMetadataDigest(await readFile(metadataFile, 'utf8'))
      } catch {
        digest = undefined
      }
      // Older buildx versions write no digest for some drivers: ask the registry.
      digest ??= await this.imagetoolsDigest(refs[0])
      return { digest, builder: 'buildx', tags: refs, cache: parseCacheUse(result.log) }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  private async imagetoolsDigest(ref: string): Promise<string> {
    const result = await this.run(
      ['buildx', 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}'],
      {
        quiet: true
      }
    )
    const digest = parseImagetoolsDigest(result.stdout)
    if (result.exitCode !== 0 || !digest) {
      throw new DeployError(
        'No image digest',
        `docker buildx build pushed ${ref} but reported no digest, and \`docker buildx imagetools inspect\` could not read it:\n${lastLines(result.stderr || result.stdout, 10)}`
      )
    }
    return digest
  }

  private async classicBuild(req: BuildRequest, refs: string[]): Promise<BuildResult> {
    const platforms = cleanPlatforms(req.platforms)
    if (platforms.length > 1) {
      throw new DeployError(
        'Multi-platform builds need buildx',
        `platforms: ${platforms.join(', ')} — the classic docker builder builds one platform at a time, and \`docker buildx\` is not installed`,
        { hint: 'add docker/setup-buildx-action before this step, or build a single platform' }
      )
    }
    // The classic builder, explicitly: with a Docker CLI ≥ 23 and no buildx, DOCKER_BUILDKIT=1 makes
    // `docker build` fail outright ("BuildKit is enabled but the buildx component is missing").
    // --force-rm: the container of a failed step is removed too, instead of piling up on the runner.
    const build = await this.run(['build', '--force-rm', ...commonBuildArgs(req, refs, false)], {
      env: { DOCKER_BUILDKIT: '0' }
    })
    if (build.exitCode !== 0) throw buildFailed(build)

    const digests: string[] = []
    for (const ref of refs) {
      const push = await this.run(['push', ref])
      if (push.exitCode !== 0) {
        throw new DeployError(
          'docker push failed',
          `docker push ${ref} exited with code ${push.exitCode}:\n${lastLines(push.log)}`,
          {
            hint: 'check that the repository exists and the login succeeded (ecr:InitiateLayerUpload, ecr:PutImage…)'
          }
        )
      }
      const digest = parsePushDigest(push.log)
      if (digest) digests.push(digest)
    }
    const digest = digests[0] ?? (await this.inspectDigest(refs[0], req.repositoryUri))
    return { digest, builder: 'classic', tags: refs, cache: parseCacheUse(build.log) }
  }

  private async inspectDigest(ref: string, repositoryUri: string): Promise<string> {
    const result = await this.run(['image', 'inspect', '--format', '{{json .RepoDigests}}', ref], {
      quiet: true
    })
    const digest = result.exitCode === 0 ? parseRepoDigests(result.stdout, repositoryUri) : undefined
    if (!digest) {
      throw new DeployError(
        'No image digest',
        `docker push ${ref} printed no digest and \`docker image inspect\` shows none for ${repositoryUri}${
          result.exitCode === 0 ? '' : `:\n${lastLines(result.stderr, 10)}`
        }`
      )
    }
    return digest
  }

  /**
   * Runs docker with DOCKER_CONFIG set. Output goes to `onOutput` (preceded by the command line) unless
   * `quiet`, inside a stop-commands block that is closed however the command ends; `log` is stdout and
   * stderr interleaved as they arrived.
   */
  private async run(
    args: string[],
    options: { input?: string; env?: Record<string, string>; quiet?: boolean } = {}
  ): Promise<ExecResult & { log: string }> {
    let log = ''
    const stream = options.quiet || !this.onOutput ? undefined : new CommandsStopped(this.onOutput)
    stream?.push(`[command]${this.binary} ${args.join(' ')}\n`)
    let result: ExecResult
    try {
      result = await this.exec(this.binary, args, {
        input: options.input,
        env: { ...options.env, DOCKER_CONFIG: this.configDir },
        // Never echoed by exec itself: its raw echo would bypass the stop-commands block.
        silent: true,
        onOutput: chunk => {
          log += chunk
          stream?.push(chunk)
        }
      })
    } catch (error) {
      result = { exitCode: 127, stdout: '', stderr: errorMessage(error) }
    } finally {
      stream?.close()
    }
    if (log === '') log = [result.stdout, result.stderr].filter(s => s !== '').join('\n')
    return { ...result, log }
  }
}

function cleanPlatforms(platforms: string[]): string[] {
  return platforms.map(p => p.trim()).filter(p => p !== '')
}

function validateRequest(req: BuildRequest): void {
  if (req.tags.length === 0) {
    throw new DeployError('No image tag', 'buildAndPush needs at least one tag to push')
  }
  for (const tag of req.tags) {
    if (!TAG_PATTERN.test(tag)) {
      throw new DeployError('Invalid image tag', `tags: "${tag}" is not a valid image tag`, {
        hint: 'letters, digits, _ . - (not first) and at most 128 characters'
      })
    }
  }
  for (const key of Object.keys(req.buildArgs)) {
    if (key === '' || key.includes('=') || /\s/.test(key)) {
      throw new DeployError('Invalid build argument', `build-args: "${key}" is not a valid argument name`)
    }
  }
  for (const key of Object.keys(req.labels)) {
    if (key === '' || key.includes('=')) {
      throw new DeployError('Invalid image label', `label "${key}" is not a valid label key`)
    }
  }
}

/** Arguments both builders share, in a fixed order; the context comes last. */
function commonBuildArgs(req: BuildRequest, refs: string[], buildx: boolean): string[] {
  const args: string[] = []
  for (const ref of refs) args.push('-t', ref)
  for (const [k, v] of Object.entries(req.labels)) args.push('--label', `${k}=${v}`)
  for (const [k, v] of Object.entries(req.buildArgs)) args.push('--build-arg', `${k}=${v}`)
  if (req.target) args.push('--target', req.target)
  const platforms = cleanPlatforms(req.platforms)
  if (platforms.length > 0) args.push('--platform', buildx ? platforms.join(',') : platforms[0])
  if (req.network) args.push('--network', req.network)
  if (req.dockerfile) args.push('-f', req.dockerfile)
  args.push(req.context)
  return args
}

function buildFailed(result: ExecResult & { log: string }): DeployError {
  return new DeployError(
    'docker build failed',
    `docker build exited with code ${result.exitCode}:\n${lastLines(result.log)}`,
    { hint: 'the full build output is in the log group above' }
  )
}

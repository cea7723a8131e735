/**
 * Docker for real: login, build and push to the local registry (scripts/test-env.sh), through the real
 * exec. The engine there has no bridge, so builds run with network none.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { busyboxPath } from '../../testkit/workspace.js'
import { Docker, type BuildResult } from '../../src/docker.js'
import { DeployError } from '../../src/errors.js'
import { exec } from '../../src/exec.js'
import { ociLabels } from '../../src/image-ref.js'

const REGISTRY = process.env.ECS_DEPLOY_REGISTRY || '127.0.0.1:5001'
const MANIFEST_TYPES =
  'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'
const RUN_ID = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
const NAME = `ecs-deploy-it/docker-build-${RUN_ID}`
const URI = `${REGISTRY}/${NAME}`
const TAGS = [`it-${RUN_ID}`, 'latest']
const PASSWORD = `it-password-${randomBytes(12).toString('hex')}`
const SHA = randomBytes(20).toString('hex')
const LABELS = ociLabels({
  repoUrl: 'https://github.com/example/ecs-deploy',
  sha: SHA,
  created: new Date('2024-01-02T03:04:05.000Z'),
  ref: 'refs/tags/v9.9.9'
})

let root: string
let configDir: string
let context: string
let output = ''
let docker: Docker
let result: BuildResult | undefined

async function manifest(
  tag: string
): Promise<{ digest: string | null; body: { config?: { digest?: string } } }> {
  const response = await fetch(`http://${REGISTRY}/v2/${NAME}/manifests/${tag}`, {
    headers: { Accept: MANIFEST_TYPES }
  })
  expect(response.status).toBe(200)
  return {
    digest: response.headers.get('docker-content-digest'),
    body: (await response.json()) as { config?: { digest?: string } }
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ecs-deploy-docker-it-'))
  configDir = join(root, 'docker-config')
  context = join(root, 'context')
  await mkdir(configDir)
  await mkdir(context)
  await copyFile(busyboxPath(), join(context, 'busybox'))
  await chmod(join(context, 'busybox'), 0o755)
  await writeFile(
    join(context, 'Dockerfile'),
    [
      'FROM scratch',
      'COPY busybox /bin/busybox',
      'RUN ["/bin/busybox", "true"]',
      'CMD ["/bin/busybox", "true"]',
      ''
    ].join('\n')
  )
  await writeFile(
    join(context, 'Dockerfile.fails'),
    ['FROM scratch', 'COPY busybox /bin/busybox', 'RUN ["/bin/busybox", "false"]', ''].join('\n')
  )
  docker = new Docker(exec, { configDir, onOutput: chunk => (output += chunk) })
})

afterAll(async () => {
  await docker?.logout(REGISTRY)
  if (result) {
    // Leave the registry and the engine as they were: delete the manifest, remove the local tags.
    await fetch(`http://${REGISTRY}/v2/${NAME}/manifests/${result.digest}`, { method: 'DELETE' }).catch(
      () => undefined
    )
    await exec('docker', ['image', 'rm', '--force', ...result.tags], { silent: true })
  }
  if (root) await rm(root, { recursive: true, force: true })
})

describe('Docker against the real engine and registry', () => {
  test('login writes credentials into the temporary DOCKER_CONFIG only', async () => {
    await docker.login({ registry: REGISTRY, username: 'AWS', password: PASSWORD })
    const config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8')) as {
      auths?: Record<string, unknown>
    }
    expect(Object.keys(config.auths ?? {})).toContain(REGISTRY)
  })

  test('registry round-trip: pushed digest equals served digest', async () => {
    const buildx = await docker.hasBuildx()
    result = await docker.buildAndPush({
      context,
      buildArgs: { UNUSED_ARG: 'x' },
      platforms: [],
      network: 'none',
      repositoryUri: URI,
      tags: TAGS,
      labels: LABELS,
      push: true
    })
    expect(result.builder).toBe(buildx ? 'buildx' : 'classic')
    expect(result.tags).toEqual(TAGS.map(t => `${URI}:${t}`))
    expect(result.digest).toMatch(/^sha256:[a-f0-9]{64}$/)
    for (const tag of TAGS) {
      const served = await manifest(tag)
      expect(served.digest).toBe(result.digest)
    }
    // Pinning by digest works too: the registry serves the same manifest by its digest.
    const byDigest = await manifest(result.digest)
    expect(byDigest.digest).toBe(result.digest)
  }, 180000)

  test('the OCI labels are on the image, locally and in the pushed config', async () => {
    expect(result).toBeDefined()
    const pushed = await manifest(TAGS[0])
    const configDigest = pushed.body.config?.digest
    expect(configDigest).toMatch(/^sha256:/)
    const blob = await fetch(`http://${REGISTRY}/v2/${NAME}/blobs/${configDigest}`)
    expect(blob.status).toBe(200)
    const config = (await blob.json()) as { config?: { Labels?: Record<string, string> } }
    expect(config.config?.Labels).toMatchObject(LABELS)

    if (result?.builder === 'classic') {
      const inspect = await exec(
        'docker',
        ['image', 'inspect', '--format', '{{json .Config.Labels}}', result.tags[0]],
        {
          silent: true
        }
      )
      expect(inspect.exitCode).toBe(0)
      expect(JSON.parse(inspect.stdout)).toMatchObject(LABELS)
    }
  })

  test('a failing RUN step → docker build failed, with the end of the output', async () => {
    let caught: unknown
    try {
      await docker.buildAndPush({
        context,
        dockerfile: join(context, 'Dockerfile.fails'),
        buildArgs: {},
        platforms: [],
        network: 'none',
        repositoryUri: URI,
        tags: [`fails-${RUN_ID}`],
        labels: {},
        push: true
      })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(DeployError)
    const e = caught as DeployError
    expect(e.title).toBe('docker build failed')
    expect(e.message).toMatch(/non-zero (code|exit)/)
    expect(e.message.split('\n').length).toBeLessThanOrEqual(21)
    const served = await fetch(`http://${REGISTRY}/v2/${NAME}/manifests/fails-${RUN_ID}`, {
      headers: { Accept: MANIFEST_TYPES }
    })
    expect(served.status).toBe(404)
  }, 120000)

  test('a login that fails reports docker’s error and never the password', async () => {
    let caught: unknown
    try {
      await docker.login({ registry: '127.0.0.1:1', username: 'AWS', password: PASSWORD })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(DeployError)
    const e = caught as DeployError
    expect(e.message).toMatch(/127\.0\.0\.1:1/)
    expect(e.message).not.toContain(PASSWORD)
  })

  test('the password appears in no streamed output and in no argument', () => {
    expect(output).toContain('[command]docker')
    expect(output).not.toContain(PASSWORD)
  })
})

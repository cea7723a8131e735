import { afterEach, describe, expect, test } from '@jest/globals'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Docker, linkDockerCliState, type BuildRequest } from '../src/docker.js'
import { DeployError } from '../src/errors.js'
import type { Exec, ExecOptions, ExecResult } from '../src/exec.js'
import { runnerCommands } from '../scripts/run-action.js'

interface Call {
  command: string
  args: string[]
  options: ExecOptions
}

type Responder = (args: string[], options: ExecOptions) => Partial<ExecResult> & { output?: string[] }

/** A fake docker: records every call, answers by the first matching rule (prefix of args). */
function fakeExec(rules: [string[], Responder][] = []): { exec: Exec; calls: Call[] } {
  const calls: Call[] = []
  const exec: Exec = async (command, args, options = {}) => {
    calls.push({ command, args, options })
    const rule = rules.find(([prefix]) => prefix.every((p, i) => args[i] === p))
    const answer = rule ? rule[1](args, options) : {}
    for (const chunk of answer.output ?? []) options.onOutput?.(chunk)
    const stdout = answer.stdout ?? (answer.output ?? []).join('')
    return { exitCode: answer.exitCode ?? 0, stdout, stderr: answer.stderr ?? '' }
  }
  return { exec, calls }
}

const URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app'
const DIGEST = `sha256:${'c'.repeat(64)}`
const OTHER = `sha256:${'d'.repeat(64)}`
const CONFIG = '/tmp/ecs-deploy-docker-config'

function request(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    context: '.',
    buildArgs: {},
    platforms: [],
    repositoryUri: URI,
    tags: ['abc123'],
    labels: {},
    push: true,
    ...overrides
  }
}

const noBuildx: [string[], Responder] = [
  ['buildx', 'version'],
  () => ({ exitCode: 1, stderr: "docker: 'buildx' is not a docker command." })
]
const withBuildx: [string[], Responder] = [
  ['buildx', 'version'],
  () => ({ stdout: 'github.com/docker/buildx v0.17.1 257815a' })
]

/** A buildx build that writes the metadata file buildx writes. */
function buildxWrites(metadata: unknown): [string[], Responder] {
  return [
    ['buildx', 'build'],
    args => {
      const file = args[args.indexOf('--metadata-file') + 1]
      writeFileSync(file, typeof metadata === 'string' ? metadata : JSON.stringify(metadata))
      return { output: ['#1 building\n', '#2 DONE\n'] }
    }
  ]
}

const pushOk = (digest: string): [string[], Responder] => [
  ['push'],
  args => ({
    output: [
      `The push refers to repository [${URI}]\n`,
      'c5558e63ee38: Pushed\n',
      `${args[1].split(':').pop()}: digest: ${digest} size: 528\n`
    ]
  })
]

async function rejection(p: Promise<unknown>): Promise<DeployError> {
  try {
    await p
  } catch (error) {
    expect(error).toBeInstanceOf(DeployError)
    return error as DeployError
  }
  throw new Error('expected a rejection')
}

describe('login', () => {
  const creds = {
    registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
    username: 'AWS',
    password: 'eyJwYXlsb2FkIjoic2VjcmV0In0='
  }

  test('password only on stdin, DOCKER_CONFIG set, output not streamed', async () => {
    const { exec, calls } = fakeExec([[['login'], () => ({ output: ['Login Succeeded\n'] })]])
    const streamed: string[] = []
    await new Docker(exec, { configDir: CONFIG, onOutput: c => streamed.push(c) }).login(creds)
    expect(calls).toHaveLength(1)
    expect(calls[0].command).toBe('docker')
    expect(calls[0].args).toEqual(['login', '--username', 'AWS', '--password-stdin', creds.registry])
    expect(calls[0].args.join(' ')).not.toContain(creds.password)
    expect(calls[0].options.input).toBe(creds.password)
    expect(calls[0].options.env).toEqual({ DOCKER_CONFIG: CONFIG })
    expect(calls[0].options.silent).toBe(true)
    expect(streamed.join('')).not.toContain(creds.password)
  })

  test('uses the configured binary', async () => {
    const { exec, calls } = fakeExec()
    await new Docker(exec, { configDir: CONFIG, binary: '/usr/local/bin/docker' }).login(creds)
    expect(calls[0].command).toBe('/usr/local/bin/docker')
  })

  test('failure → login error with docker stderr, the password scrubbed', async () => {
    const { exec } = fakeExec([
      [
        ['login'],
        () => ({
          exitCode: 1,
          stderr: `Error response from daemon: Get "https://${creds.registry}/v2/": unauthorized: password ${creds.password} rejected\n`
        })
      ]
    ])
    const e = await rejection(new Docker(exec, { configDir: CONFIG }).login(creds))
    expect(e.title).toBe('docker login failed')
    expect(e.message).toContain('unauthorized')
    expect(e.message).toContain(creds.registry)
    expect(e.message).not.toContain(creds.password)
    expect(e.message).toContain('***')
  })
})

describe('logout and hasBuildx', () => {
  test('logout runs docker logout and never throws', async () => {
    const { exec, calls } = fakeExec([[['logout'], () => ({ exitCode: 1, stderr: 'Not logged in' })]])
    await expect(new Docker(exec, { configDir: CONFIG }).logout('127.0.0.1:5001')).resolves.toBeUndefined()
    expect(calls[0].args).toEqual(['logout', '127.0.0.1:5001'])
    expect(calls[0].options.env).toEqual({ DOCKER_CONFIG: CONFIG })
  })

  test('logout survives an exec that throws', async () => {
    const exec: Exec = async () => {
      throw new Error('spawn failed')
    }
    await expect(new Docker(exec, { configDir: CONFIG }).logout('r')).resolves.toBeUndefined()
  })

  test.each<[string, [string[], Responder], boolean]>([
    ['exit 0', withBuildx, true],
    ['exit 1', noBuildx, false]
  ])('hasBuildx: %s → %p, asked once', async (_name, rule, expected) => {
    const { exec, calls } = fakeExec([rule])
    const docker = new Docker(exec, { configDir: CONFIG })
    expect(await docker.hasBuildx()).toBe(expected)
    expect(await docker.hasBuildx()).toBe(expected)
    expect(calls.map(c => c.args)).toEqual([['buildx', 'version']])
  })
})

describe('buildAndPush with buildx', () => {
  test.each<[string, Partial<BuildRequest>, string[]]>([
    ['minimal', {}, ['-t', `${URI}:abc123`, '.']],
    [
      'two tags, labels, build args',
      {
        tags: ['abc123', 'latest'],
        labels: {
          'org.opencontainers.image.revision': 'abc',
          'org.opencontainers.image.source': 'https://github.com/o/r'
        },
        buildArgs: { NODE_VERSION: '20', EMPTY: '', WITH_EQ: 'a=b' }
      },
      [
        '-t',
        `${URI}:abc123`,
        '-t',
        `${URI}:latest`,
        '--label',
        'org.opencontainers.image.revision=abc',
        '--label',
        'org.opencontainers.image.source=https://github.com/o/r',
        '--build-arg',
        'NODE_VERSION=20',
        '--build-arg',
        'EMPTY=',
        '--build-arg',
        'WITH_EQ=a=b',
        '.'
      ]
    ],
    [
      'target, platforms, network, dockerfile, context',
      {
        target: 'runtime',
        platforms: ['linux/amd64', ' linux/arm64 '],
        network: 'none',
        dockerfile: 'docker/Dockerfile.prod',
        context: 'app'
      },
      [
        '-t',
        `${URI}:abc123`,
        '--target',
        'runtime',
        '--platform',
        'linux/amd64,linux/arm64',
        '--network',
        'none',
        '-f',
        'docker/Dockerfile.prod',
        'app'
      ]
    ],
    [
      'one platform',
      { platforms: ['linux/arm64'] },
      ['-t', `${URI}:abc123`, '--platform', 'linux/arm64', '.']
    ]
  ])('%s → exact args; digest from the metadata file', async (_name, overrides, tail) => {
    const { exec, calls } = fakeExec([
      withBuildx,
      buildxWrites({ 'containerimage.digest': DIGEST, 'image.name': 'x' })
    ])
    const req = request(overrides)
    const result = await new Docker(exec, { configDir: CONFIG }).buildAndPush(req)
    const build = calls[1]
    expect(build.args.slice(0, 6)).toEqual([
      'buildx',
      'build',
      '--push',
      '--metadata-file',
      expect.stringMatching(/metadata\.json$/),
      '--provenance=false'
    ])
    expect(build.args.slice(6)).toEqual(tail)
    expect(build.options.env).toEqual({ DOCKER_CONFIG: CONFIG })
    expect(existsSync(build.args[4])).toBe(false) // the temp dir is removed
    expect(result).toEqual({ digest: DIGEST, builder: 'buildx', tags: req.tags.map(t => `${URI}:${t}`) })
    expect(calls).toHaveLength(2)
  })

  test('streams output after the command line, inside a stop-commands block', async () => {
    const { exec, calls } = fakeExec([withBuildx, buildxWrites({ 'containerimage.digest': DIGEST })])
    const streamed: string[] = []
    await new Docker(exec, { configDir: CONFIG, onOutput: c => streamed.push(c) }).buildAndPush(request())
    const token = /^::stop-commands::([0-9a-f]{32})\n$/.exec(streamed[0])?.[1]
    expect(token).toBeDefined()
    expect(streamed[1]).toMatch(/^\[command\]docker buildx build --push/)
    expect(streamed.slice(2)).toEqual(['#1 building\n', '#2 DONE\n', `::${token}::\n`])
    expect(calls[1].options.silent).toBe(true) // the callback is the log; no double echo
  })

  test.each([
    [
      'a Dockerfile printing commands',
      0,
      ['::error::x\n', '::add-mask::y\nz\r::warning::w\n', '::stop-commands::tok\n']
    ],
    ['a failing build ending mid-line', 1, ['::error::x\n', 'step 3 failed\r']],
    ['a build that cannot start', 127, []]
  ])('%s: every command output is in its own block, closed however it ends', async (_, exitCode, output) => {
    const { exec } = fakeExec([
      withBuildx,
      [['buildx', 'build'], () => ({ exitCode, output, stderr: output.join('') })]
    ])
    const crashing: Exec = async (command, args, options) => {
      if (exitCode === 127 && args[0] === 'buildx' && args[1] === 'build')
        throw new Error('spawn docker ENOENT')
      return exec(command, args, options)
    }
    const streamed: string[] = []
    const docker = new Docker(crashing, { configDir: CONFIG, onOutput: c => streamed.push(c) })
    await docker.buildAndPush(request()).catch(() => undefined)
    const text = streamed.join('')
    const token = /^::stop-commands::([0-9a-f]{32})\n/.exec(text)?.[1] as string
    expect(text.endsWith(`\n::${token}::\n`)).toBe(true)
    for (const chunk of output) expect(text).toContain(chunk)
    // Read as the runner reads it: only our stop and resume.
    expect(runnerCommands(text).map(c => c.command)).toEqual(['stop-commands', token])
  })

  test('without an output callback nothing is printed, and exec never echoes', async () => {
    const { exec, calls } = fakeExec([withBuildx, buildxWrites({ 'containerimage.digest': DIGEST })])
    await new Docker(exec, { configDir: CONFIG }).buildAndPush(request())
    expect(calls.map(c => c.options.silent)).toEqual([true, true])
  })

  test('metadata without a digest → asks imagetools', async () => {
    const { exec, calls } = fakeExec([
      withBuildx,
      buildxWrites({ 'image.name': `${URI}:abc123` }),
      [
        ['buildx', 'imagetools'],
        () => ({ stdout: JSON.stringify({ mediaType: 'x', digest: OTHER, size: 1 }) })
      ]
    ])
    const result = await new Docker(exec, { configDir: CONFIG }).buildAndPush(request())
    expect(result.digest).toBe(OTHER)
    expect(calls[2].args).toEqual([
      'buildx',
      'imagetools',
      'inspect',
      `${URI}:abc123`,
      '--format',
      '{{json .Manifest}}'
    ])
  })

  test('no digest anywhere → image error', async () => {
    const { exec } = fakeExec([
      withBuildx,
      buildxWrites('not json'),
      [['buildx', 'imagetools'], () => ({ exitCode: 1, stderr: 'unknown flag: --format' })]
    ])
    const e = await rejection(new Docker(exec, { configDir: CONFIG }).buildAndPush(request()))
    expect(e).toMatchObject({ title: 'No image digest' })
    expect(e.message).toContain('unknown flag')
  })

  test('build failure → the last 20 lines of the output, in order', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => `#${i} step ${i}\n`)
    const { exec } = fakeExec([
      withBuildx,
      [['buildx', 'build'], () => ({ exitCode: 1, output: lines, stderr: lines.join('') })]
    ])
    const e = await rejection(new Docker(exec, { configDir: CONFIG }).buildAndPush(request()))
    expect(e.title).toBe('docker build failed')
    expect(e.message).toBe(`docker build exited with code 1:\n${lines.slice(10).join('').trimEnd()}`)
  })
})

describe('buildAndPush with the classic builder', () => {
  test.each<[string, Partial<BuildRequest>, string[]]>([
    ['minimal', {}, ['build', '--force-rm', '-t', `${URI}:abc123`, '.']],
    [
      'everything, one platform',
      {
        tags: ['abc123', 'v1'],
        labels: { a: '1' },
        buildArgs: { X: 'y' },
        target: 't',
        platforms: ['linux/amd64'],
        network: 'none',
        dockerfile: 'Dockerfile.ci',
        context: 'ctx'
      },
      [
        'build',
        '--force-rm',
        '-t',
        `${URI}:abc123`,
        '-t',
        `${URI}:v1`,
        '--label',
        'a=1',
        '--build-arg',
        'X=y',
        '--target',
        't',
        '--platform',
        'linux/amd64',
        '--network',
        'none',
        '-f',
        'Dockerfile.ci',
        'ctx'
      ]
    ]
  ])('%s → exact build args, then one push per tag', async (_name, overrides, buildArgs) => {
    const { exec, calls } = fakeExec([
      noBuildx,
      [['build'], () => ({ output: ['Step 1/1 : FROM scratch\n'] })],
      pushOk(DIGEST)
    ])
    const req = request(overrides)
    const result = await new Docker(exec, { configDir: CONFIG }).buildAndPush(req)
    expect(calls.map(c => c.args)).toEqual([
      ['buildx', 'version'],
      buildArgs,
      ...req.tags.map(t => ['push', `${URI}:${t}`])
    ])
    expect(calls[1].options.env).toEqual({ DOCKER_BUILDKIT: '0', DOCKER_CONFIG: CONFIG })
    for (const c of calls.slice(2)) expect(c.options.env).toEqual({ DOCKER_CONFIG: CONFIG })
    expect(result).toEqual({
      digest: DIGEST,
      builder: 'classic',
      tags: req.tags.map(t => `${URI}:${t}`),
      // The fake build printed one step and no cache hit.
      cache: { steps: 1, cached: 0 }
    })
  })

  test('multiple platforms → needs buildx, nothing run', async () => {
    const { exec, calls } = fakeExec([noBuildx])
    const e = await rejection(
      new Docker(exec, { configDir: CONFIG }).buildAndPush(
        request({ platforms: ['linux/amd64', 'linux/arm64'] })
      )
    )
    expect(e).toMatchObject({ title: 'Multi-platform builds need buildx' })
    expect(e.message).toContain('linux/amd64, linux/arm64')
    expect(calls.map(c => c.args)).toEqual([['buildx', 'version']])
  })

  test('push output without a digest line → docker image inspect RepoDigests', async () => {
    const { exec, calls } = fakeExec([
      noBuildx,
      [['push'], () => ({ output: ['Pushed\n'] })],
      [
        ['image', 'inspect'],
        () => ({ stdout: JSON.stringify([`other.example/app@${OTHER}`, `${URI}@${DIGEST}`]) + '\n' })
      ]
    ])
    const result = await new Docker(exec, { configDir: CONFIG }).buildAndPush(request())
    expect(result.digest).toBe(DIGEST)
    expect(calls[3].args).toEqual(['image', 'inspect', '--format', '{{json .RepoDigests}}', `${URI}:abc123`])
  })

  test('no digest from push nor inspect → image error', async () => {
    const { exec } = fakeExec([noBuildx, [['image', 'inspect'], () => ({ stdout: '[]' })]])
    const e = await rejection(new Docker(exec, { configDir: CONFIG }).buildAndPush(request()))
    expect(e).toMatchObject({ title: 'No image digest' })
  })

  test('build failure → last lines of stdout and stderr as they arrived; no push', async () => {
    const output = [
      ...Array.from({ length: 25 }, (_, i) => `Step line ${i}\n`),
      "The command '/bin/busybox false' returned a non-zero code: 1\n"
    ]
    const { exec, calls } = fakeExec([noBuildx, [['build'], () => ({ exitCode: 1, output })]])
    const e = await rejection(new Docker(exec, { configDir: CONFIG }).buildAndPush(request()))
    expect(e).toMatchObject({ title: 'docker build failed' })
    const lines = e.message.split('\n').slice(1)
    expect(lines).toHaveLength(20)
    expect(lines[19]).toContain('returned a non-zero code: 1')
    expect(lines[0]).toBe('Step line 6')
    expect(calls.some(c => c.args[0] === 'push')).toBe(false)
  })

  test('push failure → image error with the push output', async () => {
    const { exec } = fakeExec([
      noBuildx,
      [['push'], () => ({ exitCode: 1, output: ['denied: requested access to the resource is denied\n'] })]
    ])
    const e = await rejection(new Docker(exec, { configDir: CONFIG }).buildAndPush(request()))
    expect(e).toMatchObject({ title: 'docker push failed' })
    expect(e.message).toContain('denied: requested access')
  })
})

describe('request validation', () => {
  test.each<[string, Partial<BuildRequest>, string]>([
    ['no tags', { tags: [] }, 'No image tag'],
    ['an invalid tag', { tags: ['ok', '-bad'] }, 'Invalid image tag'],
    ['a build arg name with =', { buildArgs: { 'A=B': 'c' } }, 'Invalid build argument'],
    ['an empty label key', { labels: { '': 'x' } }, 'Invalid image label']
  ])('%s → error, docker never called', async (_name, overrides, title) => {
    const { exec, calls } = fakeExec([withBuildx])
    const e = await rejection(new Docker(exec, { configDir: CONFIG }).buildAndPush(request(overrides)))
    expect(e.title).toBe(title)
    expect(calls).toHaveLength(0)
  })
})

describe('linkDockerCliState', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  test('links cli-plugins and buildx from the source config, and only those that exist', async () => {
    const source = mkdtempSync(join(tmpdir(), 'docker-src-'))
    const targetParent = mkdtempSync(join(tmpdir(), 'docker-dst-'))
    const target = join(targetParent, 'config')
    dirs.push(source, targetParent)
    mkdirSync(join(source, 'cli-plugins'))
    writeFileSync(join(source, 'config.json'), '{"auths":{"secret":{}}}')
    expect(await linkDockerCliState(target, source)).toEqual(['cli-plugins'])
    expect(lstatSync(join(target, 'cli-plugins')).isSymbolicLink()).toBe(true)
    expect(readlinkSync(join(target, 'cli-plugins'))).toBe(join(source, 'cli-plugins'))
    expect(existsSync(join(target, 'buildx'))).toBe(false)
    expect(existsSync(join(target, 'config.json'))).toBe(false) // credentials are not shared
    expect(await linkDockerCliState(target, source)).toEqual([]) // idempotent
  })
})

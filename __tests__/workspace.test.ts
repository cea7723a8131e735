/**
 * Workspace confinement on a real file system: a temp directory holds the workspace, a file beside it
 * (outside) and symlinks in and out. Everything is removed afterwards.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { mockClient } from 'aws-sdk-client-mock'
import { ECSClient } from '@aws-sdk/client-ecs'
import { ECRClient } from '@aws-sdk/client-ecr'
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { DeployError } from '../src/errors.js'
import { readInputs } from '../src/inputs.js'
import { resolveBuildPaths } from '../src/build-paths.js'
import { gatherFacts } from '../src/plan.js'
import { insideOf, resolveInWorkspace, type ResolveOptions } from '../src/workspace.js'

const VALID_TD = JSON.stringify({
  family: 'outside-family',
  containerDefinitions: [{ name: 'app', image: 'nginx' }]
})

let root: string
let ws: string

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-confine-')))
  ws = path.join(root, 'ws')
  fs.mkdirSync(path.join(ws, 'ecs'), { recursive: true })
  fs.mkdirSync(path.join(ws, 'app'))
  fs.writeFileSync(path.join(ws, 'ecs', 'td.json'), VALID_TD)
  fs.writeFileSync(path.join(ws, 'app', 'Dockerfile'), 'FROM scratch\n')
  fs.writeFileSync(path.join(ws, 'big.json'), 'x'.repeat(2048))
  // Outside the workspace: a valid task definition one folder up, and a sibling sharing its name's prefix.
  fs.writeFileSync(path.join(root, 'outside-td.json'), VALID_TD)
  fs.mkdirSync(path.join(root, 'ws-evil'))
  fs.writeFileSync(path.join(root, 'ws-evil', 'td.json'), VALID_TD)
  // Symlinks: in → in, in → out (file, directory, dangling), in → missing inside.
  fs.symlinkSync('ecs/td.json', path.join(ws, 'link-in.json'))
  fs.symlinkSync(path.join(root, 'outside-td.json'), path.join(ws, 'link-out.json'))
  fs.symlinkSync('../../outside-td.json', path.join(ws, 'ecs', 'relative-out.json'))
  fs.symlinkSync(root, path.join(ws, 'up'))
  fs.symlinkSync('/etc', path.join(ws, 'etc'))
  fs.symlinkSync(path.join(root, 'nothing-here.json'), path.join(ws, 'dangling-out.json'))
  fs.symlinkSync('ecs/nothing-here.json', path.join(ws, 'dangling-in.json'))
  // The workspace reached through a symlink (as with a symlinked /tmp or $HOME).
  fs.symlinkSync(ws, path.join(root, 'ws-link'))
})

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

const FILE: ResolveOptions = { kind: 'file' }
const DIRECTORY: ResolveOptions = { kind: 'directory' }

async function refusal(value: string, options = FILE, input = 'task-definition'): Promise<DeployError> {
  const error = await resolveInWorkspace(input, value, ws, options).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(DeployError)
  return error as DeployError
}

describe('insideOf', () => {
  test.each<[string, string, boolean]>([
    ['/w/ws', '/w/ws', true],
    ['/w/ws', '/w/ws/a', true],
    ['/w/ws', '/w/ws/a/b/c.json', true],
    ['/w/ws', '/w/ws/..a', true],
    ['/w/ws', '/w', false],
    ['/w/ws', '/w/ws-evil/td.json', false],
    ['/w/ws', '/w/wsx', false],
    ['/w/ws', '/etc/passwd', false],
    ['/', '/etc/passwd', true]
  ])('insideOf(%p, %p) = %p', (rootDir, real, expected) => {
    expect(insideOf(rootDir, real)).toBe(expected)
  })
})

describe('resolveInWorkspace: inside', () => {
  test.each<[string, ResolveOptions, string]>([
    ['ecs/td.json', FILE, 'ecs/td.json'],
    ['./ecs/td.json', FILE, 'ecs/td.json'],
    ['app/../ecs/td.json', FILE, 'ecs/td.json'],
    ['link-in.json', FILE, 'ecs/td.json'],
    ['.', DIRECTORY, ''],
    ['app', DIRECTORY, 'app'],
    ['app/', DIRECTORY, 'app']
  ])('%p → %p', async (value, options, relative) => {
    const where = await resolveInWorkspace('task-definition', value, ws, options)
    expect(where).toEqual({ real: path.join(ws, relative), relative, workspace: ws })
  })

  test('an absolute path inside the workspace', async () => {
    const where = await resolveInWorkspace('task-definition', path.join(ws, 'ecs', 'td.json'), ws, FILE)
    expect(where.relative).toBe('ecs/td.json')
  })

  test('a workspace reached through a symlink is compared by its real path', async () => {
    const where = await resolveInWorkspace('task-definition', 'ecs/td.json', path.join(root, 'ws-link'), FILE)
    expect(where).toEqual({ real: path.join(ws, 'ecs', 'td.json'), relative: 'ecs/td.json', workspace: ws })
  })
})

describe('resolveInWorkspace: refused, naming the input and the resolved path', () => {
  test.each<[string, () => string]>([
    ['../outside-td.json', () => path.join(root, 'outside-td.json')],
    ['link-out.json', () => path.join(root, 'outside-td.json')],
    ['ecs/relative-out.json', () => path.join(root, 'outside-td.json')],
    ['up/outside-td.json', () => path.join(root, 'outside-td.json')],
    ['../ws-evil/td.json', () => path.join(root, 'ws-evil', 'td.json')],
    ['/etc/passwd', () => '/etc/passwd'],
    ['../../../../../../../../etc/passwd', () => '/etc/passwd'],
    ['/etc/hostname', () => '/etc/hostname'],
    ['etc/passwd', () => '/etc/passwd'],
    // Missing and outside: outside first (it would be refused even if it were there).
    ['../nope.json', () => path.join(root, 'nope.json')],
    ['dangling-out.json', () => path.join(root, 'nothing-here.json')]
  ])('%p', async (value, resolved) => {
    const error = await refusal(value)
    expect(error).toMatchObject({ title: 'Invalid input: task-definition' })
    expect(error.message).toBe(
      `Input "task-definition": ${value} resolves to ${resolved()}, outside the workspace ${ws}; it is not read`
    )
    expect(error.hint).toMatch(/inside the repository/)
    expect(error.file).toBeUndefined()
    // Nothing of any file's content.
    expect(error.message).not.toMatch(/outside-family|root:x:/)
  })

  test.each<[string, ResolveOptions, string]>([
    ['ecs/nope.json', FILE, 'ecs/nope.json does not exist'],
    [
      'dangling-in.json',
      FILE,
      `dangling-in.json does not exist (resolves to ${'<ws>'}/ecs/nothing-here.json)`
    ],
    ['ecs', FILE, 'ecs is a directory, not a file'],
    ['.', FILE, '. is a directory, not a file'],
    ['ecs/td.json/x', FILE, 'ecs/td.json/x does not exist'],
    ['ecs/td.json', DIRECTORY, 'ecs/td.json is not a directory'],
    [
      'big.json',
      { kind: 'file', maxBytes: 1024 },
      'big.json is 2048 bytes, more than the 1024 this input takes'
    ],
    ['   ', FILE, 'is empty']
  ])('%p as %j: %s', async (value, options, message) => {
    const error = await refusal(value, options)
    expect(error.message).toBe(`Input "task-definition": ${message.replace('<ws>', ws)}`)
  })

  test('a NUL in the path', async () => {
    const error = await refusal('ecs/td.json\u0000.txt')
    expect(error.message).toBe('Input "task-definition": "ecs/td.json\\u0000.txt" contains a NUL character')
  })

  test('a device is not a file', async () => {
    const error = await refusal('/dev/null', FILE)
    expect(error.message).toMatch(/outside the workspace/)
    const inside = await resolveInWorkspace('task-definition', '/dev/null', '/', FILE).catch(
      (e: unknown) => e
    )
    expect((inside as DeployError).message).toBe(
      'Input "task-definition": /dev/null is not a regular file (a device, pipe or socket)'
    )
  })

  test('a symlink loop', async () => {
    fs.symlinkSync('loop-b', path.join(ws, 'loop-a'))
    fs.symlinkSync('loop-a', path.join(ws, 'loop-b'))
    const error = await refusal('loop-a')
    expect(error.message).toBe('Input "task-definition": loop-a cannot be resolved (ELOOP)')
  })

  test('the value in the message is inert', async () => {
    const error = await refusal('../x\n::error::owned')
    expect(error.message).toMatch(
      /^Input "task-definition": \.\.\/x\\n:\\u003aerror:\\u003aowned resolves to /
    )
    expect(error.message).not.toMatch(/[\n\r]|::/)
  })

  test('a workspace that is not there', async () => {
    const error = await resolveInWorkspace('context', '.', path.join(root, 'gone'), DIRECTORY).catch(
      (e: unknown) => e
    )
    expect(error).toMatchObject({ title: 'No workspace' })
    expect((error as DeployError).message).toContain('input "context"')
  })
})

describe('resolveBuildPaths', () => {
  const read = (values: Record<string, string>) =>
    readInputs(name => values[name] ?? '', { AWS_REGION: 'eu-west-1' })
  const base = { repository: 'my-app', service: 'web' }

  test('context and dockerfile inside: their real paths', async () => {
    expect(await resolveBuildPaths(read({ ...base, context: 'app' }), ws)).toEqual({
      context: path.join(ws, 'app')
    })
    expect(
      await resolveBuildPaths(read({ ...base, context: 'app', dockerfile: 'app/Dockerfile' }), ws)
    ).toEqual({ context: path.join(ws, 'app'), dockerfile: path.join(ws, 'app', 'Dockerfile') })
  })

  test.each<[Record<string, string>, RegExp]>([
    [{ context: '..' }, /^Input "context": \.\. resolves to .*, outside the workspace/],
    [{ context: 'up' }, /^Input "context": up resolves to .*, outside the workspace/],
    [{ context: '/' }, /^Input "context": \/ resolves to \/, outside the workspace/],
    [{ context: 'ecs/td.json' }, /^Input "context": ecs\/td\.json is not a directory/],
    [{ context: 'nope' }, /^Input "context": nope does not exist/],
    [
      { dockerfile: '../outside-td.json' },
      /^Input "dockerfile": \.\.\/outside-td\.json resolves to .*outside/
    ],
    [{ dockerfile: '/etc/passwd' }, /^Input "dockerfile": \/etc\/passwd resolves to \/etc\/passwd, outside/],
    [{ dockerfile: 'app' }, /^Input "dockerfile": app is a directory, not a file/]
  ])('%j is refused', async (given, message) => {
    const error = await resolveBuildPaths(read({ ...base, ...given }), ws).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).message).toMatch(message)
  })

  test('the Dockerfile docker reads by default is confined too', async () => {
    const ctx = path.join(ws, 'ctx-with-link')
    fs.mkdirSync(ctx)
    fs.symlinkSync('/etc/passwd', path.join(ctx, 'Dockerfile'))
    try {
      const error = await resolveBuildPaths(read({ ...base, context: 'ctx-with-link' }), ws).catch(
        (e: unknown) => e
      )
      expect((error as DeployError).message).toMatch(
        /^Input "dockerfile": .*ctx-with-link\/Dockerfile resolves to \/etc\/passwd, outside the workspace/
      )
    } finally {
      fs.rmSync(ctx, { recursive: true, force: true })
    }
  })
})

describe('gatherFacts: a path outside the workspace fails before any AWS call', () => {
  const ecsMock = mockClient(ECSClient)
  const ecrMock = mockClient(ECRClient)
  const clients = {
    ecs: new ECSClient({ region: 'eu-west-1' }),
    ecr: new ECRClient({ region: 'eu-west-1' }),
    logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
    cloudwatch: new CloudWatchClient({ region: 'eu-west-1' }),
    scaling: new ApplicationAutoScalingClient({ region: 'eu-west-1' })
  }
  beforeEach(() => {
    ecsMock.reset()
    ecrMock.reset()
  })

  test.each<[Record<string, string>, string]>([
    [{ 'task-definition': '../outside-td.json' }, 'task-definition'],
    [{ 'task-definition': 'link-out.json' }, 'task-definition'],
    [{ 'task-definition': '/etc/passwd' }, 'task-definition'],
    [{ 'task-definition': '../../../../etc/passwd' }, 'task-definition'],
    [{ 'task-definition': '/etc/hostname' }, 'task-definition'],
    [{ 'task-definition': 'ecs' }, 'task-definition'],
    [{ 'task-definition': 'ecs/td.json', context: '..' }, 'context'],
    [{ 'task-definition': 'ecs/td.json', dockerfile: 'link-out.json' }, 'dockerfile']
  ])('%j', async (given, input) => {
    const inputs = readInputs(name => ({ repository: 'my-app', service: 'web', ...given })[name] ?? '', {
      AWS_REGION: 'eu-west-1'
    })
    const error = await gatherFacts(inputs, clients, ws).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).message).toMatch(new RegExp(`^Input "${input}": `))
    expect(ecsMock.calls()).toHaveLength(0)
    expect(ecrMock.calls()).toHaveLength(0)
  })
})

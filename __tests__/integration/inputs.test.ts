/**
 * Hostile inputs against dist/index.js and the local ECS (scripted backend): paths that lead outside the
 * workspace, inputs spelled other than documented. Each must end with exit 1, exactly one error naming
 * the input, nothing of an outside file's content in any output, and no mutating call (none at all for
 * the paths: they are checked before the first AWS call).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { mutatingCalls, startWorld, type World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'

let world: World
let outsideDir: string
const SERVICE = 'web'
/** A marker only the outside file holds: if it shows up anywhere, the file was read. */
const OUTSIDE_MARKER = `outside-family-${randomSha().slice(0, 8)}`

function image(kind: string): string {
  return `${world.registry}/${kind}/app@sha256:${randomSha().padEnd(64, '0')}`
}

beforeAll(async () => {
  world = await startWorld({ tasks: 'scripted', timeScale: 0.05 })
  // A valid task definition one folder up from the workspace, and symlinks to it from inside.
  outsideDir = path.dirname(world.workspace)
  const outside = path.join(outsideDir, `${path.basename(world.workspace)}-outside-td.json`)
  fs.writeFileSync(
    outside,
    JSON.stringify({ family: OUTSIDE_MARKER, containerDefinitions: [{ name: 'web', image: '' }] })
  )
  fs.symlinkSync(outside, path.join(world.workspace, 'link-out.json'))
  fs.symlinkSync(outsideDir, path.join(world.workspace, 'up'))
  fs.mkdirSync(path.join(world.workspace, 'ecs'))
  await world.registerService(SERVICE, { image: image('good'), 'task-definition': 'task-definition.json' })
}, 120_000)

afterAll(async () => {
  fs.rmSync(path.join(outsideDir, `${path.basename(world.workspace)}-outside-td.json`), { force: true })
  await world?.stop()
}, 60_000)

const outsideName = () => `${path.basename(world.workspace)}-outside-td.json`

interface Case {
  name: string
  inputs: () => Record<string, string>
  input: string
  message: RegExp
  /** Checked before the first AWS call: not even a Describe. */
  noCallsAtAll?: boolean
}

const CASES: Case[] = [
  {
    name: 'task-definition one folder up',
    inputs: () => ({ 'task-definition': `../${outsideName()}` }),
    input: 'task-definition',
    message: /resolves to .*-outside-td\.json, outside the workspace/,
    noCallsAtAll: true
  },
  {
    name: 'task-definition through a symlink out',
    inputs: () => ({ 'task-definition': 'link-out.json' }),
    input: 'task-definition',
    message:
      /^Input "task-definition": link-out\.json resolves to .*-outside-td\.json, outside the workspace/,
    noCallsAtAll: true
  },
  {
    name: 'task-definition through a symlinked directory',
    inputs: () => ({ 'task-definition': `up/${outsideName()}` }),
    input: 'task-definition',
    message: /outside the workspace/,
    noCallsAtAll: true
  },
  {
    name: 'task-definition /etc/passwd',
    inputs: () => ({ 'task-definition': '/etc/passwd' }),
    input: 'task-definition',
    message: /^Input "task-definition": \/etc\/passwd resolves to \/etc\/passwd, outside the workspace/,
    noCallsAtAll: true
  },
  {
    name: 'task-definition ../../../../etc/passwd',
    inputs: () => ({ 'task-definition': '../../../../../../../../etc/passwd' }),
    input: 'task-definition',
    message: /resolves to \/etc\/passwd, outside the workspace/,
    noCallsAtAll: true
  },
  {
    name: 'task-definition /etc/hostname',
    inputs: () => ({ 'task-definition': '/etc/hostname' }),
    input: 'task-definition',
    message: /resolves to \/etc\/hostname, outside the workspace/,
    noCallsAtAll: true
  },
  {
    name: 'task-definition a directory',
    inputs: () => ({ 'task-definition': 'ecs' }),
    input: 'task-definition',
    message: /^Input "task-definition": ecs is a directory, not a file/,
    noCallsAtAll: true
  },
  {
    name: 'context outside',
    inputs: () => ({ image: '', repository: 'app', context: '..' }),
    input: 'context',
    message: /^Input "context": \.\. resolves to .*, outside the workspace/,
    noCallsAtAll: true
  },
  {
    name: 'dockerfile through a symlink out',
    inputs: () => ({ image: '', repository: 'app', dockerfile: 'link-out.json' }),
    input: 'dockerfile',
    message: /^Input "dockerfile": link-out\.json resolves to .*outside the workspace/,
    noCallsAtAll: true
  },
  {
    name: 'create-repository: yes',
    inputs: () => ({ image: '', repository: 'app', 'create-repository': 'yes' }),
    input: 'create-repository',
    message: /^Input "create-repository": "yes" is not a boolean/,
    noCallsAtAll: true
  },
  {
    name: 'rollback: 0',
    inputs: () => ({ rollback: '0' }),
    input: 'rollback',
    message: /^Input "rollback": "0" is not a boolean/,
    noCallsAtAll: true
  },
  {
    name: 'network: bogus',
    inputs: () => ({ image: '', repository: 'app', network: 'bogus' }),
    input: 'network',
    message: /^Input "network": "bogus" is not a build network mode/,
    noCallsAtAll: true
  },
  {
    name: 'repository: ../etc',
    inputs: () => ({ image: '', repository: '../etc' }),
    input: 'repository',
    message: /^Input "repository": "\.\.\/etc" is not an ECR repository name or URI/,
    noCallsAtAll: true
  },
  {
    name: 'image: ../etc:1',
    inputs: () => ({ image: '../etc:1' }),
    input: 'image',
    message: /^Input "image": "\.\.\/etc:1" has an invalid registry/,
    noCallsAtAll: true
  },
  {
    name: 'unknown task-definition-family',
    inputs: () => ({ 'task-definition': '', 'task-definition-family': `nope-${randomSha().slice(0, 6)}` }),
    input: 'task-definition-family',
    message: /^Input "task-definition-family": task definition family "nope-\w+" could not be described/
  }
]

describe('hostile inputs fail in the plan, naming the input', () => {
  test.each(CASES)(
    '$name',
    async ({ inputs, input, message, noCallsAtAll }) => {
      const since = Date.now()
      const run = await world.run({
        image: image('good'),
        'task-definition': 'task-definition.json',
        'container-name': 'web',
        service: SERVICE,
        network: '',
        ...inputs()
      })
      expect(run.exitCode).toBe(1)
      expect(run.errors).toHaveLength(1)
      const [error] = run.errors
      expect(error.message).toMatch(new RegExp(`^Input "${input}": `))
      expect(error.message).toMatch(message)
      expect(error.message.length).toBeLessThan(600)
      for (const text of [run.output, run.summary]) {
        expect(text).not.toContain(OUTSIDE_MARKER)
        expect(text).not.toMatch(/root:x:0:0/)
      }
      const calls = await world.callsSince(since)
      expect(mutatingCalls(calls)).toEqual([])
      if (noCallsAtAll) expect(calls).toEqual([])
    },
    60_000
  )
})

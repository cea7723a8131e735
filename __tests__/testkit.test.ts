/**
 * The testkit's pure parts and its workspace (no Docker, no simulator): when a service counts as steady,
 * what a workspace holds, its git commit, and what the demo calls a green and a red deploy.
 */
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Deployment, Service } from '@aws-sdk/client-ecs'
import { isSteady } from '../testkit/service.js'
import { createWorkspace, randomSha } from '../testkit/workspace.js'
import { greenProblems, redProblems } from '../scripts/demo-expect.js'

describe('isSteady', () => {
  const d = (
    rolloutState: 'COMPLETED' | 'IN_PROGRESS',
    runningCount: number,
    desiredCount = 2
  ): Deployment => ({
    rolloutState,
    runningCount,
    desiredCount
  })
  test.each<{ name: string; deployments: Service['deployments']; steady: boolean }>([
    { name: 'one COMPLETED deployment running all', deployments: [d('COMPLETED', 2)], steady: true },
    { name: 'none at all', deployments: [], steady: false },
    { name: 'COMPLETED but one task short', deployments: [d('COMPLETED', 1)], steady: false },
    { name: 'still IN_PROGRESS', deployments: [d('IN_PROGRESS', 2)], steady: false },
    { name: 'two deployments', deployments: [d('COMPLETED', 2), d('COMPLETED', 2)], steady: false },
    { name: 'zero wanted, zero running', deployments: [d('COMPLETED', 0, 0)], steady: true }
  ])('$name: $steady', ({ deployments, steady }) => {
    expect(isSteady({ deployments })).toBe(steady)
  })
})

describe('createWorkspace', () => {
  test('files (nested folders too), a git commit of them as HEAD, and remove()', () => {
    const ws = createWorkspace({ app: false, files: { 'a.txt': 'one\n', 'deep/b.json': '{}' }, git: true })
    try {
      expect(fs.readFileSync(path.join(ws.dir, 'a.txt'), 'utf8')).toBe('one\n')
      expect(fs.readFileSync(path.join(ws.dir, 'deep/b.json'), 'utf8')).toBe('{}')
      expect(fs.existsSync(path.join(ws.dir, 'task-definition.json'))).toBe(false)
      expect(ws.commit).toMatch(/^[0-9a-f]{40}$/)
      const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ws.dir, encoding: 'utf8' })
      expect(head.stdout.trim()).toBe(ws.commit)
      const tracked = spawnSync('git', ['ls-files'], { cwd: ws.dir, encoding: 'utf8' })
      expect(tracked.stdout.trim().split('\n')).toEqual(['a.txt', 'deep/b.json'])
    } finally {
      ws.remove()
    }
    expect(fs.existsSync(ws.dir)).toBe(false)
  })

  test('without git there is no commit; `at` makes exactly that folder, and refuses one that exists', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-testkit-'))
    try {
      const at = path.join(parent, 'above', 'ws')
      const ws = createWorkspace({ app: false, at })
      expect(ws.dir).toBe(at)
      expect(ws.commit).toBeUndefined()
      expect(fs.readdirSync(at)).toEqual([])
      expect(() => createWorkspace({ app: false, at })).toThrow(/EEXIST/)
    } finally {
      fs.rmSync(parent, { recursive: true, force: true })
    }
  })

  test('randomSha: 40 hex digits, a new one each time', () => {
    expect(randomSha()).toMatch(/^[0-9a-f]{40}$/)
    expect(randomSha()).not.toBe(randomSha())
  })
})

describe("the demo's expectations", () => {
  const green = { exitCode: 0, errors: [], outputs: { 'deployment-id': 'ecs-svc/1' }, output: '' }
  test.each([
    { name: 'green', run: green, problems: [] },
    { name: 'exit 1', run: { ...green, exitCode: 1 }, problems: ['exit code 1'] },
    {
      name: 'an error annotation, no deployment id',
      run: { ...green, errors: [{ message: 'x' }], outputs: {} },
      problems: ['1 error annotation(s)', 'no deployment-id output']
    }
  ])('deploy #1, $name', ({ run, problems }) => {
    expect(greenProblems(run)).toEqual(problems)
  })

  const good = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/demo-web:2'
  const red = {
    exitCode: 1,
    errors: [
      {
        title: 'Deployment failed',
        message:
          'web: container exited with code 3: Essential container web exited with code 3. Deployment stopped. Rolled back to demo-web:2: deployment completed.'
      }
    ],
    outputs: {},
    output: 'Rolling back web to demo-web:2\n'
  }
  test.each([
    { name: 'red and rolled back', run: red, on: good, problems: [] },
    {
      name: 'green',
      run: { ...red, exitCode: 0, errors: [] },
      on: good,
      problems: [
        'it exited with code 0',
        'no "container exited with code 3" annotation',
        'no rollback reported'
      ]
    },
    { name: 'no rollback line', run: { ...red, output: '' }, on: good, problems: ['no rollback reported'] },
    {
      name: 'the service elsewhere',
      run: red,
      on: undefined,
      problems: [`the service is on ?, not back on ${good}`]
    }
  ])('deploy #2, $name', ({ run, on, problems }) => {
    expect(redProblems(run, on, good)).toEqual(problems)
  })
})

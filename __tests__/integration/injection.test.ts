/**
 * Hostile text (issue 10): a Dockerfile, a container's log and ECS's stopped reasons that print runner
 * commands. The bundled action (dist/index.js) runs against the local ECS, and its stdout is read the way
 * the runner reads it (scripts/run-action.ts runnerCommands: split on \r and \n, leading whitespace
 * dropped, stop-commands honoured, `##[` anywhere): no command from outside text may survive, and our own
 * annotations after the build must still be seen.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { setRules } from '../../packages/ecs-sim/testing.js'
import type { ActionRun, RunnerCommand } from '../../scripts/run-action.js'
import { startWorld, type World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'

/** What the hostile lines carry: no command the runner acts on may have one of these as its data. */
const PAYLOADS = new Set([
  'x',
  'y',
  'w',
  'g',
  'tok',
  'indented',
  'cr-injected',
  'from-reason',
  'reason-mask',
  'v1 reason',
  'container-reason'
])

/** Commands from outside text: a payload as data, or a stop-commands that is not one of our tokens. */
function foreign(commands: RunnerCommand[]): RunnerCommand[] {
  return commands.filter(
    c =>
      PAYLOADS.has(c.data.trim()) ||
      (c.command === 'stop-commands' && !/^[0-9a-f]{32}$/.test(c.data)) ||
      c.command === 'tok'
  )
}

/** Every stop-commands block we opened is closed again (by its own token). */
function expectBlocksClosed(commands: RunnerCommand[]): void {
  for (let i = 0; i < commands.length; i++) {
    if (commands[i].command !== 'stop-commands') continue
    expect(commands[i + 1]?.command).toBe(commands[i].data)
  }
}

function expectOurErrorsSeen(run: ActionRun, pattern: RegExp): void {
  const errors = run.commands.filter(c => c.command === 'error')
  expect(errors.map(c => c.data).some(d => pattern.test(d))).toBe(true)
  expect(errors.some(c => /title=Deployment failed/.test(c.line))).toBe(true)
}

describe('with real containers: a Dockerfile and a container log that print commands', () => {
  let world: World
  let run: ActionRun
  const repository = `it-hostile-${randomBytes(3).toString('hex')}`

  beforeAll(async () => {
    world = await startWorld({ tasks: 'docker', timeScale: 0.1 })
    fs.writeFileSync(
      path.join(world.workspace, 'Dockerfile.hostile'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        // A fresh value each run, so the step is never cached and its output always printed.
        'ARG NONCE=0',
        `RUN echo "build $NONCE" && echo '::error::x' && echo '::add-mask::y' && echo '  ::error::indented' && echo 'a ##[group]g' && printf 'z\\r::warning::w\\n' && echo '::stop-commands::tok'`,
        'COPY hostile.sh /app.sh',
        'ENTRYPOINT ["/bin/sh", "/app.sh"]',
        ''
      ].join('\n')
    )
    fs.writeFileSync(
      path.join(world.workspace, 'hostile.sh'),
      [
        '#!/bin/sh',
        'echo "app: starting"',
        "echo '::error::x'",
        "echo '::add-mask::y'",
        "echo '::stop-commands::tok'",
        "echo '##[group]g'",
        "printf 'z\\r::warning::w\\n'",
        "printf 'cr\\r::error::cr-injected\\n'",
        'exit 3',
        ''
      ].join('\n')
    )
    await world.registerService('web', {
      repository,
      'create-repository': 'true',
      'task-definition': 'task-definition.json',
      'container-name': 'web'
    })
    run = await world.run({
      repository,
      dockerfile: 'Dockerfile.hostile',
      'build-args': `NONCE=${randomSha()}`,
      'task-definition': 'task-definition.json',
      'container-name': 'web',
      service: 'web',
      'wait-for-minutes': '3'
    })
  }, 300_000)

  afterAll(async () => {
    await world?.stop()
  }, 60_000)

  test('the build log is visible, verbatim, and none of its lines acts on the runner', () => {
    expect(run.exitCode).toBe(1)
    expect(foreign(run.commands)).toEqual([])
    expectBlocksClosed(run.commands)
    // Verbatim, inside one of our blocks: the stop before it, its resume after it.
    for (const line of [
      '::error::x',
      '::add-mask::y',
      '  ::error::indented',
      'a ##[group]g',
      'z\r::warning::w'
    ])
      expect(run.output).toContain(`\n${line}\n`)
    const at = run.output.indexOf('\n::stop-commands::tok\n')
    const open = [...run.output.slice(0, at).matchAll(/::stop-commands::([0-9a-f]{32})\n/g)].pop()
    expect(open).toBeDefined()
    expect(run.output.indexOf(`\n::${open![1]}::\n`, at)).toBeGreaterThan(at)
    expect(run.output).toMatch(/Step \d+\/\d+ : RUN echo "build \$NONCE"/)
  })

  test('our own annotations after the build still work', () => {
    expectOurErrorsSeen(run, /exited with code 3/)
    expect(run.errors.find(e => e.title === 'Deployment failed')?.message).toContain(
      'web: container exited with code 3'
    )
  })

  test("the crashed container's log tail is printed and summarised, and none of it survives as a command", () => {
    // Every line of the tail under the prefix, also the one a lone \r starts.
    for (const line of [
      '::error::x',
      '::add-mask::y',
      '::stop-commands::tok',
      '## [group]g',
      'z',
      '::warning::w',
      'cr',
      '::error::cr-injected'
    ])
      expect(run.output).toContain(`    | ${line}\n`)
    // The summary has the tail as it was, fenced.
    expect(run.summary).toContain('::error::cr-injected')
    expect(run.summary).toContain('##[group]g')
    expect(run.summary).toMatch(/```+text\n/)
    expect(foreign(run.commands)).toEqual([])
  })
})

describe('with scripted tasks: stopped reasons with newlines', () => {
  let world: World
  let serial = 0
  const image = (kind: string) => `${world.registry}/${kind}/app@sha256:${randomSha().padEnd(64, '0')}`

  beforeAll(async () => {
    world = await startWorld({ tasks: 'scripted', timeScale: 0.05 })
    await setRules(world.sim.url, [
      {
        image: '/pull-reason/',
        outcome: 'pullError',
        reason:
          'CannotPullContainerError: denied\n::error::from-reason\r::add-mask::reason-mask\n  ##[warning]v1 reason'
      },
      {
        image: '/crash-reason/',
        outcome: 'crash',
        exitCode: 2,
        afterMs: 300,
        reason: 'OutOfMemoryError: killed\r\n::error::container-reason\n::stop-commands::tok'
      },
      { image: '/good/', outcome: 'healthy' }
    ])
  }, 60_000)

  afterAll(async () => {
    await world?.stop()
  }, 60_000)

  async function deployTo(kind: string): Promise<ActionRun> {
    const name = `svc-${++serial}`
    await world.registerService(name, { image: image('good'), 'task-definition': 'task-definition.json' })
    return world.run({
      image: image(kind),
      'task-definition': 'task-definition.json',
      'container-name': 'web',
      service: name,
      'wait-for-minutes': '2'
    })
  }

  test.each([
    ['a stopped reason (task failed to start)', 'pull-reason', 'from-reason', /CannotPullContainerError/],
    ['a container reason (crash)', 'crash-reason', 'container-reason', /exited with code 2|OutOfMemoryError/]
  ])(
    '%s: printed, annotated, summarised, never a command',
    async (_, kind, word, cause) => {
      const run = await deployTo(kind)
      expect(run.exitCode).toBe(1)
      expect(foreign(run.commands)).toEqual([])
      expectBlocksClosed(run.commands)
      expectOurErrorsSeen(run, cause)
      // Still there for a person to read: in the log and in the summary.
      expect(run.output).toContain(word)
      expect(run.summary).toContain(word)
    },
    180_000
  )
})

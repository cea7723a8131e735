/**
 * Hostile input (issue 10): every row of hostile-cases.ts run with dist/index.js against the local ECS
 * (scripted task backend: a bad input must fail before any build, so no row needs Docker). Each row starts
 * from a fresh simulator state and a fresh workspace, and must end with exit 1, one `::error` naming the
 * input (file:line for a task definition), no mutating call and nothing secret shown. A second part proves
 * the harness sees a success, mutating calls and leaked text when they happen.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs'
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr'
import { getCalls, reset, type SimCall } from '../../packages/ecs-sim/testing.js'
import { repoRoot, type ActionRun } from '../../scripts/run-action.js'
import { CREDENTIALS, registryInUse, startWorld, type World } from '../../testkit/world.js'
import { createWorkspace } from '../../testkit/workspace.js'
import {
  CASES,
  check,
  CLUSTER,
  DECOY_REPOSITORY,
  MUTATING_CALLS,
  namesInput,
  REPOSITORY,
  SERVICE,
  type FileContent,
  type HostileCase
} from './hostile-cases.js'

const REGISTRY = registryInUse()
/** An image given by digest: deployed as it is, no ECR lookup, no build. */
const GIVEN_IMAGE = `${REGISTRY}/${REPOSITORY}@sha256:${'a'.repeat(64)}`
/** No row may reach Docker; if one does, it fails there instead of building on the shared engine. */
const NO_DOCKER = 'unix:///nonexistent/ecs-deploy-hostile-suite.sock'
/** A row still running after this long is stuck (e.g. reading something that never ends). */
const ROW_DEADLINE_MS = 20_000

const BASES: Record<'image' | 'build', Record<string, string>> = {
  image: {
    cluster: CLUSTER,
    service: SERVICE,
    'task-definition': 'task-definition.json',
    'container-name': 'web',
    image: GIVEN_IMAGE
  },
  build: {
    cluster: CLUSTER,
    service: SERVICE,
    'task-definition': 'task-definition.json',
    'container-name': 'web',
    repository: REPOSITORY,
    network: 'none'
  }
}

let world: World
/** The folder the rows' workspaces go in: the world's own (empty) workspace, removed with it. */
let root: string

beforeAll(async () => {
  // No cluster and no default inputs: each row makes its own (freshWorld, BASES).
  world = await startWorld({
    tasks: 'scripted',
    timeScale: 0.05,
    registry: REGISTRY,
    cluster: null,
    inputs: {},
    workspace: { app: false, prefix: 'ecs-deploy-hostile-' }
  })
  root = world.workspace
}, 60_000)

afterAll(async () => {
  await world?.stop()
}, 60_000)

/**
 * A fresh world: the simulator forgets everything (state and call log), then gets a cluster, a service on
 * a registered revision and the ECR repositories. Returns how many calls the log holds after that, so a
 * row's calls are the ones after it.
 */
async function freshWorld(desiredCount = 0): Promise<number> {
  await reset(world.sim.url)
  await world.createCluster(CLUSTER)
  const td = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples/app/task-definition.json'), 'utf8'))
  td.containerDefinitions[0].image = GIVEN_IMAGE
  const registered = await world.ecs.send(new RegisterTaskDefinitionCommand(td))
  await world.createService(SERVICE, registered.taskDefinition?.taskDefinitionArn as string, {
    cluster: CLUSTER,
    desiredCount,
    wait: false
  })
  for (const repositoryName of [REPOSITORY, DECOY_REPOSITORY])
    await world.ecr.send(new CreateRepositoryCommand({ repositoryName }))
  return (await getCalls(world.sim.url)).length
}

let serial = 0

function write(file: string, content: FileContent): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, typeof content === 'function' ? content() : content)
}

/** `<root>/<n>/ws` is the workspace (the example app's files), `<root>/<n>` the folder above it. */
function makeWorkspace(c: Pick<HostileCase, 'files' | 'outside' | 'symlinks'>): string {
  const above = path.join(root, String(++serial))
  const workspace = createWorkspace({ at: path.join(above, 'ws'), busybox: false }).dir
  for (const [name, content] of Object.entries(c.outside ?? {})) write(path.join(above, name), content)
  for (const [name, content] of Object.entries(c.files ?? {})) write(path.join(workspace, name), content)
  for (const [name, target] of Object.entries(c.symlinks ?? {}))
    fs.symlinkSync(target, path.join(workspace, name))
  return workspace
}

/** Stands for the workspace's absolute path in an input value. */
const WORKSPACE = '<workspace>'

function inputsOf(c: Pick<HostileCase, 'base' | 'inputs'>, workspace: string): Record<string, string> {
  const inputs: Record<string, string> = { ...BASES[c.base ?? 'image'] }
  for (const [name, value] of Object.entries(c.inputs)) {
    if (value === null) delete inputs[name]
    else inputs[name] = value.replaceAll(WORKSPACE, workspace)
  }
  return inputs
}

async function runRow(
  c: Pick<HostileCase, 'base' | 'inputs' | 'env' | 'files' | 'outside' | 'symlinks'>,
  since: number
): Promise<{ run: ActionRun; calls: SimCall[] }> {
  const workspace = makeWorkspace(c)
  let timer: NodeJS.Timeout | undefined
  try {
    const run = await world.run(inputsOf(c, workspace), {
      cwd: workspace,
      // The post step only removes the Docker config a build logged in with; no row gets that far.
      post: false,
      env: { DOCKER_HOST: NO_DOCKER, ...c.env },
      onStart: child => {
        timer = setTimeout(() => child.kill('SIGKILL'), ROW_DEADLINE_MS)
      }
    })
    const calls = (await getCalls(world.sim.url)).slice(since)
    return { run, calls }
  } finally {
    clearTimeout(timer)
    fs.rmSync(path.dirname(workspace), { recursive: true, force: true })
  }
}

function tail(text: string, n = 2000): string {
  return text.length > n ? `…${text.slice(-n)}` : text
}

describe('hostile input: exit 1, one error naming the input, no mutating call, nothing secret shown', () => {
  test('the table has at least 80 rows, each with its own name', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80)
    expect(new Set(CASES.map(c => c.name)).size).toBe(CASES.length)
  })

  test.each(CASES)(
    '$name',
    async c => {
      const since = await freshWorld()
      const { run, calls } = await runRow(c, since)
      const problems = check(c, run, calls)
      expect(problems.length === 0 ? [] : [...problems, `output: ${tail(run.output)}`]).toEqual([])
    },
    60_000
  )
})

describe('the harness sees success, mutating calls and leaks', () => {
  // The loosest row of the table: whatever a valid deploy does, `check` must call it wrong.
  const anyRow: HostileCase = {
    name: 'a valid deploy judged as a hostile row',
    inputs: {},
    expect: { exitCode: 1, errors: 1, input: 'image' }
  }

  test('a valid deploy of a given image: exit 0, no error, RegisterTaskDefinition and UpdateService', async () => {
    const since = await freshWorld(1)
    const { run, calls } = await runRow({ inputs: { 'wait-for-minutes': '2' } }, since)
    expect({ exitCode: run.exitCode, errors: run.errors }).toEqual({ exitCode: 0, errors: [] })
    const operations = calls.map(call => call.operation).filter(op => MUTATING_CALLS.has(op))
    expect(operations).toEqual(['RegisterTaskDefinition', 'UpdateService'])
    expect(run.outputs['task-definition-arn']).toMatch(/:task-definition\/demo-web:2$/)
    expect(run.outputs.image).toBe(GIVEN_IMAGE)
    expect(run.output).toContain('demo-web:2')
    const problems = check(anyRow, run, calls)
    expect(problems).toEqual(
      expect.arrayContaining([
        'exit code 0, expected 1',
        '0 ::error annotations, expected 1: []',
        'mutating calls: RegisterTaskDefinition, UpdateService'
      ])
    )
  }, 60_000)

  test('valid spellings are still taken: an absolute path inside the workspace, a symlink inside it, True/FALSE', async () => {
    const since = await freshWorld()
    const { run, calls } = await runRow(
      {
        inputs: {
          'task-definition': 'deploy/td.json',
          rollback: 'True',
          'force-new-deployment': 'FALSE',
          'wait-for-service-stability': 'false',
          'desired-count': '0'
        },
        symlinks: { deploy: '.', 'td.json': 'task-definition.json' }
      },
      since
    )
    expect({ exitCode: run.exitCode, errors: run.errors }).toEqual({ exitCode: 0, errors: [] })
    expect(calls.map(call => call.operation).filter(op => MUTATING_CALLS.has(op))).toEqual([
      'RegisterTaskDefinition',
      'UpdateService'
    ])
  }, 60_000)

  test('an absolute task-definition path inside the workspace deploys', async () => {
    const since = await freshWorld()
    const { run } = await runRow(
      {
        inputs: {
          'task-definition': `${WORKSPACE}/task-definition.json`,
          'wait-for-service-stability': 'false'
        }
      },
      since
    )
    expect({ exitCode: run.exitCode, errors: run.errors }).toEqual({ exitCode: 0, errors: [] })
  }, 60_000)
})

describe('check: what a row calls wrong', () => {
  const row: HostileCase = {
    name: 'example',
    inputs: {},
    expect: { exitCode: 1, errors: 1, input: 'network' },
    secrets: ['root:x:0:0']
  }
  const fileRow: HostileCase = {
    name: 'example file',
    inputs: {},
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 4 }
  }
  function runWith(over: Partial<ActionRun>): ActionRun {
    return {
      exitCode: 1,
      output: '',
      outputs: {},
      summary: '',
      state: {},
      errors: [
        { title: 'Invalid input: network', message: 'Input "network": "bogus" is not a network mode' }
      ],
      warnings: [],
      durationMs: 1,
      dockerConfigLeft: false,
      dockerAuths: {},
      commands: [],
      ...over
    }
  }
  const call = (operation: string): SimCall =>
    ({ operation, service: 'ecs', time: new Date(0).toISOString() }) as unknown as SimCall

  test.each<{ name: string; c: HostileCase; run: ActionRun; calls: SimCall[]; problem: RegExp | null }>([
    { name: 'a row that holds', c: row, run: runWith({}), calls: [call('DescribeServices')], problem: null },
    { name: 'exit 0', c: row, run: runWith({ exitCode: 0 }), calls: [], problem: /^exit code 0/ },
    {
      name: 'two errors',
      c: row,
      run: runWith({ errors: [...runWith({}).errors, { message: 'again' }] }),
      calls: [],
      problem: /^2 ::error annotations/
    },
    {
      name: 'an error that does not name the input',
      c: row,
      run: runWith({
        errors: [
          {
            title: 'Docker build failed',
            message: 'docker build exited with code 1: network bogus not found'
          }
        ]
      }),
      calls: [],
      problem: /does not name input "network"/
    },
    {
      name: 'a mutating call',
      c: row,
      run: runWith({}),
      calls: [call('DescribeServices'), call('RegisterTaskDefinition')],
      problem: /^mutating calls: RegisterTaskDefinition$/
    },
    {
      name: 'a secret in the summary',
      c: row,
      run: runWith({ summary: '### not the string "root:x:0:0:root:/root:/bin/bash"' }),
      calls: [],
      problem: /^the summary shows root:x:0:0/
    },
    {
      name: 'the AWS secret key in the output',
      c: row,
      run: runWith({ output: `key ${CREDENTIALS.secretAccessKey}` }),
      calls: [],
      problem: /^the output shows/
    },
    {
      name: 'a whole file quoted',
      c: row,
      run: runWith({ errors: [{ message: `Input "network": ${'x'.repeat(5000)}` }] }),
      calls: [],
      problem: /characters long/
    },
    {
      name: 'a stack trace',
      c: row,
      run: runWith({ output: 'TypeError: x\n    at run (/work/dist/index.js:12:34)\n' }),
      calls: [],
      problem: /stack trace/
    },
    {
      name: 'a file error on the wrong line',
      c: fileRow,
      run: runWith({ errors: [{ file: 'td.json', line: '5', message: 'td.json:5:3: Expected ","' }] }),
      calls: [],
      problem: /annotation line 5, expected 4/
    },
    {
      name: 'a file error whose message does not name the file',
      c: fileRow,
      run: runWith({ errors: [{ file: 'td.json', line: '4', message: 'Expected ","' }] }),
      calls: [],
      problem: /does not name td\.json/
    },
    {
      name: 'a file error with no line',
      c: fileRow,
      run: runWith({ errors: [{ file: 'td.json', message: 'td.json: Maximum call stack size exceeded' }] }),
      calls: [],
      problem: /has no line/
    },
    {
      name: 'a secret the runner masks',
      c: row,
      run: runWith({
        output: `::add-mask::${CREDENTIALS.secretAccessKey}\nkey ${CREDENTIALS.secretAccessKey}\n`
      }),
      calls: [],
      problem: null
    },
    {
      name: 'a file error that holds',
      c: fileRow,
      run: runWith({ errors: [{ file: 'td.json', line: '4', message: 'td.json:4:21: Expected ","' }] }),
      calls: [],
      problem: null
    }
  ])('$name', ({ c, run, calls, problem }) => {
    const problems = check(c, run, calls)
    if (problem === null) expect(problems).toEqual([])
    else expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]))
  })

  test.each([
    { message: 'Input "create-repository": "yes" is not a boolean', input: 'create-repository', names: true },
    { message: 'Service "x" was not found in cluster "y" (input "service").', input: 'service', names: true },
    { message: 'repository: "UPPER" is not a valid ECR repository name', input: 'repository', names: true },
    {
      message: 'Container "api" is not in td.json.\nHint: Set the container-name input',
      input: 'container-name',
      names: true
    },
    {
      message: 'Task definition "x" could not be described: Unable to describe task definition.',
      input: 'task-definition-family',
      names: false
    },
    {
      message: 'Input "task-definition": outside the workspace',
      input: 'task-definition-family',
      names: false
    },
    { message: 'the service was not changed', input: 'service', names: false }
  ])('namesInput($input): $names for %#', ({ message, input, names }) => {
    expect(namesInput({ message }, input)).toBe(names)
  })
})

/**
 * Every task-definition file we have goes through what the action does with it before registering (load,
 * clean, leave out what ECS refuses with a notice, choose the container, check what ECS refuses, render)
 * and is then registered on the strict local ECS (scripted backend, real SDK client). Each one either
 * registers, or fails in the plan with exactly one error that names its file and line — never at
 * RegisterTaskDefinition, after a build and push.
 *
 * Files: the real-world corpus (../shared/corpus/task-definitions, when it is there), whatever is in
 * __tests__/fixtures/task-definitions/, and the rule fixtures in __tests__/fixtures/register-rules/
 * (README.md there says which real shape each stands for; their outcomes are pinned below).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ECSClient } from '@aws-sdk/client-ecs'
import { DeployError } from '../../src/errors.js'
import { loadTaskDefinitionFile, type LoadedTaskDefinition } from '../../src/task-definition/load.js'
import { registerTaskDefinition } from '../../src/task-definition/register.js'
import { assertRegistrable } from '../../src/task-definition/registrable.js'
import { renderTaskDefinition, selectContainer } from '../../src/task-definition/render.js'
import { startSim, type RunningSim } from '../../packages/ecs-sim/testing.js'
import { clients } from '../../packages/ecs-sim/__tests__/helpers.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const corpusDir = path.resolve(repoRoot, '../shared/corpus/task-definitions')
const fixturesDir = path.join(repoRoot, '__tests__/fixtures/task-definitions')
const rulesDir = path.join(repoRoot, '__tests__/fixtures/register-rules')
const NEW_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:' + 'cd'.repeat(32)

/** Task-definition files under a folder (any depth), as [folder, path relative to it]. */
function taskDefinitionFiles(dir: string): Array<[string, string]> {
  if (!fs.existsSync(dir)) return []
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter(f => /\.(json|ya?ml)$/i.test(f) && fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map(f => [dir, f.split(path.sep).join('/')])
}

let sim: RunningSim
let ecs: ECSClient
beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.02 })
  ecs = clients(sim.url, 1).ecs
})
afterAll(async () => {
  await sim?.stop()
})

type Outcome = { registered: string; notices: string[] } | { error: DeployError }

/**
 * What the action does between reading the file and RegisterTaskDefinition, for a deploy of a new image
 * into the container that leaves its image empty (or the first one), then the register call itself.
 * `cwd` is the folder the file is named relative to (the workspace for the action).
 */
async function deployThrough(cwd: string, file: string): Promise<Outcome> {
  let loaded: LoadedTaskDefinition
  let rendered
  try {
    loaded = await loadTaskDefinitionFile(file, cwd)
    const containers = loaded.input.containerDefinitions ?? []
    const target = (containers.find(c => (c.image ?? '') === '') ?? containers[0]).name as string
    selectContainer(loaded, target)
    assertRegistrable(loaded, target)
    rendered = renderTaskDefinition(loaded.input, target, NEW_IMAGE)
  } catch (error) {
    if (error instanceof DeployError) return { error }
    throw error
  }
  // Not in the try: a refusal here is what this test exists to rule out.
  const registered = await registerTaskDefinition(ecs, rendered, loaded.tags)
  return { registered: registered.taskDefinitionArn as string, notices: loaded.notices.map(n => n.message) }
}

/** Registered, or one located plan error: never anything else. */
function expectRegisteredOrOneLocatedError(outcome: Outcome, file: string): void {
  if ('registered' in outcome) {
    expect(outcome.registered).toMatch(/^arn:aws:ecs:eu-west-1:123456789012:task-definition\/[\w-]+:\d+$/)
    return
  }
  const { error } = outcome
  expect({ file: error.file }).toEqual({ file })
  expect(error.line).toEqual(expect.any(Number))
  expect(error.column).toEqual(expect.any(Number))
  expect(error.title.length).toBeGreaterThan(0)
}

const corpusFiles = taskDefinitionFiles(corpusDir)
const fixtureFiles = taskDefinitionFiles(fixturesDir)

describe('the real-world corpus registers on the strict local ECS, or fails in the plan at file:line', () => {
  if (corpusFiles.length === 0) {
    test.skip(`skipped: no corpus at ${corpusDir} (it lives beside the repository, in ../shared; CI has it)`, () => {})
    return
  }
  test.each(corpusFiles)('%#: %s/%s', async (dir, file) => {
    expectRegisteredOrOneLocatedError(await deployThrough(dir, file), file)
  })
})

describe('the project fixtures register on the strict local ECS, or fail in the plan at file:line', () => {
  if (fixtureFiles.length === 0) {
    test.skip(`skipped: no files in ${path.relative(repoRoot, fixturesDir)} yet`, () => {})
    return
  }
  test.each(fixtureFiles)('%#: %s', async (dir, file) => {
    const relative = path.relative(repoRoot, path.join(dir, file)).split(path.sep).join('/')
    expectRegisteredOrOneLocatedError(await deployThrough(repoRoot, relative), relative)
  })
})

describe('the register-rules fixtures: each rule fixed with a notice, or one error at its line', () => {
  type Expected = { notices: RegExp[] } | { title: RegExp; line: number; message: RegExp }
  const expected: Record<string, Expected> = {
    'empty-tags-console-export.json': { notices: [/^tags was left out .*"Tags can not be empty\."$/] },
    'empty-modes-cli-skeleton.json': {
      notices: [
        /^networkMode was left out \(networkMode is ""\)/,
        /^pidMode was left out/,
        /^ipcMode was left out/,
        /^containerDefinitions\[0\]\.portMappings\[0\]\.protocol was left out/
      ]
    },
    'empty-credentials-console.json': {
      notices: [/^containerDefinitions\[0\]\.repositoryCredentials was left out/, /^tags was left out/]
    },
    'env-number-value.yaml': { notices: [] },
    'fargate-bridge.json': {
      title: /Fargate needs awsvpc/,
      line: 3,
      message: /networkMode: ClientException: Fargate only supports network mode ‘awsvpc’\./
    },
    'fargate-size.yaml': {
      title: /Fargate CPU and memory/,
      line: 7,
      message: /No Fargate configuration exists for given values: 256 CPU, 4096 memory/
    },
    'ec2-no-memory.json': {
      title: /container memory missing/,
      line: 5,
      message: /Invalid setting for container 'worker'\. At least one of 'memory' or 'memoryReservation'/
    },
    'awsvpc-host-port.json': {
      title: /host port differs under awsvpc/,
      line: 12,
      message: /host ports and container ports in port mappings must match/
    },
    'eleven-containers.json': {
      title: /more than 10 containers/,
      line: 64,
      message: /Too many containers\./
    },
    'env-object-value.json': {
      title: /value of the wrong type/,
      line: 14,
      message: /environment\[1\]\.value: SerializationException: Start of list found where not expected\./
    },
    'cpu-object.json': {
      title: /value of the wrong type/,
      line: 5,
      message: /cpu: SerializationException: Start of structure or map found where not expected\./
    },
    'container-memory-negative.json': {
      title: /memory not above 0/,
      line: 3,
      message: /Invalid 'memory' setting for container 'api': -5/
    },
    'no-essential.json': {
      title: /no essential container/,
      line: 3,
      message: /at least one essential container/
    },
    'placeholder-network-mode.json': {
      title: /value not allowed/,
      line: 3,
      message: /\{\{networkmode\}\} is not a valid value for networkMode/
    }
  }

  test('every fixture has a pinned outcome, and every pinned outcome a fixture', () => {
    expect(taskDefinitionFiles(rulesDir).map(([, f]) => f)).toEqual(Object.keys(expected).sort())
  })

  test.each(Object.entries(expected))('%s', async (name, want) => {
    const file = `__tests__/fixtures/register-rules/${name}`
    const outcome = await deployThrough(repoRoot, file)
    expectRegisteredOrOneLocatedError(outcome, file)
    if ('notices' in want) {
      expect('registered' in outcome ? outcome.notices : outcome.error.message).toEqual(
        want.notices.map(n => expect.stringMatching(n))
      )
    } else {
      if ('registered' in outcome) throw new Error(`${name} registered; expected ${String(want.title)}`)
      expect(outcome.error.title).toMatch(want.title)
      expect(outcome.error.line).toBe(want.line)
      expect(outcome.error.message).toMatch(new RegExp(`^${file.replace(/\./g, '\\.')}:${want.line}:\\d+: `))
      expect(outcome.error.message).toMatch(want.message)
    }
  })
})

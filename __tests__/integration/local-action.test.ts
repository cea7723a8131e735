/**
 * The action's TypeScript source run by @github/local-action (`npx local-action run . src/main.ts <env
 * file>`), as README "Running locally" does, against the local ECS/ECR with the docker task backend: a
 * green deploy and a red one (the example app built with APP_MODE=crash exits 3 on start).
 *
 * local-action swaps @actions/core for its own stub, which lacks some members of the real one (ExitCode);
 * this is where a failure path that used them would show: a TypeError and stack traces instead of one
 * error annotation and exit code 1.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startWorld, type World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'
import { repoRoot } from '../../scripts/run-action.js'
import { actionStackFrames, localActionErrors, type LocalError } from '../readme.js'

interface LocalRun {
  exitCode: number | null
  output: string
  errors: LocalError[]
  /** `::set-output name=…::…` lines: local-action prints each output as it is set. */
  outputs: Record<string, string>
  summary: string
}

let world: World
let dir: string
let runs = 0
const repository = `it-local-${Date.now().toString(36)}`
const SERVICE = 'web'

/** Writes an env file as a user would (KEY=value lines) and runs local-action with it from the repo root. */
async function localAction(vars: Record<string, string>): Promise<LocalRun> {
  runs += 1
  const envFile = path.join(dir, `run-${runs}.env`)
  const summaryFile = path.join(dir, `summary-${runs}.md`)
  const runnerTemp = path.join(dir, `runner-temp-${runs}`)
  fs.mkdirSync(runnerTemp)
  const all: Record<string, string> = {
    ...world.awsEnv,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    GITHUB_WORKSPACE: world.workspace,
    GITHUB_SHA: randomSha(),
    GITHUB_STEP_SUMMARY: summaryFile,
    // The Docker config the main step logs in with goes here; local-action runs no post step to remove it.
    RUNNER_TEMP: runnerTemp,
    INPUT_REPOSITORY: repository,
    'INPUT_CREATE-REPOSITORY': 'true',
    INPUT_CONTEXT: world.workspace,
    'INPUT_TASK-DEFINITION': 'task-definition.json',
    'INPUT_CONTAINER-NAME': 'web',
    INPUT_CLUSTER: world.cluster,
    INPUT_NETWORK: 'none',
    'INPUT_WAIT-FOR-MINUTES': '3',
    ...vars
  }
  fs.writeFileSync(
    envFile,
    Object.entries(all)
      .map(([k, v]) => `${k}=${v}\n`)
      .join('')
  )
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOCKER_HOST: process.env.DOCKER_HOST,
    NO_COLOR: '1'
  }
  const { exitCode, output } = await new Promise<{ exitCode: number | null; output: string }>(
    (resolve, reject) => {
      const child = spawn('npx', ['local-action', 'run', '.', 'src/main.ts', envFile], {
        cwd: repoRoot,
        env,
        stdio: ['ignore', 'pipe', 'pipe']
      })
      let out = ''
      child.stdout.on('data', (c: Buffer) => (out += c.toString()))
      child.stderr.on('data', (c: Buffer) => (out += c.toString()))
      child.on('error', reject)
      child.on('close', code => resolve({ exitCode: code, output: out }))
    }
  )
  const outputs: Record<string, string> = {}
  for (const m of output.matchAll(/^::set-output name=([\w-]+)::(.*)$/gm)) outputs[m[1]] = m[2]
  return {
    exitCode,
    output,
    errors: localActionErrors(output),
    outputs,
    summary: fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, 'utf8') : ''
  }
}

/** Runs the assertions; when one fails, its message ends with the end of the run's output. */
async function explained(run: LocalRun, check: () => Promise<void> | void): Promise<void> {
  try {
    await check()
  } catch (error) {
    const tail = run.output.split('\n').slice(-120).join('\n')
    if (error instanceof Error) error.message += `\n\n--- local-action output (end) ---\n${tail}`
    throw error
  }
}

beforeAll(async () => {
  world = await startWorld({ tasks: 'docker', timeScale: 0.1 })
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-local-action-'))
  // As README "Running locally" does: one run without a service registers the first revision…
  const first = await localAction({ INPUT_SERVICE: '' })
  if (first.exitCode !== 0) throw new Error(`register-only run failed:\n${first.output}`)
  // …then the service is created from it.
  await world.createService(SERVICE, first.outputs['task-definition-arn'])
}, 300_000)

afterAll(async () => {
  await world?.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
}, 60_000)

describe('npx local-action run . src/main.ts <env file>', () => {
  test('green: exit 0, the service on the new revision, outputs and job summary written', async () => {
    const before = await world.service(SERVICE)
    const run = await localAction({ INPUT_SERVICE: SERVICE, 'INPUT_BUILD-ARGS': 'APP_MODE=ok' })
    await explained(run, async () => {
      expect({ exitCode: run.exitCode, errors: run.errors }).toEqual({ exitCode: 0, errors: [] })
      expect(run.output).not.toContain('TypeError')
      expect(actionStackFrames(run.output)).toEqual([])
      const after = await world.service(SERVICE)
      expect(after.taskDefinition).toBe(run.outputs['task-definition-arn'])
      expect(after.taskDefinition).not.toBe(before.taskDefinition)
      expect(after.deployments?.[0].id).toBe(run.outputs['deployment-id'])
      expect(run.outputs.image).toMatch(new RegExp(`^${world.registry}/${repository}@sha256:[0-9a-f]{64}$`))
      // local-action's stub of core.summary wrote the job summary to GITHUB_STEP_SUMMARY.
      expect(run.summary).toContain(run.outputs['deployment-id'])
    })
  }, 300_000)

  test('red: exit 1, one "Deployment failed" error carrying the cause, no TypeError, no stack trace', async () => {
    const before = await world.service(SERVICE)
    const run = await localAction({ INPUT_SERVICE: SERVICE, 'INPUT_BUILD-ARGS': 'APP_MODE=crash' })
    await explained(run, async () => {
      expect(run.exitCode).toBe(1)
      const titles = run.errors.map(e => e.title)
      // The other causes, as the bundled action annotates them, then the failure: exactly one of it,
      // carrying the first cause with the verdict (issue 13: each cause once).
      expect(titles.filter(t => t === 'Deployment failed')).toHaveLength(1)
      expect(titles[titles.length - 1]).toBe('Deployment failed')
      expect(run.errors[run.errors.length - 1].message).toContain('web: container exited with code 3')
      expect(run.errors.every(e => e.title)).toBe(true)
      expect(run.output).not.toContain('TypeError')
      expect(actionStackFrames(run.output)).toEqual([])
      // The run got to its end: local-action lists the outputs, and the service is back where it was.
      expect(run.output).toContain('Action Outputs')
      expect(run.outputs['task-definition-arn']).toMatch(/^arn:aws:ecs:/)
      expect(run.output).toMatch(/Rolled back to demo-web:\d+/)
      expect((await world.service(SERVICE)).taskDefinition).toBe(before.taskDefinition)
    })
  }, 400_000)
})

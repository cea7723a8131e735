/**
 * README "Running locally", step by step: its `sh` blocks, run by bash as a user types them, with the AWS
 * CLI and @github/local-action. What the test changes, and only that (substituteStep in ./readme.ts,
 * checked in docs.test.ts):
 * - the simulator's port 4566 becomes a free port, so this run never meets a simulator someone started;
 * - `.env` becomes a file in this test's temp directory, so a user's own .env is never touched, and
 *   once it is copied from .env.example, the port in its AWS_ENDPOINT_URL becomes the free port too;
 * - the simulator gets `--time-scale 0.1` (its ECS delays, 10x shorter);
 * - TMPDIR points into the test's temp directory (the Docker config and build files the action writes
 *   there are removed with it).
 * Each block runs in its own `bash -e`; the second terminal's `export` and `eval` lines carry over to
 * its later blocks, as they would in one terminal.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  ECSClient,
  type Service
} from '@aws-sdk/client-ecs'
import { repoRoot } from '../../scripts/run-action.js'
import { health } from '../../packages/ecs-sim/testing.js'
import {
  actionStackFrames,
  localActionErrors,
  runningLocallySteps,
  substituteStep,
  type ReadmeStep
} from '../readme.js'

const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8')
const steps = runningLocallySteps(readme)

/** Why the steps cannot run here, if they cannot: said in the test's name, never a silent pass. */
function missing(): string | undefined {
  const aws = spawnSync('aws', ['--version'], { encoding: 'utf8' })
  if (aws.error || aws.status !== 0) return 'the AWS CLI is not installed (Debian: apt-get install awscli)'
  if (!['/bin/busybox', '/usr/bin/busybox'].some(p => fs.existsSync(p)))
    return 'no static busybox (Debian: apt-get install busybox-static)'
  return undefined
}
const reason = missing()

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

let dir: string
let port: number
let envFile: string
let sim: ChildProcess | undefined
let busyboxCreated = false
const busyboxTarget = path.join(repoRoot, 'examples/app/busybox')

/** A user's shell: this environment without jest's Node options, temp files in the test's directory. */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: path.join(dir, 'tmp'), NO_COLOR: '1' }
  delete env.NODE_OPTIONS
  return env
}

function substituted(step: ReadmeStep): string {
  return substituteStep(step.body, { port, envFile, simFlags: '--time-scale 0.1' })
}

interface StepRun {
  exitCode: number | null
  output: string
}

function runStep(script: string): Promise<StepRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: repoRoot,
      env: shellEnv(),
      stdio: ['ignore', 'pipe', 'pipe']
    })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    child.on('error', reject)
    child.on('close', exitCode => resolve({ exitCode, output }))
  })
}

let client: ECSClient | undefined
function ecs(): ECSClient {
  client ??= new ECSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' }
  })
  return client
}

async function service(): Promise<Service | undefined> {
  const out = await ecs().send(new DescribeServicesCommand({ cluster: 'demo', services: ['web'] }))
  return out.services?.[0]
}

async function waitForSim(): Promise<void> {
  const deadline = Date.now() + 90_000
  for (;;) {
    try {
      if ((await health(`http://127.0.0.1:${port}`)).ok) return
    } catch {
      // not listening yet
    }
    if (sim?.exitCode !== null && sim?.exitCode !== undefined)
      throw new Error(`the simulator step exited with ${sim.exitCode}`)
    if (Date.now() > deadline) throw new Error('the simulator did not answer within 90 s')
    await new Promise(r => setTimeout(r, 500))
  }
}

/** Fails with the step, its output, and what was asserted. */
function explainStep(n: number, script: string, run: StepRun, check: () => void): void {
  try {
    check()
  } catch (error) {
    const tail = run.output.split('\n').slice(-100).join('\n')
    if (error instanceof Error)
      error.message += `\n\n--- step ${n} (exit ${run.exitCode}) ---\n${script}\n--- output (end) ---\n${tail}`
    throw error
  }
}

beforeAll(async () => {
  if (reason) return
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-readme-'))
  fs.mkdirSync(path.join(dir, 'tmp'))
  envFile = path.join(dir, 'readme.env')
  port = await freePort()
  busyboxCreated = !fs.existsSync(busyboxTarget)
})

afterAll(async () => {
  client?.destroy()
  if (sim?.pid && sim.exitCode === null) {
    const exited = new Promise(r => sim?.once('close', r))
    // The simulator's step runs in its own process group (bash, npm, tsx, node): stop that group.
    process.kill(-sim.pid, 'SIGTERM')
    let timer: NodeJS.Timeout | undefined
    await Promise.race([exited, new Promise(r => (timer = setTimeout(r, 20_000)))])
    clearTimeout(timer)
  }
  if (busyboxCreated) fs.rmSync(busyboxTarget, { force: true })
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
}, 60_000)

describe('README "Running locally"', () => {
  const title = reason
    ? `every step works as written — skipped: ${reason}`
    : 'every step works as written: cluster, register, service, a green deploy, a red one'
  // In CI the tools are installed (.ci/run): there a missing one is a failure, not a skip.
  const run = reason && !process.env.CI ? test.skip : test
  // jest lists no test names for a file whose tests are all skipped: say why on a line of its own.
  if (reason && !process.env.CI) process.stderr.write(`README "Running locally" steps skipped: ${reason}\n`)

  run(
    title,
    async () => {
      if (reason) throw new Error(`cannot run the README steps: ${reason}`)
      expect(steps.map(s => s.terminal)).toEqual([1, 2, 2, 2, 2])

      // Terminal 1: the engine (already up for the tests: `up` leaves it alone) and the simulator.
      sim = spawn('bash', ['-e', '-c', substituted(steps[0])], {
        cwd: repoRoot,
        env: shellEnv(),
        stdio: 'ignore',
        detached: true
      })
      await waitForSim()

      // Terminal 2, block by block.
      const carried: string[] = []
      const results: StepRun[] = []
      for (const [i, step] of steps.slice(1).entries()) {
        const n = i + 2
        const script = [...carried, substituted(step)].join('\n')
        const result = await runStep(script)
        results.push(result)
        const red = /APP_MODE=crash/.test(step.body)
        const errors = localActionErrors(result.output)
        explainStep(n, script, result, () => {
          expect(result.exitCode).toBe(red ? 1 : 0)
          expect(result.output).not.toContain('TypeError')
          expect(actionStackFrames(result.output)).toEqual([])
          if (red) {
            const titles = errors.map(e => e.title)
            expect(titles.filter(t => t === 'Deployment failed')).toHaveLength(1)
            // The cause travels in that one error (issue 13: each cause once).
            expect(errors.find(e => e.title === 'Deployment failed')?.message).toContain(
              'web: container exited with code 3'
            )
          } else {
            expect(errors).toEqual([])
          }
        })
        carried.push(
          ...substituted(step)
            .split('\n')
            .filter(l => /^(export|eval) /.test(l))
        )
        if (fs.existsSync(envFile)) {
          const text = fs.readFileSync(envFile, 'utf8')
          fs.writeFileSync(
            envFile,
            text.replace(/^(AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:)4566$/m, `$1${port}`)
          )
        }

        if (n === 3) {
          // The cluster, the first revision (registered without a service), and the service on it.
          const clusters = await ecs().send(new DescribeClustersCommand({ clusters: ['demo'] }))
          expect(clusters.clusters?.map(c => c.status)).toEqual(['ACTIVE'])
          expect((await service())?.taskDefinition).toMatch(/:task-definition\/demo-web:\d+$/)
          expect(result.output).toMatch(/^::info::Registered demo-web:\d+$/m)
          expect(result.output).not.toContain('::set-output name=deployment-id::')
          expect(fs.readFileSync(envFile, 'utf8')).toMatch(/^INPUT_SERVICE=web$/m)
        }
      }

      // Step 4 deployed a new revision; step 5's crash was rolled back to it.
      const deployed = results[2].output.match(/::set-output name=task-definition-arn::(\S+)/)?.[1]
      expect(deployed).toMatch(/:task-definition\/demo-web:\d+$/)
      expect(results[2].output).toMatch(/deployment completed/i)
      expect(results[3].output).toMatch(/Rolled back to demo-web:\d+/)
      const after = await service()
      expect(after?.taskDefinition).toBe(deployed)
    },
    600_000
  )
})

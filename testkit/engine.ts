/**
 * The Docker engine and registry of scripts/test-env.sh: brought up when they are not running, their
 * environment (DOCKER_HOST, ECS_DEPLOY_REGISTRY) exported into this process, and on stop, only what this
 * process started is stopped, by the PID test-env.sh recorded for it.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { repoRoot } from '../scripts/run-action.js'

const ENV_SCRIPT = path.join(repoRoot, 'scripts', 'test-env.sh')

export interface EnvPids {
  dockerd?: number
  registry?: number
}

export interface EngineStopped {
  stopped: EnvPids
  /** `scripts/test-env.sh down` stopped both (nothing was running before). */
  down: boolean
  problems: string[]
}

export interface Engine {
  /** DOCKER_HOST (or "the default socket") and the registry host:port. */
  host: string
  registry: string
  /** What was running before `startEngine` (test-env.sh's own processes). */
  before: EnvPids
  /** What `startEngine` started: stop() stops these and nothing else. */
  ours: EnvPids
  /**
   * Stops what it started (`down` when nothing was running before, else each by its PID); `log` hears
   * test-env.sh's progress lines. Answers what was stopped and the problems met (none: all clean).
   */
  stop(log: (line: string) => void): Promise<EngineStopped>
}

function runScript(
  args: string[],
  onStderr?: (line: string) => void
): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [ENV_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      for (const line of d.split('\n')) if (line.trim()) onStderr?.(line)
    })
    child.on('error', reject)
    child.on('close', code => resolve({ code, stdout }))
  })
}

/** `status` as pids: what test-env.sh itself started and is running. */
export async function envStatus(): Promise<EnvPids> {
  const { stdout } = await runScript(['status'])
  const pid = (name: string) => {
    const m = new RegExp(`^${name}: running \\(pid (\\d+)\\)`, 'm').exec(stdout)
    return m ? Number(m[1]) : undefined
  }
  return { dockerd: pid('dockerd'), registry: pid('registry') }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function stopPid(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM')
  for (let i = 0; i < 60 && pidAlive(pid); i++) await new Promise(r => setTimeout(r, 250))
  if (pidAlive(pid)) process.kill(pid, 'SIGKILL')
}

/** `docker …` with this process's environment; stdout, and the exit code (null: docker did not run). */
export function docker(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise(resolve => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'ignore'], env: process.env })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.on('error', () => resolve({ code: null, stdout }))
    child.on('close', code => resolve({ code, stdout }))
  })
}

/** Removes the images of `reference` (a `docker image ls --filter reference=` pattern); how many. */
export async function removeImages(reference: string): Promise<number> {
  const listed = await docker(['image', 'ls', '-q', '--filter', `reference=${reference}`])
  const images = [...new Set(listed.stdout.split('\n').filter(Boolean))]
  if (images.length) await docker(['image', 'rm', '-f', ...images])
  return images.length
}

/** `scripts/test-env.sh up` (its progress lines to `log`), then its `env` exported into process.env. */
export async function startEngine(log: (line: string) => void): Promise<Engine> {
  const before = await envStatus()
  let stopped: Promise<EngineStopped> | undefined
  const engine: Engine = {
    host: '',
    registry: '',
    before,
    ours: {},
    stop: log => (stopped ??= stopEngine(engine, log))
  }
  const up = await runScript(['up'], log)
  const after = await envStatus()
  engine.ours = {
    dockerd: after.dockerd !== undefined && after.dockerd !== before.dockerd ? after.dockerd : undefined,
    registry: after.registry !== undefined && after.registry !== before.registry ? after.registry : undefined
  }
  if (up.code !== 0) {
    const { problems } = await engine.stop(log)
    throw new Error([`scripts/test-env.sh up exited with ${up.code}`, ...problems].join('; '))
  }
  for (const l of (await runScript(['env'])).stdout.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(l.trim())
    if (m) process.env[m[1]] = m[2]
  }
  engine.host = process.env.DOCKER_HOST ?? 'the default socket'
  engine.registry = process.env.ECS_DEPLOY_REGISTRY || '127.0.0.1:5001'
  return engine
}

async function stopEngine(engine: Engine, log: (line: string) => void): Promise<EngineStopped> {
  const { before, ours } = engine
  const result: EngineStopped = { stopped: {}, down: false, problems: [] }
  if (ours.dockerd === undefined && ours.registry === undefined) return result
  if (before.dockerd === undefined && before.registry === undefined) {
    const down = await runScript(['down'], log)
    if (down.code !== 0) result.problems.push(`scripts/test-env.sh down: exited with ${down.code}`)
    else Object.assign(result, { stopped: { ...ours }, down: true })
    return result
  }
  // Partly up before (one of the two was running): `down` would stop both, so stop only what was
  // added here, by its PID, as `down` would.
  for (const name of ['dockerd', 'registry'] as const) {
    const pid = ours[name]
    if (pid === undefined) continue
    try {
      await stopPid(pid)
      const envDir = process.env.ECS_DEPLOY_ENV_DIR
      if (envDir) fs.rmSync(path.join(envDir, `${name}.pid`), { force: true })
      result.stopped[name] = pid
    } catch (error) {
      result.problems.push(`stopping the ${name}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return result
}

/**
 * Starts the simulator for tests, benchmarks and the demo, and talks to its control API.
 *
 *   const sim = await startSim({ tasks: 'scripted', timeScale: 0.05 })
 *   const ecs = new ECSClient({ endpoint: sim.url, region: 'eu-west-1', credentials })
 *   ...
 *   await sim.stop()
 */
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CallRecord } from './context.js'
import type { ScriptRule } from './tasks/scripted.js'
import type { HookRule } from './ecs/strategies/hooks.js'
import type { AlarmState } from './ecs/alarms.js'

export type { ScriptRule, HookRule, AlarmState }

export interface StartSimOptions {
  tasks: 'docker' | 'scripted'
  /** host:port of the registry; default ECS_DEPLOY_REGISTRY or 127.0.0.1:5001. */
  registry?: string
  /** Multiplies every delay; default 1 (real ECS speed). */
  timeScale?: number
  /** Default 0: a free port. */
  port?: number
  /** Milliseconds to wait for the ready line; default 30000. */
  readyTimeoutMs?: number
  /** `--fault-seed`: the seed of faults set without one; default a random seed each time. */
  faultSeed?: number
}

export interface RunningSim {
  url: string
  port: number
  pid: number
  /** SIGTERM, then waits for the process to exit (it removes its containers first). */
  stop(): Promise<void>
}

export interface SimFaults {
  throttleRate?: number
  errorRate?: number
  latencyMs?: number
  operations?: string[]
  /**
   * Seeds the fault sequence: the k-th call the faults apply to (the call log's `faultDraw`) gets the
   * fault `faultFor(seed, k, rates)` of sim/random.ts. Default the simulator's `--fault-seed`, else random.
   */
  seed?: number
}

/** The faults in force, as the simulator answers them: the seed is always shown. */
export type SimFaultsInForce = SimFaults & { seed: number }

/** One AWS call as the simulator logged it (GET /_sim/calls). */
export type SimCall = CallRecord

export interface SimTimelineEntry {
  id: string
  region: string
  cluster: string
  service: string
  taskDefinition: string
  createdAt: string
  decidableAt: string | null
  outcome: 'COMPLETED' | 'FAILED' | 'ROLLED_BACK' | null
  reason?: string
  rollbackOf?: string
  /** BLUE_GREEN, LINEAR, CANARY: each lifecycle stage and when it was entered (ISO 8601). */
  stages?: { stage: string; at: string }[]
}

const here = dirname(fileURLToPath(import.meta.url))

export function startSim(opts: StartSimOptions): Promise<RunningSim> {
  const args = [
    '--import',
    'tsx',
    join(here, 'main.ts'),
    '--port',
    String(opts.port ?? 0),
    '--tasks',
    opts.tasks
  ]
  if (opts.registry) args.push('--registry', opts.registry)
  if (opts.timeScale !== undefined) args.push('--time-scale', String(opts.timeScale))
  if (opts.faultSeed !== undefined) args.push('--fault-seed', String(opts.faultSeed))
  // We hold its stdin: if this process dies without calling stop(), the simulator notices and stops.
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ECS_SIM_EXIT_WITH_STDIN: '1' }
  })
  let stopping = false
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  child.once('exit', (code, signal) => {
    if (!stopping)
      process.stderr.write(
        `simulator (pid ${child.pid}) exited unexpectedly (${code ?? signal}); stderr:\n${stderr}\n`
      )
  })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d: string) => {
    stderr += d
    if (stderr.length > 20000) stderr = stderr.slice(-10000)
  })
  return new Promise<RunningSim>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGTERM')
      reject(new Error(`simulator not ready after ${opts.readyTimeoutMs ?? 30000} ms; stderr:\n${stderr}`))
    }, opts.readyTimeoutMs ?? 30000)
    child.once('exit', code => {
      clearTimeout(timer)
      reject(new Error(`simulator exited (${code}) before it was ready; stderr:\n${stderr}`))
    })
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d: string) => {
      out += d
      const m = /^ready (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(out)
      if (!m) return
      clearTimeout(timer)
      child.stdout.removeAllListeners('data')
      child.stdout.resume()
      resolve({
        url: m[1],
        port: Number(m[2]),
        pid: child.pid as number,
        stop: async () => {
          stopping = true
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
          await exited
        }
      })
    })
  })
}

async function control<T>(url: string, path: string, body?: unknown, method?: 'PUT'): Promise<T> {
  const res = await fetch(`${url}/_sim/${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const json = (await res.json()) as T & { error?: string }
  if (!res.ok) throw new Error(`/_sim/${path}: ${res.status} ${json.error ?? ''}`)
  return json
}

export function health(url: string): Promise<{
  ok: boolean
  tasks: string
  registry: string
  timeScale: number
  instance: string
  pid: number
}> {
  return control(url, 'health')
}

export async function reset(url: string): Promise<void> {
  await control(url, 'reset', {})
}

/** Sets the faults (a new seeded sequence starts at index 0) and answers those now in force. */
export function setFaults(url: string, faults: SimFaults): Promise<SimFaultsInForce> {
  return control(url, 'faults', faults)
}

export function getFaults(url: string): Promise<SimFaultsInForce> {
  return control(url, 'faults')
}

export async function setRules(url: string, rules: ScriptRule[]): Promise<ScriptRule[]> {
  return (await control<{ rules: ScriptRule[] }>(url, 'rules', { rules })).rules
}

export async function getCalls(url: string, operation?: string): Promise<SimCall[]> {
  const q = operation ? `?operation=${encodeURIComponent(operation)}` : ''
  return (await control<{ calls: SimCall[] }>(url, `calls${q}`)).calls
}

export async function getTimeline(url: string): Promise<SimTimelineEntry[]> {
  return (await control<{ deployments: SimTimelineEntry[] }>(url, 'timeline')).deployments
}

/** How Lambda lifecycle hooks answer from now on (PUT /_sim/hooks); the first matching rule wins. */
export async function setHookRules(url: string, rules: HookRule[]): Promise<HookRule[]> {
  return (await control<{ rules: HookRule[] }>(url, 'hooks', { rules }, 'PUT')).rules
}

/** Sets the named CloudWatch alarms' states (PUT /_sim/alarms) and answers every alarm's state. */
export async function setAlarms(
  url: string,
  alarms: Record<string, AlarmState>
): Promise<Record<string, AlarmState>> {
  return (await control<{ alarms: Record<string, AlarmState> }>(url, 'alarms', alarms, 'PUT')).alarms
}

export async function getAlarms(url: string): Promise<Record<string, AlarmState>> {
  return (await control<{ alarms: Record<string, AlarmState> }>(url, 'alarms')).alarms
}

/** A container instance to register through the control API (CPU units, memory MiB, reserved host ports). */
export interface SimInstanceSpec {
  cpu: number
  memory: number
  ports?: number[]
  portsUdp?: number[]
}

/** Registers container instances of these sizes in `cluster` (`PUT /_sim/container-instances`). */
export async function addContainerInstances(
  url: string,
  body: { cluster: string; region?: string; instances: SimInstanceSpec[] }
): Promise<{ id: string; arn: string; cpu: number; memory: number }[]> {
  type Out = { containerInstances: { id: string; arn: string; cpu: number; memory: number }[] }
  return (await control<Out>(url, 'container-instances', body, 'PUT')).containerInstances
}

/** The size (and launch time, in unscaled seconds) of the instances a local Auto Scaling group launches. */
export interface SimAutoScalingGroup {
  name: string
  cpu: number
  memory: number
  maxSize?: number
  launchSeconds?: number
}

export async function setAutoScalingGroups(
  url: string,
  body: { region?: string; groups: SimAutoScalingGroup[] }
): Promise<SimAutoScalingGroup[]> {
  return (await control<{ groups: SimAutoScalingGroup[] }>(url, 'auto-scaling-groups', body, 'PUT')).groups
}

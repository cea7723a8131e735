/**
 * The world the action runs in, built once for the integration tests, the demo and the benchmarks: the
 * local ECS/ECR/CloudWatch Logs (sim/) with SDK clients pointed at it, a cluster, a temporary workspace,
 * and runs of the bundled action (dist/index.js) the way the GitHub runner makes them.
 *
 *   const world = await startWorld({ tasks: 'scripted', timeScale: 0.05 })
 *   const first = await world.run({ image, 'task-definition': 'task-definition.json' })
 *   await world.createService('web', first.outputs['task-definition-arn'])
 *   const run = await world.run({ image, 'task-definition': 'task-definition.json', service: 'web' })
 *   await world.stop()
 *
 * `stop()` stops exactly what `startWorld` started (the simulator by its handle, which removes its own
 * containers; the clients; the workspace and the run logs), once, however often it is called.
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { ECRClient } from '@aws-sdk/client-ecr'
import { CreateClusterCommand, ECSClient, type Service } from '@aws-sdk/client-ecs'
import { runAction, type ActionRun, type RunOptions } from '../scripts/run-action.js'
import {
  getCalls,
  health,
  setRules,
  startSim,
  type RunningSim,
  type ScriptRule,
  type SimCall
} from '../packages/ecs-sim/testing.js'
import { docker } from './engine.js'
import { createService, describeService, waitSteady, type ServiceOptions } from './service.js'
import { createWorkspace, randomSha, type WorkspaceOptions } from './workspace.js'

export const REGION = 'eu-west-1'
/** AWS's documented example keys: the simulator takes any. */
export const CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
}

/** The registry the simulator's ECR is backed by: ECS_DEPLOY_REGISTRY (scripts/test-env.sh env) or its default. */
export function registryInUse(): string {
  return process.env.ECS_DEPLOY_REGISTRY || '127.0.0.1:5001'
}

export interface WorldOptions {
  tasks: 'docker' | 'scripted'
  /** The simulator's time scale (every ECS delay is multiplied by it). */
  timeScale: number
  /** Rules for the scripted backend, set before startWorld returns. */
  rules?: ScriptRule[]
  /** The simulator's `--fault-seed`. */
  faultSeed?: number
  /** Default registryInUse(). */
  registry?: string
  /** The cluster to create (default `it-<random>`); null: none (the caller makes its own). */
  cluster?: string | null
  /** The workspace; default the example app (WorkspaceOptions' defaults). */
  workspace?: WorkspaceOptions
  /** Inputs every run gets unless it gives them itself; default `{ network: 'none' }` (the engine has no bridge). */
  inputs?: Record<string, string>
}

export interface WorldRunOptions extends Partial<RunOptions> {
  /** GITHUB_SHA; default a random one each run; null: not set (the action reads git's HEAD). */
  sha?: string | null
}

export interface World {
  sim: RunningSim
  ecs: ECSClient
  ecr: ECRClient
  logs: CloudWatchLogsClient
  registry: string
  region: string
  timeScale: number
  /** The simulator's instance id: its containers carry the label `ecs-sim=<instance>`. */
  instance: string
  /** The cluster startWorld created ('' with `cluster: null`). */
  cluster: string
  /** The workspace folder: each run's cwd and GITHUB_WORKSPACE unless it gives its own. */
  workspace: string
  /** The workspace's commit, with `workspace: { git: true }`. */
  commit?: string
  /** What a process needs in its environment to reach this world (endpoint, region, credentials). */
  awsEnv: Record<string, string>
  /** Runs dist/index.js (main step, then post step unless `post: false`) against this world. */
  run(inputs: Record<string, string>, options?: WorldRunOptions): Promise<ActionRun>
  createCluster(name: string): Promise<void>
  /** A service on `taskDefinition` in the world's cluster (or `cluster`), steady unless `wait: false`. */
  createService(
    name: string,
    taskDefinition: string,
    options?: ServiceOptions & { cluster?: string }
  ): Promise<Service>
  /**
   * Registers a first revision with a register-only run of the action (`inputs` without a service) and
   * creates service `name` on it (steady unless `wait: false`); throws with the run's output if it failed.
   */
  registerService(
    name: string,
    inputs: Record<string, string>,
    options?: ServiceOptions & { cluster?: string }
  ): Promise<{ run: ActionRun; taskDefinitionArn: string; service: Service }>
  service(name: string, cluster?: string): Promise<Service>
  waitSteady(name: string, options?: ServiceOptions & { cluster?: string }): Promise<Service>
  /** The calls the simulator logged since `since` (ms since the epoch). */
  callsSince(since: number): Promise<SimCall[]>
  /** Stops what startWorld started, once; later calls answer the first call's result. */
  stop(): Promise<WorldStopped>
}

export interface WorldStopped {
  simPid: number
  /** Docker backend: containers of this simulator still there after it stopped, which stop() removed. */
  leftoverContainers: number
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const registry = options.registry ?? registryInUse()
  const sim = await startSim({
    tasks: options.tasks,
    timeScale: options.timeScale,
    registry,
    faultSeed: options.faultSeed
  })
  const config = { endpoint: sim.url, region: REGION, credentials: CREDENTIALS }
  const ecs = new ECSClient(config)
  const ecr = new ECRClient(config)
  const logs = new CloudWatchLogsClient(config)
  const stopped: WorldStopped = { simPid: sim.pid, leftoverContainers: 0 }
  let instance: string | undefined
  const owned: Array<() => void | Promise<void>> = [
    async () => {
      await sim.stop()
      // The simulator removes its containers (labelled with its instance) on SIGTERM; any it left go here.
      if (options.tasks !== 'docker' || !instance) return
      const listed = await docker(['ps', '-aq', '--filter', `label=ecs-sim=${instance}`])
      const left = listed.stdout.split('\n').filter(Boolean)
      stopped.leftoverContainers = left.length
      if (left.length) await docker(['rm', '-f', ...left])
    },
    () => ecs.destroy(),
    () => ecr.destroy(),
    () => logs.destroy()
  ]
  let stopping: Promise<WorldStopped> | undefined
  // In reverse order of starting; every step runs even if one before it failed.
  const stop = (): Promise<WorldStopped> =>
    (stopping ??= (async () => {
      const problems: unknown[] = []
      for (const step of owned.reverse()) {
        try {
          await step()
        } catch (error) {
          problems.push(error)
        }
      }
      if (problems.length) throw problems[0]
      return stopped
    })())

  try {
    const status = await health(sim.url)
    instance = status.instance
    if (status.timeScale !== options.timeScale)
      throw new Error(`simulator runs at time scale ${status.timeScale}, not ${options.timeScale}`)
    if (options.rules) await setRules(sim.url, options.rules)
    const cluster = options.cluster === undefined ? `it-${randomBytes(3).toString('hex')}` : options.cluster
    if (cluster) await ecs.send(new CreateClusterCommand({ clusterName: cluster }))
    const workspace = createWorkspace(options.workspace)
    owned.push(workspace.remove)
    // Each run's whole output, kept for reading after a failure: in ECS_DEPLOY_IT_LOGS when that names a
    // folder, otherwise in this world's own folder, which stop() removes. Not in the workspace: that is
    // the build context.
    const ownLogs = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-it-logs-'))
    owned.push(() => fs.rmSync(ownLogs, { recursive: true, force: true }))

    const awsEnv = {
      AWS_ENDPOINT_URL: sim.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey
    }
    const defaults = options.inputs ?? { network: 'none' }
    const clusterOf = (o?: { cluster?: string }) => o?.cluster ?? cluster ?? ''

    const world: World = {
      sim,
      ecs,
      ecr,
      logs,
      registry,
      region: REGION,
      timeScale: options.timeScale,
      instance: status.instance,
      cluster: cluster ?? '',
      workspace: workspace.dir,
      commit: workspace.commit,
      awsEnv,
      run: async (inputs, { sha, ...run } = {}) => {
        const result = await runAction({
          cwd: workspace.dir,
          ...run,
          inputs: { ...(cluster ? { cluster } : {}), ...defaults, ...inputs },
          env: {
            ...awsEnv,
            AWS_EC2_METADATA_DISABLED: 'true',
            GITHUB_SHA: sha === null ? undefined : (sha ?? randomSha()),
            // The SDK's "Node < 22" notice is for the action's users, not for this output.
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            ...run.env
          }
        })
        const logDir = process.env.ECS_DEPLOY_IT_LOGS || ownLogs
        fs.mkdirSync(logDir, { recursive: true })
        fs.writeFileSync(
          path.join(logDir, `${Date.now()}-${inputs.service || 'register'}.log`),
          result.output + (result.post?.output ?? '')
        )
        return result
      },
      createCluster: async name => {
        await ecs.send(new CreateClusterCommand({ clusterName: name }))
      },
      createService: (name, taskDefinition, o) => createService(ecs, clusterOf(o), name, taskDefinition, o),
      registerService: async (name, inputs, o) => {
        const run = await world.run(inputs)
        const taskDefinitionArn = run.outputs['task-definition-arn']
        if (run.exitCode !== 0 || !taskDefinitionArn)
          throw new Error(
            `the register-only run for service ${name} failed (exit ${run.exitCode}):\n${run.output}`
          )
        const service = await createService(ecs, clusterOf(o), name, taskDefinitionArn, o)
        return { run, taskDefinitionArn, service }
      },
      service: (name, c) => describeService(ecs, c ?? cluster ?? '', name),
      waitSteady: (name, o) => waitSteady(ecs, clusterOf(o), name, o),
      callsSince: async since => (await getCalls(sim.url)).filter(c => Date.parse(c.time) >= since),
      stop
    }
    return world
  } catch (error) {
    await stop().catch(() => undefined)
    throw error
  }
}

/** Calls that change something in ECS or ECR. */
export const MUTATING = new Set([
  'RegisterTaskDefinition',
  'DeregisterTaskDefinition',
  'UpdateService',
  'CreateService',
  'DeleteService',
  'RunTask',
  'StopTask',
  'CreateRepository',
  'CreateCluster'
])

export function mutatingCalls(calls: SimCall[]): SimCall[] {
  return calls.filter(c => MUTATING.has(c.operation))
}

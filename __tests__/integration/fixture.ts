/**
 * A local ECS/ECR world for the integration tests: the simulator, SDK clients pointed at it, the example
 * app in a temp workspace (with Debian's static busybox copied in), and a service to deploy to.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  type Service
} from '@aws-sdk/client-ecs'
import { ECRClient } from '@aws-sdk/client-ecr'
import { getCalls, startSim, type RunningSim, type SimCall } from '../../packages/ecs-sim/testing.js'
import { repoRoot, runAction, type ActionRun, type RunOptions } from '../../scripts/run-action.js'

export const REGION = 'eu-west-1'
export const CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
}
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

export function busyboxPath(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) if (fs.existsSync(p)) return p
  throw new Error('busybox not found: install busybox-static (scripts/test-env.sh up does)')
}

export function randomSha(): string {
  return randomBytes(20).toString('hex')
}

export interface World {
  sim: RunningSim
  ecs: ECSClient
  ecr: ECRClient
  registry: string
  cluster: string
  workspace: string
  /** Runs dist/index.js against this world. */
  run(inputs: Record<string, string>, options?: Partial<RunOptions> & { sha?: string }): Promise<ActionRun>
  /** Calls the simulator saw since `since`. */
  callsSince(since: number): Promise<SimCall[]>
  service(name: string): Promise<Service>
  stop(): Promise<void>
}

export async function createWorld(tasks: 'docker' | 'scripted', timeScale: number): Promise<World> {
  const registry = process.env.ECS_DEPLOY_REGISTRY ?? '127.0.0.1:5001'
  const sim = await startSim({ tasks, timeScale, registry })
  const config = { endpoint: sim.url, region: REGION, credentials: CREDENTIALS }
  const ecs = new ECSClient(config)
  const ecr = new ECRClient(config)
  const cluster = `it-${randomBytes(3).toString('hex')}`
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }))

  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-ws-'))
  for (const f of ['Dockerfile', 'app.sh', 'task-definition.json']) {
    fs.copyFileSync(path.join(repoRoot, 'examples/app', f), path.join(workspace, f))
  }
  fs.copyFileSync(busyboxPath(), path.join(workspace, 'busybox'))
  // Not in the workspace: that is the build context.
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-it-logs-'))

  const world: World = {
    sim,
    ecs,
    ecr,
    registry,
    cluster,
    workspace,
    run: async (inputs, options = {}) => {
      const result = await runAction({
        cwd: workspace,
        ...options,
        inputs: { cluster, network: 'none', ...inputs },
        env: {
          AWS_ENDPOINT_URL: sim.url,
          AWS_REGION: REGION,
          AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
          GITHUB_SHA: options.sha ?? randomSha(),
          // The SDK's "Node < 22" notice is for the action's users, not for the test output.
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...options.env
        }
      })
      // Each run's full output, for reading after a failure: kept in ECS_DEPLOY_IT_LOGS when that names
      // a folder, otherwise in this world's own folder, which stop() removes.
      const logDir = process.env.ECS_DEPLOY_IT_LOGS || logs
      fs.mkdirSync(logDir, { recursive: true })
      fs.writeFileSync(
        path.join(logDir, `${Date.now()}-${inputs.service ?? 'register'}.log`),
        result.output + (result.post?.output ?? '')
      )
      return result
    },
    callsSince: async since => (await getCalls(sim.url)).filter(c => Date.parse(c.time) >= since),
    service: async name => {
      const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))
      const found = out.services?.[0]
      if (!found) throw new Error(`service ${name} not found`)
      return found
    },
    stop: async () => {
      await sim.stop()
      fs.rmSync(workspace, { recursive: true, force: true })
      fs.rmSync(logs, { recursive: true, force: true })
    }
  }
  return world
}

/** Creates a service on a task definition and waits until its first deployment has completed. */
export async function createService(
  world: World,
  name: string,
  taskDefinition: string,
  options: { desiredCount?: number; circuitBreaker?: { enable: boolean; rollback: boolean } } = {}
): Promise<Service> {
  await world.ecs.send(
    new CreateServiceCommand({
      cluster: world.cluster,
      serviceName: name,
      taskDefinition,
      desiredCount: options.desiredCount ?? 1,
      launchType: 'FARGATE',
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        ...(options.circuitBreaker ? { deploymentCircuitBreaker: options.circuitBreaker } : {})
      }
    })
  )
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const service = await world.service(name)
    if (service.deployments?.length === 1 && service.deployments[0].rolloutState === 'COMPLETED')
      return service
    await new Promise(r => setTimeout(r, 200))
  }
  throw new Error(`service ${name} did not reach a steady state`)
}

export function mutatingCalls(calls: SimCall[]): SimCall[] {
  return calls.filter(c => MUTATING.has(c.operation))
}

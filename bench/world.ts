/**
 * The simulated world a scenario runs in (testkit/world.ts: the local ECS with scripted tasks, clusters,
 * services and a workspace holding the bench task definition) and one run of the bundled action against
 * it, timed from the outside.
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import { getTimeline, type ScriptRule, type SimCall } from '../packages/ecs-sim/testing.js'
import { REGION, startWorld, type World as TestkitWorld } from '../testkit/world.js'

export const REGISTRY = '127.0.0.1:5001'

export const TASK_DEFINITION: RegisterTaskDefinitionCommandInput = {
  family: 'bench',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'web',
      image: `${REGISTRY}/bench/app:initial`,
      essential: true,
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/bench', 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' }
      }
    }
  ]
}

/** The action's DescribeServices interval (src/watch/loop.ts), fixed: there is no input for it. */
export const POLL_INTERVAL_MS = 2000

/**
 * The action polls every 2 s from its UpdateService on, and a scripted deploy takes the same time every
 * run: left alone, the deployment would become decidable at the same point between two polls each time
 * and every run would measure the same latency. A random extra start delay, uniform over one poll
 * interval of wall time in total, puts that point anywhere between two polls, as real ECS's variable
 * timings do. `tasks` is how many task starts the outcome waits for (the delay is split between them).
 */
export function phaseJitter(world: World, tasks = 1): { startDelayMs: number; wallMs: number } {
  const wallMs = Math.random() * POLL_INTERVAL_MS
  return { startDelayMs: wallMs / tasks / world.timeScale, wallMs }
}

/** A digest reference, so the action deploys it as given (no build, no registry): `bench/<repo>@sha256:…`. */
export function imageRef(repo: string): string {
  return `${REGISTRY}/bench/${repo}@sha256:${randomBytes(32).toString('hex')}`
}

/** The testkit's world, and the revision every bench service starts on. */
export type World = TestkitWorld & { baseTaskDefinition: string }

export async function createWorld(timeScale: number, rules: ScriptRule[]): Promise<World> {
  const world = await startWorld({
    tasks: 'scripted',
    timeScale,
    rules,
    // Each scenario makes its own clusters, and every deploy names all its inputs.
    cluster: null,
    inputs: {},
    workspace: {
      app: false,
      prefix: 'ecs-deploy-bench-',
      files: { 'task-definition.json': JSON.stringify(TASK_DEFINITION, null, 2) }
    }
  })
  try {
    const registered = await world.ecs.send(new RegisterTaskDefinitionCommand(TASK_DEFINITION))
    return { ...world, baseTaskDefinition: registered.taskDefinition?.taskDefinitionArn as string }
  } catch (error) {
    await world.stop()
    throw error
  }
}

export async function stopWorld(world: World | undefined): Promise<void> {
  await world?.stop()
}

export async function createCluster(world: World, cluster: string): Promise<void> {
  await world.createCluster(cluster)
}

export async function createService(
  world: World,
  cluster: string,
  name: string,
  circuitBreaker?: { enable: boolean; rollback: boolean }
): Promise<void> {
  await world.createService(name, world.baseTaskDefinition, { cluster, circuitBreaker, wait: false })
}

/** Until the service runs one COMPLETED deployment (outside every measured window). */
export async function waitSteady(
  world: World,
  cluster: string,
  name: string,
  timeoutMs = 120_000
): Promise<void> {
  await world.waitSteady(name, { cluster, timeoutMs, intervalMs: 50 })
}

export const SUCCESS_LINE = /^Deployment \S+ completed: /m
export const FAILURE_LINE = /^::error title=Deployment failed::/m

export interface Deploy {
  exitCode: number | null
  /** Wall-clock ms (Date.now()) when the main step was spawned, printed its verdict, exited. */
  spawnedAt: number
  verdictAt?: number
  exitAt: number
  /** After the post step (when run) and reading the runner files. */
  doneAt: number
  deploymentId?: string
  /** The revision the action registered and deployed (output task-definition-arn). */
  taskDefinitionArn?: string
  outputs: Record<string, string>
  output: string
}

export async function deploy(
  world: World,
  cluster: string,
  service: string,
  image: string,
  verdict: RegExp,
  options: { inputs?: Record<string, string>; post?: boolean; killAfterMs?: number } = {}
): Promise<Deploy> {
  let spawnedAt = Date.now()
  let exitAt = 0
  let verdictAt: number | undefined
  let pending = ''
  let child: ChildProcess | undefined
  let killer: NodeJS.Timeout | undefined
  const inputs = {
    cluster,
    service,
    image,
    'task-definition': 'task-definition.json',
    'wait-for-minutes': '5',
    ...options.inputs
  }
  const result = await world.run(inputs, {
    post: options.post ?? false,
    onStart: c => {
      spawnedAt = Date.now()
      child = c
      c.once('exit', () => {
        exitAt = Date.now()
        if (killer) clearTimeout(killer)
      })
      killer = setTimeout(() => child?.kill('SIGKILL'), options.killAfterMs ?? 10 * 60_000)
    },
    onOutput: chunk => {
      const now = Date.now()
      if (verdictAt !== undefined) return
      // A line may arrive in two chunks: look at the unfinished tail together with the new chunk.
      pending += chunk
      if (verdict.test(pending)) verdictAt = now
      pending = pending.slice(pending.lastIndexOf('\n') + 1)
    }
  })
  return {
    exitCode: result.exitCode,
    spawnedAt,
    verdictAt,
    exitAt: exitAt || Date.now(),
    doneAt: Date.now(),
    deploymentId: result.outputs['deployment-id'],
    taskDefinitionArn: result.outputs['task-definition-arn'],
    outputs: result.outputs,
    output: result.output
  }
}

export function tail(output: string, lines = 15): string {
  return output.trimEnd().split('\n').slice(-lines).join('\n')
}

export async function decidableAt(
  world: World,
  deploymentId: string | undefined
): Promise<{ at: number; outcome: string }> {
  if (!deploymentId) throw new Error('the action printed no deployment-id output')
  const entry = (await getTimeline(world.sim.url)).find(t => t.id === deploymentId)
  if (!entry) throw new Error(`deployment ${deploymentId} is not in the simulator's timeline`)
  if (!entry.decidableAt || !entry.outcome)
    throw new Error(`deployment ${deploymentId} never became decidable (outcome ${entry.outcome})`)
  return { at: Date.parse(entry.decidableAt), outcome: entry.outcome }
}

export const isEcs = (c: SimCall, cluster: string): boolean =>
  c.service === 'ecs' && c.request.cluster === cluster

/**
 * The BLUE_GREEN, LINEAR and CANARY side of the bench world: services created with a strategy, their
 * first service deployment waited for on the simulator's timeline (no AWS call, so nothing in the call
 * log), a revision per deploy for the ecspresso-style waiter, and the timeline entry of one deploy with
 * the instants the local ECS decided it and entered each lifecycle stage. Pure helpers (the window of a
 * stage, the calls a client made in it) are exported for the tests.
 */
import {
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type DeploymentConfiguration
} from '@aws-sdk/client-ecs'
import { getTimeline, type SimCall, type SimTimelineEntry } from '../packages/ecs-sim/testing.js'
import { TASK_DEFINITION, type World } from './world.js'

export const STRATEGIES = ['BLUE_GREEN', 'LINEAR', 'CANARY'] as const
export type NativeStrategy = (typeof STRATEGIES)[number]

/**
 * Each strategy with a short bake (minutes of the simulator's clock, so scaled by its time scale): one
 * production shift and a bake for BLUE_GREEN, two 50 % steps for LINEAR, a 10 % canary for CANARY.
 */
export function strategyConfig(strategy: NativeStrategy, bakeMinutes: number): DeploymentConfiguration {
  const shape: Record<NativeStrategy, DeploymentConfiguration> = {
    BLUE_GREEN: {},
    LINEAR: { linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 } },
    CANARY: { canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 } }
  }
  return {
    strategy,
    bakeTimeInMinutes: bakeMinutes,
    ...shape[strategy]
  }
}

/**
 * A Fargate service (one task) on the bench's base revision with `config`, its first deployment done.
 * The first deployment runs without the bake (a 10-minute one would hold it for as long); the bake is set
 * after it by an UpdateService that changes only the deployment configuration, which starts no deployment.
 */
export async function createNativeService(
  world: World,
  cluster: string,
  service: string,
  config: DeploymentConfiguration
): Promise<void> {
  const since = Date.now() - 1000
  await world.ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: service,
      taskDefinition: world.baseTaskDefinition,
      desiredCount: 1,
      launchType: 'FARGATE',
      deploymentConfiguration: { ...config, bakeTimeInMinutes: 0 }
    })
  )
  const first = await waitEntry(world, { cluster, service, since }, e => e.outcome !== null)
  if (first.outcome !== 'COMPLETED')
    throw new Error(`${cluster}/${service}: the first deployment ended ${first.outcome} (${first.reason})`)
  if (config.bakeTimeInMinutes)
    await world.ecs.send(new UpdateServiceCommand({ cluster, service, deploymentConfiguration: config }))
}

/** A new revision of the bench task definition running `image` (what ecspresso registers before it deploys). */
export async function registerRevision(world: World, image: string): Promise<string> {
  const container = { ...TASK_DEFINITION.containerDefinitions![0], image }
  const out = await world.ecs.send(
    new RegisterTaskDefinitionCommand({ ...TASK_DEFINITION, containerDefinitions: [container] })
  )
  const arn = out.taskDefinition?.taskDefinitionArn
  if (!arn) throw new Error('RegisterTaskDefinition answered no ARN')
  return arn
}

export interface EntryQuery {
  cluster: string
  service: string
  /** Wall-clock ms: only deployments created at or after it. */
  since?: number
  /** Only the deployment of this revision. */
  taskDefinition?: string
}

export function findEntry(entries: SimTimelineEntry[], q: EntryQuery): SimTimelineEntry | undefined {
  return entries.find(
    e =>
      e.cluster === q.cluster &&
      e.service === q.service &&
      (q.since === undefined || Date.parse(e.createdAt) >= q.since) &&
      (q.taskDefinition === undefined || e.taskDefinition === q.taskDefinition)
  )
}

/** Polls the timeline (the control API, not an AWS call) until the entry exists and `until` holds. */
export async function waitEntry(
  world: World,
  q: EntryQuery,
  until: (e: SimTimelineEntry) => boolean,
  timeoutMs = 120_000
): Promise<SimTimelineEntry> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const entry = findEntry(await getTimeline(world.sim.url), q)
    if (entry && until(entry)) return entry
    if (Date.now() > deadline)
      throw new Error(
        `${q.cluster}/${q.service}: timeline entry not reached in ${timeoutMs} ms (outcome ${entry?.outcome})`
      )
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

export const hasStage = (e: SimTimelineEntry, stage: string): boolean =>
  (e.stages ?? []).some(s => s.stage === stage)

/** Wall-clock ms from entering `stage` to entering the next one (or the decision, for the last). */
export function stageWindow(e: SimTimelineEntry, stage: string): { from: number; to: number } | undefined {
  const stages = e.stages ?? []
  const i = stages.findIndex(s => s.stage === stage)
  if (i < 0) return undefined
  const next = stages[i + 1]?.at ?? e.decidableAt
  if (!next) return undefined
  return { from: Date.parse(stages[i].at), to: Date.parse(next) }
}

/**
 * Is this ECS call about `cluster`? Most requests name the cluster; DescribeServiceDeployments names only
 * service-deployment ARNs, which hold it (`…:service-deployment/<cluster>/<service>/<id>`).
 */
export function aboutCluster(c: SimCall, cluster: string): boolean {
  if (c.service !== 'ecs') return false
  if (c.request.cluster === cluster) return true
  const arns = c.request.serviceDeploymentArns
  return Array.isArray(arns) && arns.some(a => typeof a === 'string' && a.includes(`/${cluster}/`))
}

/** The ECS calls about `cluster` made in [from, to], by operation. */
export function callsIn(
  calls: SimCall[],
  cluster: string,
  window: { from: number; to: number }
): { total: number; byOperation: Record<string, number> } {
  const byOperation: Record<string, number> = {}
  let total = 0
  for (const c of calls) {
    const t = Date.parse(c.time)
    if (t < window.from || t > window.to || !aboutCluster(c, cluster)) continue
    total++
    byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1
  }
  return { total, byOperation }
}

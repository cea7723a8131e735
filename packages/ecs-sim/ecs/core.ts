/** The state changes handlers and the scheduler share: events, deployments, tasks and their stop. */
import { Json, clean, deploymentId, hex, uuid } from '../util.js'
import { DELAYS, HEALTH_CHECK_DEFAULTS } from '../clock.js'
import type { SimContext } from '../context.js'
import type { ContainerSpec, TaskSpec } from '../tasks/types.js'
import type {
  Cluster,
  Deployment,
  EcsRegion,
  Service,
  SimContainer,
  SimTask,
  Tag,
  TaskDefinition
} from './state.js'

export function addEvent(ctx: SimContext, s: Service, message: string): void {
  s.events.unshift({ id: uuid(), createdAt: ctx.clock.now(), message })
  if (s.events.length > 100) s.events.length = 100
}

export function newDeployment(
  ctx: SimContext,
  r: EcsRegion,
  s: Service,
  taskDefinitionArn: string,
  reason?: string,
  rollbackOf?: string
): Deployment {
  const now = ctx.clock.now()
  const id = deploymentId()
  const d: Deployment = {
    id,
    status: 'PRIMARY',
    taskDefinitionArn,
    desiredCount: s.desiredCount,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    rolloutState: 'IN_PROGRESS',
    rolloutStateReason: reason ?? `ECS deployment ${id} in progress.`,
    launchType: s.launchType,
    platformVersion: s.platformVersion,
    platformFamily: s.platformFamily,
    networkConfiguration: s.networkConfiguration,
    capacityProviderStrategy: s.capacityProviderStrategy,
    config: structuredClone(s.config),
    sourceIds: s.deployments.map(x => x.id),
    rollbackOf,
    breakerCount: 0,
    loadBalancers: structuredClone(s.loadBalancers)
  }
  const strategy = s.config.strategy ?? 'ROLLING'
  if (strategy !== 'ROLLING')
    d.native = {
      strategy,
      status: 'IN_PROGRESS',
      lifecycleStage: s.deployments.length > 1 ? 'RECONCILE_SERVICE' : 'PRE_SCALE_UP',
      stageSince: now,
      stages: [],
      productionWeight: 0,
      testWeight: 0,
      step: -1,
      stepSince: now,
      blueId: s.deployments.find(x => x.status === 'PRIMARY')?.id,
      hooks: [],
      triggeredAlarms: []
    }
  for (const old of s.deployments) {
    if (old.status === 'PRIMARY') {
      old.status = 'ACTIVE'
      old.updatedAt = now
      if (old.rolloutState === 'IN_PROGRESS' && !old.supersededAt) old.supersededAt = now
    }
  }
  s.deployments.unshift(d)
  s.history.push(d)
  s.steady = false
  ctx.timeline.push({
    id: d.id,
    region: r.region,
    cluster: s.clusterName,
    service: s.name,
    taskDefinition: taskDefinitionArn,
    createdAt: now,
    decidableAt: null,
    outcome: null,
    rollbackOf
  })
  return d
}

function containerSpecs(td: TaskDefinition, overrides: Json): ContainerSpec[] {
  const defs = (td.body.containerDefinitions as Json[]) ?? []
  const ovs = ((overrides.containerOverrides as Json[] | undefined) ?? []).filter(
    o => typeof o.name === 'string'
  )
  return defs.map(def => {
    const ov = ovs.find(o => o.name === def.name) ?? {}
    const env = new Map<string, string>()
    for (const e of [...((def.environment as Json[]) ?? []), ...((ov.environment as Json[]) ?? [])])
      if (typeof e.name === 'string') env.set(e.name, String(e.value ?? ''))
    const hc = def.healthCheck as Json | undefined
    return {
      name: String(def.name),
      image: String(def.image),
      essential: def.essential !== false,
      command: (ov.command as string[] | undefined) ?? (def.command as string[] | undefined),
      entryPoint: def.entryPoint as string[] | undefined,
      environment: [...env].map(([name, value]) => ({ name, value })),
      workingDirectory: def.workingDirectory as string | undefined,
      user: def.user as string | undefined,
      stopTimeout: def.stopTimeout as number | undefined,
      healthCheck: hc
        ? {
            command: hc.command as string[],
            interval: (hc.interval as number | undefined) ?? HEALTH_CHECK_DEFAULTS.interval,
            timeout: (hc.timeout as number | undefined) ?? HEALTH_CHECK_DEFAULTS.timeout,
            retries: (hc.retries as number | undefined) ?? HEALTH_CHECK_DEFAULTS.retries,
            startPeriod: (hc.startPeriod as number | undefined) ?? 0
          }
        : undefined
    }
  })
}

export function taskSpec(t: SimTask): TaskSpec {
  return { taskId: t.id, family: t.td.family, containers: containerSpecs(t.td, t.overrides) }
}

export function createTask(
  ctx: SimContext,
  r: EcsRegion,
  cluster: Cluster,
  td: TaskDefinition,
  opts: {
    group: string
    startedBy?: string
    serviceName?: string
    deploymentId?: string
    launchType?: string
    overrides?: Json
    tags?: Tag[]
  }
): SimTask {
  const id = hex(16)
  const arn = r.arn(`task/${cluster.name}/${id}`)
  const now = ctx.clock.now()
  const overrides = opts.overrides ?? {}
  const containers: SimContainer[] = containerSpecs(td, overrides).map(spec => {
    const def = ((td.body.containerDefinitions as Json[]) ?? []).find(d => d.name === spec.name) ?? {}
    const logConf = def.logConfiguration as Json | undefined
    const logOpts = (logConf?.options as Record<string, string> | undefined) ?? {}
    const awslogs = logConf?.logDriver === 'awslogs' && typeof logOpts['awslogs-group'] === 'string'
    const prefix = logOpts['awslogs-stream-prefix']
    return clean({
      name: spec.name,
      image: spec.image,
      essential: spec.essential,
      hasHealthCheck: spec.healthCheck !== undefined,
      lastStatus: 'PENDING' as const,
      healthStatus: 'UNKNOWN' as const,
      containerArn: r.arn(`container/${cluster.name}/${id}/${uuid()}`),
      cpu: def.cpu !== undefined ? String(def.cpu) : undefined,
      memory: def.memory !== undefined ? String(def.memory) : undefined,
      logGroup: awslogs ? logOpts['awslogs-group'] : undefined,
      logStream: awslogs ? (prefix ? `${prefix}/${spec.name}/${id}` : `${spec.name}/${id}`) : undefined
    }) as SimContainer
  })
  const t: SimTask = {
    id,
    arn,
    region: r.region,
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    td,
    serviceName: opts.serviceName,
    deploymentId: opts.deploymentId,
    startedBy: opts.startedBy,
    group: opts.group,
    launchType: opts.launchType ?? 'FARGATE',
    lastStatus: 'PROVISIONING',
    desiredStatus: 'RUNNING',
    healthStatus: 'UNKNOWN',
    containers,
    overrides: {
      containerOverrides: containers.map(c => ({ name: c.name })),
      inferenceAcceleratorOverrides: [],
      ...overrides
    },
    tags: opts.tags ?? [],
    createdAt: now,
    phaseSince: now,
    drain: false,
    failed: false,
    version: 1,
    pulled: false,
    started: false,
    observed: false,
    cpu: td.body.cpu as string | undefined,
    memory: td.body.memory as string | undefined
  }
  r.tasks.set(id, t)
  return t
}

/** Asks a task to stop; the scheduler carries it through DEACTIVATING/STOPPING to STOPPED. */
export function requestStop(
  ctx: SimContext,
  t: SimTask,
  stopCode: string,
  reason: string,
  opts: { drain?: boolean; failed?: boolean } = {}
): void {
  if (t.desiredStatus === 'STOPPED') return
  t.desiredStatus = 'STOPPED'
  t.stopCode = stopCode
  t.stoppedReason = reason
  t.stoppingAt = ctx.clock.now()
  t.drain = opts.drain ?? false
  t.version++
  if (opts.failed) {
    t.failed = true
    const r = ctx.region(t.region)
    const s = t.serviceName ? r.services.get(t.clusterName)?.get(t.serviceName) : undefined
    const d = s?.history.find(x => x.id === t.deploymentId)
    if (d) {
      d.failedTasks++
      d.breakerCount++
      d.updatedAt = ctx.clock.now()
      d.nextLaunchAt = ctx.clock.now() + ctx.clock.delay(DELAYS.failureBackoff)
    }
  }
}

function taskList(ids: string[]): string {
  return ids.map(id => `(task ${id})`).join(' ')
}

/** Starts `n` tasks of deployment `d` for service `s`, with ECS's "has started" event. */
export function launchTasks(ctx: SimContext, r: EcsRegion, s: Service, d: Deployment, n: number): SimTask[] {
  if (n <= 0) return []
  const cluster = r.clusters.get(s.clusterName)
  const td = [...r.taskDefinitions.values()].flat().find(x => x.arn === d.taskDefinitionArn)
  if (!cluster || !td) return []
  const started = Array.from({ length: n }, () =>
    createTask(ctx, r, cluster, td, {
      group: `service:${s.name}`,
      startedBy: d.id,
      serviceName: s.name,
      deploymentId: d.id,
      launchType: s.launchType ?? 'FARGATE',
      tags: s.propagateTags === 'SERVICE' ? s.tags.map(t => ({ ...t })) : []
    })
  )
  addEvent(ctx, s, `(service ${s.name}) has started ${n} tasks: ${taskList(started.map(t => t.id))}.`)
  return started
}

/** Stops tasks as the scheduler does (draining the running ones), with ECS's "has stopped" event. */
export function stopTasks(ctx: SimContext, s: Service, tasks: SimTask[], by: string): void {
  for (const t of tasks)
    requestStop(ctx, t, 'ServiceSchedulerInitiated', `Scaling activity initiated by (deployment ${by})`, {
      drain: t.lastStatus === 'RUNNING'
    })
  if (tasks.length > 0)
    addEvent(
      ctx,
      s,
      `(service ${s.name}) has stopped ${tasks.length} running tasks: ${taskList(tasks.map(t => t.id))}.`
    )
}

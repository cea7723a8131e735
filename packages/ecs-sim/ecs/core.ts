import { ACCOUNT_ID, AwsError, Json, clean, deploymentId, epoch, hex, uuid } from '../util.js'
import type { SimContext } from '../context.js'
import type { ContainerSpec, TaskSpec } from '../tasks/types.js'
import type {
  Cluster,
  Deployment,
  DeploymentConfig,
  EcsRegion,
  Service,
  SimContainer,
  SimTask,
  Tag,
  TaskDefinition
} from './state.js'

// ---------- lookups ----------

export function clusterName(ref: string | undefined): string {
  if (!ref) return 'default'
  const m = /^arn:aws[\w-]*:ecs:[^:]+:\d+:cluster\/(.+)$/.exec(ref)
  return m ? m[1] : ref
}

export function getCluster(r: EcsRegion, ref: string | undefined): Cluster {
  const c = r.clusters.get(clusterName(ref))
  if (!c || c.status !== 'ACTIVE') throw new AwsError('ClusterNotFoundException', 'Cluster not found.')
  return c
}

export function serviceName(ref: string): string {
  const m = /^arn:aws[\w-]*:ecs:[^:]+:\d+:service\/(?:[^/]+\/)?(.+)$/.exec(ref)
  return m ? m[1] : ref
}

export function findService(r: EcsRegion, cluster: Cluster, ref: string): Service | undefined {
  return r.services.get(cluster.name)?.get(serviceName(ref))
}

export function getService(r: EcsRegion, cluster: Cluster, ref: string | undefined): Service {
  if (!ref) throw new AwsError('InvalidParameterException', 'Service must not be empty.')
  const s = findService(r, cluster, ref)
  if (!s) throw new AwsError('ServiceNotFoundException', 'Service not found.')
  return s
}

/** `family`, `family:revision` or a full ARN. Undefined when there is no such task definition. */
export function findTaskDefinition(r: EcsRegion, ref: string): TaskDefinition | undefined {
  const m = /^(?:arn:aws[\w-]*:ecs:[^:]+:\d+:task-definition\/)?([a-zA-Z0-9_-]+)(?::(\d+))?$/.exec(ref)
  if (!m) return undefined
  const revisions = r.taskDefinitions.get(m[1])
  if (!revisions) return undefined
  if (m[2] !== undefined) return revisions[Number(m[2]) - 1]
  if (ref.startsWith('arn:')) return undefined
  for (let i = revisions.length - 1; i >= 0; i--) if (revisions[i].status === 'ACTIVE') return revisions[i]
  return undefined
}

export function taskId(ref: string): string {
  const m = /^arn:aws[\w-]*:ecs:[^:]+:\d+:task\/(?:[^/]+\/)?([^/]+)$/.exec(ref)
  return m ? m[1] : ref
}

// ---------- rendering ----------

export function renderTags(tags: Tag[]): Json[] {
  return tags.map(t => ({ key: t.key, value: t.value }))
}

export function parseTags(raw: unknown): Tag[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw new AwsError('InvalidParameterException', 'tags must be a list.')
  return raw.map(t => {
    const tag = t as { key?: unknown; value?: unknown }
    if (typeof tag.key !== 'string' || tag.key === '')
      throw new AwsError('InvalidParameterException', 'Tag keys must be non-empty strings.')
    return { key: tag.key, value: typeof tag.value === 'string' ? tag.value : '' }
  })
}

export function renderTaskDefinition(td: TaskDefinition): Json {
  return clean({ ...td.body, status: td.status, deregisteredAt: epoch(td.deregisteredAt) })
}

export function renderCluster(r: EcsRegion, c: Cluster, include: string[] = []): Json {
  const tasks = [...r.tasks.values()].filter(t => t.clusterName === c.name)
  const services = [...(r.services.get(c.name)?.values() ?? [])].filter(s => s.status === 'ACTIVE')
  return clean({
    clusterArn: c.arn,
    clusterName: c.name,
    status: c.status,
    registeredContainerInstancesCount: 0,
    runningTasksCount: tasks.filter(t => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter(t => t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING')
      .length,
    activeServicesCount: services.length,
    statistics: [],
    tags: include.includes('TAGS') ? renderTags(c.tags) : undefined,
    settings: include.includes('SETTINGS') ? c.settings : undefined,
    configuration: include.includes('CONFIGURATIONS') ? c.configuration : undefined,
    capacityProviders: c.capacityProviders,
    defaultCapacityProviderStrategy: c.defaultCapacityProviderStrategy
  })
}

export function deploymentCounts(r: EcsRegion, d: Deployment): { running: number; pending: number } {
  let running = 0
  let pending = 0
  for (const t of r.tasks.values()) {
    if (t.deploymentId !== d.id || t.desiredStatus !== 'RUNNING') continue
    if (t.lastStatus === 'RUNNING') running++
    else if (t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING') pending++
  }
  return { running, pending }
}

export function renderDeploymentConfig(c: DeploymentConfig): Json {
  return {
    ...c.extra,
    deploymentCircuitBreaker: { enable: c.circuitBreaker.enable, rollback: c.circuitBreaker.rollback },
    maximumPercent: c.maximumPercent,
    minimumHealthyPercent: c.minimumHealthyPercent
  }
}

export function renderDeployment(r: EcsRegion, d: Deployment): Json {
  const { running, pending } = deploymentCounts(r, d)
  return clean({
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinitionArn,
    desiredCount: d.desiredCount,
    pendingCount: pending,
    runningCount: running,
    failedTasks: d.failedTasks,
    createdAt: epoch(d.createdAt),
    updatedAt: epoch(d.updatedAt),
    launchType: d.launchType,
    platformVersion: d.platformVersion,
    platformFamily: d.platformFamily,
    capacityProviderStrategy: d.capacityProviderStrategy,
    networkConfiguration: d.networkConfiguration,
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason
  })
}

export function renderService(r: EcsRegion, s: Service, include: string[] = []): Json {
  const live = s.deployments.map(d => renderDeployment(r, d))
  const primary = s.deployments[0] ?? s.history[s.history.length - 1]
  return clean({
    serviceArn: s.arn,
    serviceName: s.name,
    clusterArn: s.clusterArn,
    loadBalancers: s.loadBalancers,
    serviceRegistries: s.serviceRegistries,
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: live.reduce((n, d) => n + (d.runningCount as number), 0),
    pendingCount: live.reduce((n, d) => n + (d.pendingCount as number), 0),
    launchType: s.launchType,
    capacityProviderStrategy: s.capacityProviderStrategy,
    platformVersion: s.platformVersion,
    platformFamily: s.platformFamily,
    taskDefinition: primary?.taskDefinitionArn,
    deploymentConfiguration: renderDeploymentConfig(s.config),
    deployments: live,
    roleArn: undefined,
    events: s.events.map(e => ({ id: e.id, createdAt: epoch(e.createdAt), message: e.message })),
    createdAt: epoch(s.createdAt),
    placementConstraints: s.placementConstraints,
    placementStrategy: s.placementStrategy,
    networkConfiguration: s.networkConfiguration,
    healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds,
    schedulingStrategy: s.schedulingStrategy,
    deploymentController: s.deploymentController,
    tags: include.includes('TAGS') ? renderTags(s.tags) : undefined,
    createdBy: `arn:aws:iam::${ACCOUNT_ID}:root`,
    enableECSManagedTags: s.enableECSManagedTags,
    propagateTags: s.propagateTags,
    enableExecuteCommand: s.enableExecuteCommand,
    availabilityZoneRebalancing: 'ENABLED'
  })
}

export function renderTask(r: EcsRegion, t: SimTask, include: string[] = []): Json {
  return clean({
    attachments: [],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: `${r.region}a`,
    clusterArn: t.clusterArn,
    connectivity: t.connectivityAt ? 'CONNECTED' : undefined,
    connectivityAt: epoch(t.connectivityAt),
    containers: t.containers.map(c =>
      clean({
        containerArn: c.containerArn,
        taskArn: t.arn,
        name: c.name,
        image: c.image,
        imageDigest: c.imageDigest,
        runtimeId: c.runtimeId,
        lastStatus: c.lastStatus,
        exitCode: c.exitCode,
        reason: c.reason,
        networkInterfaces: [],
        healthStatus: c.hasHealthCheck ? c.healthStatus : 'UNKNOWN',
        cpu: c.cpu,
        memory: c.memory
      })
    ),
    cpu: t.cpu,
    memory: t.memory,
    createdAt: epoch(t.createdAt),
    desiredStatus: t.desiredStatus,
    enableExecuteCommand: false,
    executionStoppedAt: epoch(t.executionStoppedAt),
    group: t.group,
    healthStatus: t.healthStatus,
    lastStatus: t.lastStatus,
    launchType: t.launchType,
    overrides: t.overrides,
    platformVersion: t.launchType === 'FARGATE' ? '1.4.0' : undefined,
    platformFamily: t.launchType === 'FARGATE' ? 'Linux' : undefined,
    pullStartedAt: epoch(t.pullStartedAt),
    pullStoppedAt: epoch(t.pullStoppedAt),
    startedAt: epoch(t.startedAt),
    startedBy: t.startedBy,
    stopCode: t.stopCode,
    stoppedAt: epoch(t.stoppedAt),
    stoppedReason: t.stoppedReason,
    stoppingAt: epoch(t.stoppingAt),
    tags: include.includes('TAGS') ? renderTags(t.tags) : undefined,
    taskArn: t.arn,
    taskDefinitionArn: t.td.arn,
    version: t.version
  })
}

/** The circuit breaker's failed-task threshold: max(3, min(200, ceil(0.5 × desired))). */
export function breakerThreshold(desired: number): number {
  return Math.max(3, Math.min(200, Math.ceil(0.5 * desired)))
}

// ---------- mutations shared by handlers and the scheduler ----------

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
    rollbackOf
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
            interval: (hc.interval as number | undefined) ?? 30,
            timeout: (hc.timeout as number | undefined) ?? 5,
            retries: (hc.retries as number | undefined) ?? 3,
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
      d.updatedAt = ctx.clock.now()
      d.nextLaunchAt = ctx.clock.now() + ctx.clock.delay(2000)
    }
  }
}

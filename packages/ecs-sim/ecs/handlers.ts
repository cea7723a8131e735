import { ACCOUNT_ID, AwsError, Json, bool, clean, epoch, list, num, obj, str, strList } from '../util.js'
import type { SimContext } from '../context.js'
import {
  breakerThreshold,
  clusterName,
  createTask,
  deploymentCounts,
  findService,
  findTaskDefinition,
  getCluster,
  getService,
  newDeployment,
  parseTags,
  renderCluster,
  renderDeploymentConfig,
  renderService,
  renderTask,
  renderTaskDefinition,
  requestStop,
  serviceName,
  taskId
} from './core.js'
import type { Deployment, DeploymentConfig, EcsRegion, Service, TaskDefinition } from './state.js'
import { checkRegisterInput } from '../../../src/register-rules.js'

export interface EcsCall {
  ctx: SimContext
  r: EcsRegion
  input: Json
}

type Handler = (call: EcsCall) => Json | Promise<Json>

const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/

function tdNotFound(): AwsError {
  return new AwsError('ClientException', 'Unable to describe task definition.')
}

function requireTaskDefinition(r: EcsRegion, ref: string | undefined): TaskDefinition {
  if (!ref) throw new AwsError('InvalidParameterException', 'TaskDefinition must not be empty.')
  const td = findTaskDefinition(r, ref)
  if (!td) throw new AwsError('ClientException', 'TaskDefinition not found.')
  if (td.status !== 'ACTIVE') throw new AwsError('ClientException', `TaskDefinition is inactive`)
  return td
}

// ---------- clusters ----------

function createCluster({ ctx, r, input }: EcsCall): Json {
  const name = str(input, 'clusterName') ?? 'default'
  if (!NAME_RE.test(name))
    throw new AwsError(
      'InvalidParameterException',
      'Cluster name can only contain letters, numbers, hyphens and underscores, up to 255 characters.'
    )
  let c = r.clusters.get(name)
  if (!c || c.status !== 'ACTIVE') {
    c = {
      arn: r.arn(`cluster/${name}`),
      name,
      status: 'ACTIVE',
      createdAt: ctx.clock.now(),
      tags: parseTags(input.tags),
      settings: list(input, 'settings') ?? [{ name: 'containerInsights', value: 'disabled' }],
      configuration: obj(input, 'configuration'),
      capacityProviders: strList(input, 'capacityProviders') ?? [],
      defaultCapacityProviderStrategy: list(input, 'defaultCapacityProviderStrategy') ?? []
    }
    r.clusters.set(name, c)
  }
  return { cluster: renderCluster(r, c, ['TAGS', 'SETTINGS', 'CONFIGURATIONS']) }
}

function describeClusters({ r, input }: EcsCall): Json {
  const refs = strList(input, 'clusters') ?? ['default']
  const include = strList(input, 'include') ?? []
  const clusters: Json[] = []
  const failures: Json[] = []
  for (const ref of refs) {
    const c = r.clusters.get(clusterName(ref))
    if (c) clusters.push(renderCluster(r, c, include))
    else failures.push({ arn: ref.startsWith('arn:') ? ref : r.arn(`cluster/${ref}`), reason: 'MISSING' })
  }
  return { clusters, failures }
}

function deleteCluster({ r, input }: EcsCall): Json {
  const c = getCluster(r, str(input, 'cluster'))
  const active = [...(r.services.get(c.name)?.values() ?? [])].some(s => s.status !== 'INACTIVE')
  if (active)
    throw new AwsError(
      'ClusterContainsServicesException',
      'The Cluster cannot be deleted while Services are active.'
    )
  if ([...r.tasks.values()].some(t => t.clusterName === c.name && t.lastStatus !== 'STOPPED'))
    throw new AwsError(
      'ClusterContainsTasksException',
      'The Cluster cannot be deleted while Tasks are active.'
    )
  c.status = 'INACTIVE'
  return { cluster: renderCluster(r, c) }
}

function listClusters({ r }: EcsCall): Json {
  return { clusterArns: [...r.clusters.values()].filter(c => c.status === 'ACTIVE').map(c => c.arn) }
}

// ---------- task definitions ----------

function requiresAttributes(body: Json): Json[] {
  const attrs = new Set<string>()
  const defs = body.containerDefinitions as Json[]
  for (const d of defs) {
    const log = (d.logConfiguration as Json | undefined)?.logDriver
    if (log === 'awslogs') {
      attrs.add('com.amazonaws.ecs.capability.logging-driver.awslogs')
      if (body.executionRoleArn) attrs.add('ecs.capability.execution-role-awslogs')
      attrs.add('com.amazonaws.ecs.capability.docker-remote-api.1.19')
    }
    if (d.healthCheck) {
      attrs.add('ecs.capability.container-health-check')
      attrs.add('com.amazonaws.ecs.capability.docker-remote-api.1.24')
    }
    if (d.secrets) attrs.add('ecs.capability.secrets.asm.environment-variables')
  }
  if (body.taskRoleArn) attrs.add('com.amazonaws.ecs.capability.task-iam-role')
  if (body.networkMode === 'awsvpc') attrs.add('ecs.capability.task-eni')
  attrs.add('com.amazonaws.ecs.capability.docker-remote-api.1.18')
  return [...attrs].sort().map(name => ({ name }))
}

function normalizeContainer(raw: Json, i: number): Json {
  if (typeof raw !== 'object' || raw === null)
    throw new AwsError('ClientException', 'Container definition is invalid.')
  if (typeof raw.name !== 'string' || raw.name === '')
    throw new AwsError('ClientException', `Container.name should not be null or empty.`)
  if (!NAME_RE.test(raw.name))
    throw new AwsError('ClientException', `Container name '${raw.name}' contains invalid characters.`)
  if (typeof raw.image !== 'string' || raw.image === '')
    throw new AwsError('ClientException', `Container.image should not be null or empty.`)
  for (const k of ['command', 'entryPoint'] as const)
    if (
      raw[k] !== undefined &&
      (!Array.isArray(raw[k]) || (raw[k] as unknown[]).some(x => typeof x !== 'string'))
    )
      throw new AwsError('ClientException', `containerDefinitions[${i}].${k} must be a list of strings.`)
  const out: Json = {
    name: raw.name,
    image: raw.image,
    cpu: 0,
    portMappings: [],
    essential: true,
    environment: [],
    mountPoints: [],
    volumesFrom: [],
    systemControls: [],
    ...raw
  }
  if (raw.healthCheck !== undefined) {
    const hc = raw.healthCheck as Json
    const cmd = hc.command
    if (!Array.isArray(cmd) || cmd.length === 0 || cmd.some(x => typeof x !== 'string'))
      throw new AwsError('ClientException', 'HealthCheck command should not be null or empty.')
    if (!['CMD', 'CMD-SHELL', 'NONE'].includes(cmd[0] as string))
      throw new AwsError('ClientException', 'HealthCheck command must start with CMD, CMD-SHELL or NONE.')
    out.healthCheck = clean({
      command: cmd,
      interval: (hc.interval as number | undefined) ?? 30,
      timeout: (hc.timeout as number | undefined) ?? 5,
      retries: (hc.retries as number | undefined) ?? 3,
      startPeriod: hc.startPeriod as number | undefined
    })
  }
  return out
}

function registerTaskDefinition({ ctx, r, input }: EcsCall): Json {
  // What ECS refuses, from the table the action's plan uses too (src/register-rules.ts, sim/README.md):
  // the first finding, as ECS's exception and message.
  const [refused] = checkRegisterInput(input)
  if (refused) throw new AwsError(refused.exception, refused.message)
  const family = str(input, 'family') as string
  const raw = list(input, 'containerDefinitions') as Json[]
  const containerDefinitions = raw.map(normalizeContainer)
  const requires = strList(input, 'requiresCompatibilities') ?? []
  const networkMode = str(input, 'networkMode') ?? (requires.includes('FARGATE') ? undefined : 'bridge')
  const revisions = r.taskDefinitions.get(family) ?? []
  const revision = revisions.length + 1
  const arn = r.arn(`task-definition/${family}:${revision}`)
  const now = ctx.clock.now()
  const { tags: _tags, ...rest } = input
  const body: Json = clean({
    ...rest,
    taskDefinitionArn: arn,
    containerDefinitions,
    family,
    networkMode,
    revision,
    volumes: rest.volumes ?? [],
    status: 'ACTIVE',
    requiresAttributes: undefined,
    placementConstraints: rest.placementConstraints ?? [],
    compatibilities:
      networkMode === 'awsvpc' && input.cpu !== undefined && input.memory !== undefined
        ? ['EC2', 'FARGATE']
        : ['EC2'],
    requiresCompatibilities: requires.length > 0 ? requires : undefined,
    cpu: input.cpu !== undefined ? String(input.cpu) : undefined,
    memory: input.memory !== undefined ? String(input.memory) : undefined,
    registeredAt: epoch(now),
    registeredBy: `arn:aws:iam::${ACCOUNT_ID}:root`
  })
  body.requiresAttributes = requiresAttributes(body)
  const td: TaskDefinition = {
    arn,
    family,
    revision,
    status: 'ACTIVE',
    registeredAt: now,
    body,
    tags: parseTags(input.tags)
  }
  revisions.push(td)
  r.taskDefinitions.set(family, revisions)
  return { taskDefinition: renderTaskDefinition(td), tags: td.tags.map(t => ({ ...t })) }
}

function describeTaskDefinition({ r, input }: EcsCall): Json {
  const ref = str(input, 'taskDefinition')
  if (!ref) throw new AwsError('ClientException', 'Unable to describe task definition.')
  const td = findTaskDefinition(r, ref)
  if (!td) throw tdNotFound()
  const include = strList(input, 'include') ?? []
  return clean({
    taskDefinition: renderTaskDefinition(td),
    tags: include.includes('TAGS') ? td.tags.map(t => ({ ...t })) : undefined
  })
}

function deregisterTaskDefinition({ ctx, r, input }: EcsCall): Json {
  const ref = str(input, 'taskDefinition') ?? ''
  if (!/:\d+$/.test(ref))
    throw new AwsError('ClientException', `Invalid revision number. Number: ${ref.split(':').pop()}`)
  const td = findTaskDefinition(r, ref)
  if (!td) throw new AwsError('ClientException', 'The specified task definition does not exist.')
  if (td.status === 'ACTIVE') {
    td.status = 'INACTIVE'
    td.deregisteredAt = ctx.clock.now()
  }
  return { taskDefinition: renderTaskDefinition(td) }
}

function page<T>(items: T[], input: Json, max = 100): { items: T[]; nextToken?: string } {
  const limit = Math.min(num(input, 'maxResults') ?? max, max)
  const token = str(input, 'nextToken')
  const start = token ? Number(Buffer.from(token, 'base64').toString()) : 0
  if (!Number.isInteger(start) || start < 0)
    throw new AwsError('InvalidParameterException', 'Invalid nextToken.')
  const end = start + limit
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined
  }
}

function listTaskDefinitions({ r, input }: EcsCall): Json {
  const prefix = str(input, 'familyPrefix')
  const status = str(input, 'status') ?? 'ACTIVE'
  const sort = str(input, 'sort') ?? 'ASC'
  let all = [...r.taskDefinitions.values()]
    .flat()
    .filter(td => (!prefix || td.family === prefix || td.family.startsWith(prefix)) && td.status === status)
  all = all.sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision)
  if (sort === 'DESC') all.reverse()
  const { items, nextToken } = page(all, input)
  return clean({ taskDefinitionArns: items.map(td => td.arn), nextToken })
}

function listTaskDefinitionFamilies({ r, input }: EcsCall): Json {
  const prefix = str(input, 'familyPrefix') ?? ''
  const families = [...r.taskDefinitions.keys()].filter(f => f.startsWith(prefix)).sort()
  return { families }
}

// ---------- services ----------

function parseDeploymentConfig(raw: Json | undefined, base?: DeploymentConfig): DeploymentConfig {
  const cfg: DeploymentConfig = base
    ? structuredClone(base)
    : {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        circuitBreaker: { enable: false, rollback: false },
        extra: {}
      }
  if (!raw) return cfg
  const { minimumHealthyPercent, maximumPercent, deploymentCircuitBreaker, ...extra } = raw
  if (minimumHealthyPercent !== undefined) {
    if (typeof minimumHealthyPercent !== 'number' || minimumHealthyPercent < 0 || minimumHealthyPercent > 100)
      throw new AwsError('InvalidParameterException', 'minimumHealthyPercent must be between 0 and 100.')
    cfg.minimumHealthyPercent = minimumHealthyPercent
  }
  if (maximumPercent !== undefined) {
    if (typeof maximumPercent !== 'number' || maximumPercent < 100 || maximumPercent > 200)
      throw new AwsError('InvalidParameterException', 'maximumPercent must be between 100 and 200.')
    cfg.maximumPercent = maximumPercent
  }
  if (deploymentCircuitBreaker !== undefined) {
    const cb = deploymentCircuitBreaker as Json
    if (typeof cb.enable !== 'boolean' || typeof cb.rollback !== 'boolean')
      throw new AwsError(
        'InvalidParameterException',
        'deploymentCircuitBreaker requires enable and rollback.'
      )
    cfg.circuitBreaker = { enable: cb.enable, rollback: cb.rollback }
  }
  cfg.extra = { ...cfg.extra, ...extra }
  if (cfg.minimumHealthyPercent >= cfg.maximumPercent)
    throw new AwsError(
      'InvalidParameterException',
      'The minimumHealthyPercent must be lower than the maximumPercent, or no task could ever be replaced.'
    )
  return cfg
}

function createService({ ctx, r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const name = str(input, 'serviceName')
  if (!name) throw new AwsError('InvalidParameterException', 'Service name must not be empty.')
  if (!NAME_RE.test(name))
    throw new AwsError(
      'InvalidParameterException',
      'Service name can only contain letters, numbers, hyphens and underscores.'
    )
  const existing = findService(r, cluster, name)
  if (existing && existing.status !== 'INACTIVE')
    throw new AwsError('InvalidParameterException', 'Creation of service was not idempotent.')
  const td = requireTaskDefinition(r, str(input, 'taskDefinition'))
  const desiredCount = num(input, 'desiredCount') ?? 0
  if (desiredCount < 0 || !Number.isInteger(desiredCount))
    throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer.')
  const strategy = str(input, 'schedulingStrategy') ?? 'REPLICA'
  if (strategy !== 'REPLICA')
    throw new AwsError(
      'InvalidParameterException',
      'The simulator only supports the REPLICA scheduling strategy.'
    )
  const controller = obj(input, 'deploymentController') ?? { type: 'ECS' }
  if (controller.type !== 'ECS')
    throw new AwsError(
      'InvalidParameterException',
      'The simulator only supports the ECS (rolling update) deployment controller.'
    )
  const capacityProviderStrategy = list(input, 'capacityProviderStrategy')
  const launchType = capacityProviderStrategy ? undefined : (str(input, 'launchType') ?? 'FARGATE')
  const s: Service = {
    arn: r.arn(`service/${cluster.name}/${name}`),
    name,
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    status: 'ACTIVE',
    desiredCount,
    config: parseDeploymentConfig(obj(input, 'deploymentConfiguration')),
    launchType,
    platformVersion:
      launchType === 'FARGATE' || capacityProviderStrategy
        ? (str(input, 'platformVersion') ?? 'LATEST')
        : undefined,
    platformFamily: launchType === 'FARGATE' ? 'Linux' : undefined,
    networkConfiguration: obj(input, 'networkConfiguration'),
    capacityProviderStrategy,
    loadBalancers: list(input, 'loadBalancers') ?? [],
    serviceRegistries: list(input, 'serviceRegistries') ?? [],
    placementConstraints: list(input, 'placementConstraints') ?? [],
    placementStrategy: list(input, 'placementStrategy') ?? [],
    schedulingStrategy: strategy,
    deploymentController: controller,
    healthCheckGracePeriodSeconds: num(input, 'healthCheckGracePeriodSeconds'),
    enableECSManagedTags: bool(input, 'enableECSManagedTags') ?? false,
    propagateTags: str(input, 'propagateTags') ?? 'NONE',
    enableExecuteCommand: bool(input, 'enableExecuteCommand') ?? false,
    createdAt: ctx.clock.now(),
    tags: parseTags(input.tags),
    deployments: [],
    history: [],
    events: [],
    steady: false
  }
  let services = r.services.get(cluster.name)
  if (!services) r.services.set(cluster.name, (services = new Map()))
  services.set(name, s)
  newDeployment(ctx, r, s, td.arn)
  return { service: renderService(r, s, ['TAGS']) }
}

function updateService({ ctx, r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const s = getService(r, cluster, str(input, 'service'))
  if (s.status !== 'ACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.')
  const tdRef = str(input, 'taskDefinition')
  const td = tdRef ? requireTaskDefinition(r, tdRef) : undefined
  const desiredCount = num(input, 'desiredCount')
  if (desiredCount !== undefined && (desiredCount < 0 || !Number.isInteger(desiredCount)))
    throw new AwsError('InvalidParameterException', 'desiredCount must be a non-negative integer.')
  const config = parseDeploymentConfig(obj(input, 'deploymentConfiguration'), s.config)
  // Validated: now change state.
  s.config = config
  if (desiredCount !== undefined) s.desiredCount = desiredCount
  if (input.networkConfiguration !== undefined) s.networkConfiguration = obj(input, 'networkConfiguration')
  if (input.platformVersion !== undefined) s.platformVersion = str(input, 'platformVersion')
  if (input.healthCheckGracePeriodSeconds !== undefined)
    s.healthCheckGracePeriodSeconds = num(input, 'healthCheckGracePeriodSeconds')
  if (input.enableExecuteCommand !== undefined)
    s.enableExecuteCommand = bool(input, 'enableExecuteCommand') ?? false
  if (input.propagateTags !== undefined) s.propagateTags = str(input, 'propagateTags') ?? 'NONE'
  if (input.loadBalancers !== undefined) s.loadBalancers = list(input, 'loadBalancers') ?? []
  const primary = s.deployments[0]
  const force = bool(input, 'forceNewDeployment') ?? false
  const newTd = td && td.arn !== primary?.taskDefinitionArn
  if (!primary || newTd || force || input.networkConfiguration !== undefined) {
    newDeployment(ctx, r, s, td?.arn ?? primary.taskDefinitionArn)
  } else {
    primary.desiredCount = s.desiredCount
    primary.config = structuredClone(s.config)
    primary.updatedAt = ctx.clock.now()
    s.steady = false
  }
  return { service: renderService(r, s) }
}

function describeServices({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const refs = strList(input, 'services')
  if (!refs || refs.length === 0) throw new AwsError('InvalidParameterException', 'Services cannot be empty.')
  if (refs.length > 10)
    throw new AwsError('InvalidParameterException', 'At most 10 services can be described at once.')
  const include = strList(input, 'include') ?? []
  const services: Json[] = []
  const failures: Json[] = []
  for (const ref of refs) {
    const s = findService(r, cluster, ref)
    if (s) services.push(renderService(r, s, include))
    else failures.push({ arn: r.arn(`service/${cluster.name}/${serviceName(ref)}`), reason: 'MISSING' })
  }
  return { services, failures }
}

function deleteService({ ctx, r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const s = getService(r, cluster, str(input, 'service'))
  if (s.status === 'INACTIVE') throw new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.')
  const force = bool(input, 'force') ?? false
  if (s.desiredCount > 0 && !force)
    throw new AwsError(
      'InvalidParameterException',
      'The service cannot be stopped while it is scaled above 0.'
    )
  s.desiredCount = 0
  s.status = 'DRAINING'
  for (const d of s.deployments) d.desiredCount = 0
  for (const t of r.tasks.values())
    if (t.serviceName === s.name && t.clusterName === cluster.name && t.desiredStatus === 'RUNNING')
      requestStop(ctx, t, 'ServiceSchedulerInitiated', 'Service deleted', { drain: true })
  return { service: renderService(r, s) }
}

function listServices({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const arns = [...(r.services.get(cluster.name)?.values() ?? [])]
    .filter(s => s.status !== 'INACTIVE')
    .map(s => s.arn)
  const { items, nextToken } = page(arns, input, 100)
  return clean({ serviceArns: items, nextToken })
}

// ---------- tasks ----------

function listTasks({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const svcRef = str(input, 'serviceName')
  const svc = svcRef ? getService(r, cluster, svcRef) : undefined
  const startedBy = str(input, 'startedBy')
  const family = str(input, 'family')
  const desired = str(input, 'desiredStatus') ?? 'RUNNING'
  const launchType = str(input, 'launchType')
  if (!['RUNNING', 'STOPPED', 'PENDING'].includes(desired))
    throw new AwsError('InvalidParameterException', 'desiredStatus must be RUNNING, PENDING or STOPPED.')
  const tasks = [...r.tasks.values()].filter(
    t =>
      t.clusterName === cluster.name &&
      (!svc || t.group === `service:${svc.name}`) &&
      (!startedBy || t.startedBy === startedBy) &&
      (!family || t.td.family === family) &&
      (!launchType || t.launchType === launchType) &&
      (desired === 'PENDING'
        ? t.desiredStatus === 'RUNNING' && t.lastStatus !== 'RUNNING'
        : t.desiredStatus === desired)
  )
  const { items, nextToken } = page(
    tasks.map(t => t.arn),
    input,
    100
  )
  return clean({ taskArns: items, nextToken })
}

function describeTasks({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const refs = strList(input, 'tasks')
  if (!refs || refs.length === 0) throw new AwsError('InvalidParameterException', 'Tasks cannot be empty.')
  if (refs.length > 100)
    throw new AwsError('InvalidParameterException', 'At most 100 tasks can be described at once.')
  const include = strList(input, 'include') ?? []
  const tasks: Json[] = []
  const failures: Json[] = []
  for (const ref of refs) {
    const t = r.tasks.get(taskId(ref))
    if (t && t.clusterName === cluster.name) tasks.push(renderTask(r, t, include))
    else
      failures.push({
        arn: ref.startsWith('arn:') ? ref : r.arn(`task/${cluster.name}/${ref}`),
        reason: 'MISSING'
      })
  }
  return { tasks, failures }
}

function runTask({ ctx, r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const td = requireTaskDefinition(r, str(input, 'taskDefinition'))
  const count = num(input, 'count') ?? 1
  if (!Number.isInteger(count) || count < 1 || count > 10)
    throw new AwsError('InvalidParameterException', 'count must be between 1 and 10.')
  const overrides = obj(input, 'overrides') ?? {}
  const containerNames = new Set(((td.body.containerDefinitions as Json[]) ?? []).map(c => c.name))
  for (const o of (overrides.containerOverrides as Json[] | undefined) ?? [])
    if (!containerNames.has(o.name))
      throw new AwsError(
        'InvalidParameterException',
        `Override for container named ${String(o.name)} is not a container in the TaskDefinition.`
      )
  const group = str(input, 'group') ?? `family:${td.family}`
  const tasks = Array.from({ length: count }, () =>
    createTask(ctx, r, cluster, td, {
      group,
      startedBy: str(input, 'startedBy'),
      launchType: str(input, 'launchType') ?? 'FARGATE',
      overrides,
      tags: parseTags(input.tags)
    })
  )
  return { tasks: tasks.map(t => renderTask(r, t)), failures: [] }
}

function stopTask({ ctx, r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const ref = str(input, 'task')
  const t = ref ? r.tasks.get(taskId(ref)) : undefined
  if (!t || t.clusterName !== cluster.name)
    throw new AwsError('InvalidParameterException', 'The referenced task was not found.')
  requestStop(ctx, t, 'UserInitiated', str(input, 'reason') ?? 'Task stopped by user')
  return { task: renderTask(r, t) }
}

// ---------- service deployments ----------

function sdArn(r: EcsRegion, s: Service, d: Deployment): string {
  return r.arn(`service-deployment/${s.clusterName}/${s.name}/${d.id.slice('ecs-svc/'.length)}`)
}

function revisionArn(r: EcsRegion, s: Service, d: Deployment): string {
  return r.arn(`service-revision/${s.clusterName}/${s.name}/${d.id.slice('ecs-svc/'.length)}`)
}

function sdStatus(s: Service, d: Deployment): { status: string; reason?: string; finishedAt?: number } {
  if (d.rolledBackBy) {
    const rb = s.history.find(x => x.id === d.rolledBackBy)
    if (rb?.rolloutState === 'COMPLETED')
      return { status: 'ROLLBACK_SUCCESSFUL', reason: d.rolloutStateReason, finishedAt: rb.finishedAt }
    if (rb?.rolloutState === 'FAILED')
      return { status: 'ROLLBACK_FAILED', reason: rb.rolloutStateReason, finishedAt: rb.finishedAt }
    if (rb?.supersededAt)
      return { status: 'STOPPED', reason: d.rolloutStateReason, finishedAt: rb.supersededAt }
    return { status: 'ROLLBACK_IN_PROGRESS', reason: d.rolloutStateReason }
  }
  if (d.rolloutState === 'COMPLETED')
    return { status: 'SUCCESSFUL', reason: d.rolloutStateReason, finishedAt: d.finishedAt }
  if (d.rolloutState === 'FAILED')
    return { status: 'STOPPED', reason: d.rolloutStateReason, finishedAt: d.finishedAt }
  if (d.supersededAt)
    return {
      status: 'STOPPED',
      reason: 'A newer service deployment replaced this one.',
      finishedAt: d.supersededAt
    }
  return { status: 'IN_PROGRESS' }
}

function serviceDeployments(r: EcsRegion): { s: Service; d: Deployment }[] {
  const out: { s: Service; d: Deployment }[] = []
  for (const services of r.services.values())
    for (const s of services.values()) for (const d of s.history) if (!d.rollbackOf) out.push({ s, d })
  return out
}

function listServiceDeployments({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const s = getService(r, cluster, str(input, 'service'))
  const statuses = strList(input, 'status')
  const created = obj(input, 'createdAt')
  const after = typeof created?.after === 'number' ? created.after * 1000 : undefined
  const before = typeof created?.before === 'number' ? created.before * 1000 : undefined
  const briefs = s.history
    .filter(d => !d.rollbackOf)
    .filter(
      d => (after === undefined || d.createdAt >= after) && (before === undefined || d.createdAt <= before)
    )
    .map(d => ({ d, st: sdStatus(s, d) }))
    .filter(({ st }) => !statuses || statuses.includes(st.status))
    .reverse()
    .map(({ d, st }) =>
      clean({
        serviceDeploymentArn: sdArn(r, s, d),
        serviceArn: s.arn,
        clusterArn: s.clusterArn,
        startedAt: epoch(d.createdAt),
        createdAt: epoch(d.createdAt),
        finishedAt: epoch(st.finishedAt),
        targetServiceRevisionArn: revisionArn(r, s, d),
        status: st.status,
        statusReason: st.reason
      })
    )
  const { items, nextToken } = page(briefs, input, 100)
  return clean({ serviceDeployments: items, nextToken })
}

function describeServiceDeployments({ r, input }: EcsCall): Json {
  const arns = strList(input, 'serviceDeploymentArns')
  if (!arns || arns.length === 0)
    throw new AwsError('InvalidParameterException', 'serviceDeploymentArns cannot be empty.')
  const all = serviceDeployments(r)
  const found: Json[] = []
  const failures: Json[] = []
  for (const arn of arns) {
    const hit = all.find(({ s, d }) => sdArn(r, s, d) === arn)
    if (!hit) {
      failures.push({ arn, reason: 'MISSING', detail: 'The service deployment was not found.' })
      continue
    }
    const { s, d } = hit
    const st = sdStatus(s, d)
    const revision = (x: Deployment, requested: number) => {
      const c = deploymentCounts(r, x)
      return {
        arn: revisionArn(r, s, x),
        requestedTaskCount: requested,
        runningTaskCount: c.running,
        pendingTaskCount: c.pending
      }
    }
    const threshold = breakerThreshold(d.desiredCount)
    const cb = d.config.circuitBreaker
    const rb = d.rolledBackBy ? s.history.find(x => x.id === d.rolledBackBy) : undefined
    found.push(
      clean({
        serviceDeploymentArn: sdArn(r, s, d),
        serviceArn: s.arn,
        clusterArn: s.clusterArn,
        createdAt: epoch(d.createdAt),
        startedAt: epoch(d.createdAt),
        finishedAt: epoch(st.finishedAt),
        updatedAt: epoch(d.updatedAt),
        sourceServiceRevisions: d.sourceIds
          .map(id => s.history.find(x => x.id === id))
          .filter((x): x is Deployment => x !== undefined)
          .map(x => revision(x, x.status === 'INACTIVE' ? 0 : x.desiredCount)),
        targetServiceRevision: revision(d, d.desiredCount),
        status: st.status,
        statusReason: st.reason,
        deploymentConfiguration: renderDeploymentConfig(d.config),
        rollback: rb
          ? clean({
              reason: rb.rolloutStateReason,
              startedAt: epoch(d.rollbackStartedAt),
              serviceRevisionArn: revisionArn(r, s, rb)
            })
          : undefined,
        deploymentCircuitBreaker: {
          status: !cb.enable
            ? 'DISABLED'
            : d.breakerTrippedAt
              ? 'TRIGGERED'
              : st.status === 'IN_PROGRESS'
                ? 'MONITORING'
                : 'MONITORING_COMPLETE',
          failureCount: d.failedTasks,
          threshold
        }
      })
    )
  }
  return { serviceDeployments: found, failures }
}

// ---------- tags ----------

function findTaggable(r: EcsRegion, arn: string): { tags: { key: string; value: string }[] } {
  for (const c of r.clusters.values()) if (c.arn === arn) return c
  for (const tds of r.taskDefinitions.values()) for (const td of tds) if (td.arn === arn) return td
  for (const services of r.services.values()) for (const s of services.values()) if (s.arn === arn) return s
  for (const t of r.tasks.values()) if (t.arn === arn) return t
  throw new AwsError('InvalidParameterException', 'The specified resource could not be found.')
}

function listTagsForResource({ r, input }: EcsCall): Json {
  return { tags: findTaggable(r, str(input, 'resourceArn') ?? '').tags.map(t => ({ ...t })) }
}

function tagResource({ r, input }: EcsCall): Json {
  const res = findTaggable(r, str(input, 'resourceArn') ?? '')
  for (const t of parseTags(input.tags)) {
    const i = res.tags.findIndex(x => x.key === t.key)
    if (i >= 0) res.tags[i] = t
    else res.tags.push(t)
  }
  return {}
}

function untagResource({ r, input }: EcsCall): Json {
  const res = findTaggable(r, str(input, 'resourceArn') ?? '')
  const keys = new Set(strList(input, 'tagKeys') ?? [])
  res.tags = res.tags.filter(t => !keys.has(t.key))
  return {}
}

export const ECS_HANDLERS: Record<string, Handler> = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  DeleteCluster: deleteCluster,
  ListClusters: listClusters,
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  ListTaskDefinitions: listTaskDefinitions,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
  CreateService: createService,
  UpdateService: updateService,
  DescribeServices: describeServices,
  DeleteService: deleteService,
  ListServices: listServices,
  ListTasks: listTasks,
  DescribeTasks: describeTasks,
  RunTask: runTask,
  StopTask: stopTask,
  ListServiceDeployments: listServiceDeployments,
  DescribeServiceDeployments: describeServiceDeployments,
  ListTagsForResource: listTagsForResource,
  TagResource: tagResource,
  UntagResource: untagResource
}

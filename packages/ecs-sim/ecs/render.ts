/** ECS's answers: resources rendered as the API returns them (epoch seconds, absent rather than null). */
import { ACCOUNT_ID, AwsError, Json, clean, epoch } from '../util.js'
import { deploymentCounts } from './lookup.js'
import { renderDeploymentConfig } from './deployment-config.js'

export { renderDeploymentConfig }
import type { Cluster, Deployment, EcsRegion, Service, SimTask, Tag, TaskDefinition } from './state.js'

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
    registeredContainerInstancesCount: [...r.containerInstances.values()].filter(
      i => i.clusterName === c.name && i.status === 'ACTIVE'
    ).length,
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
    containerInstanceArn: t.containerInstanceArn,
    capacityProviderName: t.capacityProviderName,
    version: t.version
  })
}

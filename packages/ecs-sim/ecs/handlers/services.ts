/** Services: CreateService, UpdateService (a new deployment or a changed one), DescribeServices, DeleteService, ListServices. */
import { AwsError, bool, clean, Json, list, num, obj, str, strList } from '../../util.js'
import { newDeployment, requestStop } from '../core.js'
import { findService, getCluster, getService, serviceName } from '../lookup.js'
import { parseTags, renderService } from '../render.js'
import { EcsCall, Handler, NAME_RE, page, requireTaskDefinition } from './call.js'
import { checkLoadBalancers, parseDeploymentConfig } from '../deployment-config.js'
import type { Service } from '../state.js'

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
  // Neither a launch type nor a strategy: the cluster's default capacity provider strategy, if it has one.
  const capacityProviderStrategy =
    list(input, 'capacityProviderStrategy') ??
    (input.launchType === undefined && cluster.defaultCapacityProviderStrategy.length > 0
      ? structuredClone(cluster.defaultCapacityProviderStrategy)
      : undefined)
  const launchType = capacityProviderStrategy ? undefined : (str(input, 'launchType') ?? 'FARGATE')
  const config = parseDeploymentConfig(obj(input, 'deploymentConfiguration'))
  const loadBalancers = list(input, 'loadBalancers') ?? []
  checkLoadBalancers(config.strategy, loadBalancers)
  const s: Service = {
    arn: r.arn(`service/${cluster.name}/${name}`),
    name,
    clusterName: cluster.name,
    clusterArn: cluster.arn,
    status: 'ACTIVE',
    desiredCount,
    config,
    launchType,
    platformVersion:
      launchType === 'FARGATE' || capacityProviderStrategy
        ? (str(input, 'platformVersion') ?? 'LATEST')
        : undefined,
    platformFamily: launchType === 'FARGATE' ? 'Linux' : undefined,
    networkConfiguration: obj(input, 'networkConfiguration'),
    capacityProviderStrategy,
    loadBalancers,
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
  const loadBalancers =
    input.loadBalancers !== undefined ? (list(input, 'loadBalancers') ?? []) : s.loadBalancers
  checkLoadBalancers(config.strategy, loadBalancers)
  const running = s.deployments[0]?.native
  if (
    running &&
    !['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'].includes(running.status)
  )
    throw new AwsError(
      'InvalidParameterException',
      `Unable to update the service while a ${running.strategy} service deployment is in progress. Stop it with StopServiceDeployment or wait until it finishes.`
    )
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
  s.loadBalancers = loadBalancers
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

export const SERVICE_HANDLERS: Record<string, Handler> = {
  CreateService: createService,
  UpdateService: updateService,
  DescribeServices: describeServices,
  DeleteService: deleteService,
  ListServices: listServices
}

/**
 * The ECS calls that find the cluster, the service and a task definition, and update the service: each
 * failure re-thrown with what was being done.
 */
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  UpdateServiceCommand,
  type Deployment,
  type ECSClient,
  type Service,
  type Tag,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import { awsFailure } from './aws.js'
import { DeployError, awsErrorName, errorMessage } from './errors.js'
import { boundMessage, quote } from './untrusted.js'
import type { PropagateTags } from './inputs.js'

export async function findCluster(ecs: ECSClient, cluster: string): Promise<void> {
  let out
  try {
    out = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))
  } catch (error) {
    throw awsFailure('ecs:DescribeClusters', error)
  }
  const found = out.clusters?.find(c => c.status !== 'INACTIVE')
  if (!found) {
    throw new DeployError('Cluster not found', `Cluster "${cluster}" was not found (input "cluster").`, {
      hint: 'check the cluster name and the region'
    })
  }
}

export async function findService(ecs: ECSClient, cluster: string, service: string): Promise<Service> {
  let out
  try {
    out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))
  } catch (error) {
    if (awsErrorName(error) === 'ClusterNotFoundException') {
      throw new DeployError('Cluster not found', `Cluster "${cluster}" was not found (input "cluster").`)
    }
    throw awsFailure('ecs:DescribeServices', error)
  }
  const found = out.services?.[0]
  if (!found || found.status === 'INACTIVE') {
    throw new DeployError(
      'Service not found',
      `Service "${service}" was not found in cluster "${cluster}" (input "service").`,
      { hint: 'create the service first; this action updates an existing service' }
    )
  }
  if (found.status === 'DRAINING') {
    throw new DeployError(
      'Service is being deleted',
      `Service "${service}" is DRAINING (being deleted) (input "service").`
    )
  }
  if (found.deploymentController?.type && found.deploymentController.type !== 'ECS') {
    throw new DeployError(
      'Unsupported deployment controller',
      `Service "${service}" (input "service") uses the ${found.deploymentController.type} deployment controller; this action drives ECS rolling updates.`
    )
  }
  return found
}

/** Where the task definition to describe came from, so a failure can name the input. */
export type TaskDefinitionOrigin = { input: 'task-definition-family' } | { input: 'service'; service: string }

function notDescribed(
  taskDefinition: string,
  origin: TaskDefinitionOrigin | undefined,
  why: string
): DeployError {
  if (origin?.input === 'task-definition-family') {
    return new DeployError(
      'Task definition not found',
      `Input "task-definition-family": task definition family ${quote(taskDefinition, 255)} could not be described: ${why}`,
      {
        hint:
          'check the family name and the region; the family needs an ACTIVE revision ' +
          '(aws ecs list-task-definitions --family-prefix <family> --status ACTIVE)'
      }
    )
  }
  if (origin?.input === 'service') {
    return new DeployError(
      'Task definition not found',
      `Input "service": the current task definition of service ${quote(origin.service, 255)} ` +
        `(${quote(taskDefinition, 300)}) could not be described: ${why}`,
      { hint: 'give the task-definition input (a file) or task-definition-family as the base instead' }
    )
  }
  return new DeployError(
    'Task definition not found',
    `Task definition ${quote(taskDefinition, 300)} could not be described: ${why}`
  )
}

export async function describeTaskDefinition(
  ecs: ECSClient,
  taskDefinition: string,
  origin?: TaskDefinitionOrigin
): Promise<{ taskDefinition: TaskDefinition; tags?: Tag[] }> {
  try {
    const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] }))
    if (!out.taskDefinition) throw new Error('no task definition in the answer')
    return { taskDefinition: out.taskDefinition, tags: out.tags?.length ? out.tags : undefined }
  } catch (error) {
    if (awsErrorName(error) === 'ClientException') {
      throw notDescribed(taskDefinition, origin, boundMessage(errorMessage(error)))
    }
    throw awsFailure('ecs:DescribeTaskDefinition', error)
  }
}

export interface UpdateRequest {
  cluster: string
  service: string
  taskDefinitionArn: string
  desiredCount?: number
  forceNewDeployment?: boolean
  propagateTags?: PropagateTags
  enableEcsManagedTags?: boolean
}

export interface UpdateResult {
  service: Service
  /** The deployment this update started (PRIMARY, on our task definition). */
  deployment: Deployment
  /** When the update was accepted, by our clock: events before it are not ours. */
  at: Date
}

export async function updateService(ecs: ECSClient, request: UpdateRequest): Promise<UpdateResult> {
  const at = new Date()
  let out
  try {
    out = await ecs.send(
      new UpdateServiceCommand({
        cluster: request.cluster,
        service: request.service,
        taskDefinition: request.taskDefinitionArn,
        ...(request.desiredCount !== undefined ? { desiredCount: request.desiredCount } : {}),
        ...(request.forceNewDeployment ? { forceNewDeployment: true } : {}),
        ...(request.propagateTags ? { propagateTags: request.propagateTags } : {}),
        ...(request.enableEcsManagedTags !== undefined
          ? { enableECSManagedTags: request.enableEcsManagedTags }
          : {})
      })
    )
  } catch (error) {
    throw awsFailure('ecs:UpdateService', error)
  }
  const service = out.service
  const deployment =
    service?.deployments?.find(
      d => d.status === 'PRIMARY' && d.taskDefinition === request.taskDefinitionArn
    ) ?? service?.deployments?.find(d => d.status === 'PRIMARY')
  if (!service || !deployment?.id) {
    throw new DeployError('UpdateService failed', 'UpdateService answered without a PRIMARY deployment.')
  }
  return { service, deployment, at }
}

/**
 * The task definition the service was running before we touched it: the last deployment that completed
 * (a service caught mid-rollout goes back to what was stable), else its PRIMARY deployment's.
 */
export function currentTaskDefinition(service: Service): string | undefined {
  const deployments = service.deployments ?? []
  const completed =
    deployments.find(d => d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED') ??
    deployments.find(d => d.rolloutState === 'COMPLETED')
  return (
    completed?.taskDefinition ??
    deployments.find(d => d.status === 'PRIMARY')?.taskDefinition ??
    service.taskDefinition
  )
}

/**
 * The reads behind a placement finding (../diagnose/placement.ts): the cluster's container instances and
 * their remaining resources, and the capacity providers the service's tasks go to (its strategy, else the
 * cluster's default) with their managed scaling. I/O only, through the injected ECS client; a read that
 * fails becomes a note (the watch goes on as before), never the run's failure.
 */
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ListContainerInstancesCommand,
  type ContainerInstance,
  type ECSClient,
  type Resource,
  type Service
} from '@aws-sdk/client-ecs'
import { awsFailure } from '../aws.js'
import {
  decidePlacement,
  type InstanceRoom,
  type PlacementFinding,
  type ProviderFacts,
  type TaskNeeds
} from '../diagnose/placement.js'
import { DeployError, errorMessage } from '../errors.js'

/** DescribeContainerInstances takes at most 100; more are not needed to say what ran out. */
const MAX_INSTANCES = 100
const FARGATE = new Set(['FARGATE', 'FARGATE_SPOT'])

function integer(resources: Resource[] | undefined, name: string): number {
  return resources?.find(r => r.name === name)?.integerValue ?? 0
}

function room(i: ContainerInstance): InstanceRoom {
  const ports = (name: string) =>
    (i.remainingResources?.find(r => r.name === name)?.stringSetValue ?? []).map(Number)
  return {
    id: i.containerInstanceArn?.split('/').pop() ?? '',
    cpu: integer(i.remainingResources, 'CPU'),
    memory: integer(i.remainingResources, 'MEMORY'),
    ports: [...ports('PORTS'), ...ports('PORTS_UDP')]
  }
}

async function instances(ecs: ECSClient, cluster: string): Promise<InstanceRoom[]> {
  let listed: string[]
  try {
    const out = await ecs.send(
      new ListContainerInstancesCommand({ cluster, status: 'ACTIVE', maxResults: MAX_INSTANCES })
    )
    listed = out.containerInstanceArns ?? []
  } catch (error) {
    throw awsFailure('ecs:ListContainerInstances', error, { subject: `cluster ${cluster}` })
  }
  if (listed.length === 0) return []
  try {
    const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: listed }))
    return (out.containerInstances ?? []).map(room)
  } catch (error) {
    throw awsFailure('ecs:DescribeContainerInstances', error, { subject: `cluster ${cluster}` })
  }
}

/** The providers the service's tasks go to: its strategy, or (no launch type either) the cluster's default. */
async function providers(
  ecs: ECSClient,
  cluster: string,
  service: Service | undefined
): Promise<ProviderFacts[]> {
  let names = (service?.capacityProviderStrategy ?? []).map(s => s.capacityProvider ?? '')
  if (names.length === 0 && !service?.launchType) {
    try {
      const out = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }))
      names = (out.clusters?.[0]?.defaultCapacityProviderStrategy ?? []).map(s => s.capacityProvider ?? '')
    } catch (error) {
      throw awsFailure('ecs:DescribeClusters', error, { subject: `cluster ${cluster}` })
    }
  }
  names = names.filter(n => n !== '' && !FARGATE.has(n))
  if (names.length === 0) return []
  try {
    const out = await ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: names }))
    return (out.capacityProviders ?? []).map(p => ({
      name: p.name ?? '',
      managedScaling: p.autoScalingGroupProvider?.managedScaling?.status === 'ENABLED'
    }))
  } catch (error) {
    throw awsFailure('ecs:DescribeCapacityProviders', error, { subject: names.join(', ') })
  }
}

export interface CapacityCheck {
  finding?: PlacementFinding
  /** Set when a read failed: what could not be read (the watch goes on). */
  note?: string
}

/** Reads the cluster's capacity after an "unable to place a task" event and decides. */
export async function checkCapacity(
  ecs: ECSClient,
  request: { cluster: string; event: string; service?: Service; needs?: TaskNeeds }
): Promise<CapacityCheck> {
  try {
    const [rooms, providerFacts] = await Promise.all([
      instances(ecs, request.cluster),
      providers(ecs, request.cluster, request.service)
    ])
    return {
      finding: decidePlacement({
        cluster: request.cluster,
        event: request.event,
        needs: request.needs,
        instances: rooms,
        providers: providerFacts
      })
    }
  } catch (error) {
    const hint = error instanceof DeployError && error.hint ? ` (${error.hint})` : ''
    return { note: `Could not tell which resource ran out: ${errorMessage(error)}${hint}` }
  }
}

/**
 * The watch's `onUnplaced`: checks the capacity on each new "unable to place" event, and hands each new
 * finding that keeps the wait going (managed scaling adds instances) to `notice` once.
 */
export function capacityWatcher(
  ecs: ECSClient,
  cluster: string,
  needs: TaskNeeds | undefined,
  notice: (finding: PlacementFinding) => void
): (event: { message?: string }, service: Service) => Promise<CapacityCheck> {
  const told = new Set<string>()
  return async (event, service) => {
    const check = await checkCapacity(ecs, { cluster, event: event.message ?? '', service, needs })
    const f = check.finding
    if (f?.action === 'wait' && !told.has(f.detail)) {
      told.add(f.detail)
      notice(f)
    }
    return check
  }
}

/** Container instances: registering one, what its tasks reserve, and its DescribeContainerInstances shape. */
import { Json, clean, epoch, hex } from '../../util.js'
import type { SimContext } from '../../context.js'
import type { Cluster, EcsRegion } from '../state.js'
import {
  AGENT_RESERVED_PORTS,
  clusterReservation,
  remaining,
  taskNeeds,
  type ContainerInstance,
  type Needs,
  type Reservation
} from './model.js'

/** The agent version the local instances report. */
const AGENT_VERSION = '1.89.0'

export function registerInstance(
  ctx: SimContext,
  r: EcsRegion,
  cluster: Cluster,
  spec: { cpu: number; memory: number; ports?: number[]; portsUdp?: number[]; capacityProviderName?: string }
): ContainerInstance {
  const id = hex(16)
  const instance: ContainerInstance = {
    id,
    arn: r.arn(`container-instance/${cluster.name}/${id}`),
    clusterName: cluster.name,
    ec2InstanceId: `i-${hex(9).slice(0, 17)}`,
    status: 'ACTIVE',
    cpu: spec.cpu,
    memory: spec.memory,
    reservedPorts: [...new Set([...AGENT_RESERVED_PORTS, ...(spec.ports ?? [])])],
    reservedPortsUdp: [...new Set(spec.portsUdp ?? [])],
    registeredAt: ctx.clock.now(),
    capacityProviderName: spec.capacityProviderName
  }
  r.containerInstances.set(id, instance)
  return instance
}

/** The cluster's ACTIVE instances, in the order they registered. */
export function activeInstances(r: EcsRegion, clusterName: string): ContainerInstance[] {
  return [...r.containerInstances.values()].filter(
    i => i.clusterName === clusterName && i.status === 'ACTIVE'
  )
}

/** What the tasks placed on an instance reserve, until they are STOPPED. */
export function reservedOn(r: EcsRegion, instance: ContainerInstance): Needs[] {
  return [...r.tasks.values()]
    .filter(t => t.containerInstanceArn === instance.arn && t.lastStatus !== 'STOPPED')
    .map(t => taskNeeds(t.td.body))
}

/** A container instance by ARN or id in a cluster. */
export function findInstance(r: EcsRegion, clusterName: string, ref: string): ContainerInstance | undefined {
  const id = ref.split('/').pop() ?? ref
  const i = r.containerInstances.get(id)
  return i && i.clusterName === clusterName ? i : undefined
}

function resources(n: Needs): Json[] {
  const int = (name: string, value: number) => ({
    name,
    type: 'INTEGER',
    doubleValue: 0,
    longValue: 0,
    integerValue: value
  })
  const set = (name: string, values: number[]) => ({
    name,
    type: 'STRINGSET',
    doubleValue: 0,
    longValue: 0,
    integerValue: 0,
    stringSetValue: values.map(String)
  })
  return [int('CPU', n.cpu), int('MEMORY', n.memory), set('PORTS', n.ports), set('PORTS_UDP', n.portsUdp)]
}

export function renderContainerInstance(r: EcsRegion, i: ContainerInstance): Json {
  const tasks = [...r.tasks.values()].filter(t => t.containerInstanceArn === i.arn)
  const registered: Needs = {
    cpu: i.cpu,
    memory: i.memory,
    ports: i.reservedPorts,
    portsUdp: i.reservedPortsUdp
  }
  return clean({
    containerInstanceArn: i.arn,
    ec2InstanceId: i.ec2InstanceId,
    capacityProviderName: i.capacityProviderName,
    version: 1,
    versionInfo: {
      agentVersion: AGENT_VERSION,
      agentHash: 'ecs-sim',
      dockerVersion: 'DockerVersion: 25.0.0'
    },
    remainingResources: resources(remaining(i, reservedOn(r, i))),
    registeredResources: resources(registered),
    status: i.status,
    agentConnected: i.status === 'ACTIVE',
    runningTasksCount: tasks.filter(t => t.lastStatus === 'RUNNING').length,
    pendingTasksCount: tasks.filter(t => t.lastStatus === 'PROVISIONING' || t.lastStatus === 'PENDING')
      .length,
    attributes: [{ name: 'ecs.capability.docker-remote-api.1.44' }, { name: 'ecs.os-type', value: 'linux' }],
    registeredAt: epoch(i.registeredAt),
    attachments: [],
    tags: []
  })
}

/**
 * The cluster's CPUReservation / MemoryReservation now (percent; undefined without container instances),
 * for the CloudWatch metric store to publish as AWS/ECS metrics by ClusterName.
 */
export function reservationOf(r: EcsRegion, clusterName: string): Reservation | undefined {
  return clusterReservation(
    [...r.containerInstances.values()]
      .filter(i => i.clusterName === clusterName)
      .map(i => ({ status: i.status, cpu: i.cpu, memory: i.memory, reserved: reservedOn(r, i) }))
  )
}

/**
 * The capacity operations: RegisterContainerInstance, ListContainerInstances, DescribeContainerInstances,
 * CreateCapacityProvider, DescribeCapacityProviders, PutClusterCapacityProviders.
 */
import { AwsError, Json, clean, num, obj, str, strList } from '../../util.js'
import { getCluster } from '../lookup.js'
import { parseTags, renderCluster, renderTags } from '../render.js'
import { page, type EcsCall, type Handler, NAME_RE } from '../handlers/call.js'
import { activeInstances, findInstance, registerInstance, renderContainerInstance } from './instances.js'
import type { CapacityProvider, ManagedScaling } from './model.js'

/** Fargate's providers exist in every account and may be put on any cluster. */
const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT']

function integerResource(resources: Json[] | undefined, name: string): number | undefined {
  const r = resources?.find(x => x.name === name)
  return typeof r?.integerValue === 'number' ? r.integerValue : undefined
}

function registerContainerInstance({ ctx, r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const total = input.totalResources as Json[] | undefined
  const cpu = integerResource(total, 'CPU')
  const memory = integerResource(total, 'MEMORY')
  if (cpu === undefined || memory === undefined)
    throw new AwsError(
      'InvalidParameterException',
      'The local ECS registers an instance from totalResources: give CPU and MEMORY as integerValue.'
    )
  const ports = (total?.find(x => x.name === 'PORTS')?.stringSetValue as string[] | undefined)?.map(Number)
  const instance = registerInstance(ctx, r, cluster, { cpu, memory, ports })
  return { containerInstance: renderContainerInstance(r, instance) }
}

function listContainerInstances({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const status = str(input, 'status')
  const all = [...r.containerInstances.values()].filter(
    i => i.clusterName === cluster.name && (status ? i.status === status : i.status !== 'INACTIVE')
  )
  const { items, nextToken } = page(all, input)
  return clean({ containerInstanceArns: items.map(i => i.arn), nextToken })
}

function describeContainerInstances({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const refs = strList(input, 'containerInstances')
  if (!refs || refs.length === 0)
    throw new AwsError('InvalidParameterException', 'Container instances cannot be empty.')
  const containerInstances: Json[] = []
  const failures: Json[] = []
  for (const ref of refs) {
    const i = findInstance(r, cluster.name, ref)
    if (i) containerInstances.push(renderContainerInstance(r, i))
    else
      failures.push({
        arn: ref.startsWith('arn:') ? ref : r.arn(`container-instance/${cluster.name}/${ref}`),
        reason: 'MISSING'
      })
  }
  return { containerInstances, failures }
}

function managedScaling(raw: Json | undefined): ManagedScaling {
  const m = raw ?? {}
  const status = str(m, 'status') ?? (raw ? 'ENABLED' : 'DISABLED')
  if (status !== 'ENABLED' && status !== 'DISABLED')
    throw new AwsError('InvalidParameterException', 'managedScaling.status must be ENABLED or DISABLED.')
  return {
    status,
    targetCapacity: num(m, 'targetCapacity') ?? 100,
    minimumScalingStepSize: num(m, 'minimumScalingStepSize') ?? 1,
    maximumScalingStepSize: num(m, 'maximumScalingStepSize') ?? 10000,
    instanceWarmupPeriod: num(m, 'instanceWarmupPeriod') ?? 300
  }
}

function renderProvider(p: CapacityProvider): Json {
  return {
    capacityProviderArn: p.arn,
    name: p.name,
    status: 'ACTIVE',
    autoScalingGroupProvider: {
      autoScalingGroupArn: p.autoScalingGroupArn,
      managedScaling: { ...p.managedScaling },
      managedTerminationProtection: p.managedTerminationProtection,
      managedDraining: p.managedDraining
    },
    tags: renderTags(p.tags),
    type: 'EC2_AUTOSCALING'
  }
}

function createCapacityProvider({ r, input }: EcsCall): Json {
  const name = str(input, 'name')
  if (!name || !NAME_RE.test(name))
    throw new AwsError(
      'InvalidParameterException',
      'Capacity provider name can only contain letters, numbers, hyphens and underscores, up to 255 characters.'
    )
  if (r.capacityProviders.has(name) || FARGATE_PROVIDERS.includes(name))
    throw new AwsError(
      'ClientException',
      'The specified capacity provider already exists. To change the configuration of an existing capacity provider, update the capacity provider.'
    )
  const asg = obj(input, 'autoScalingGroupProvider')
  const asgArn = asg ? str(asg, 'autoScalingGroupArn') : undefined
  if (!asg || !asgArn)
    throw new AwsError(
      'InvalidParameterException',
      'The local ECS models Auto Scaling group capacity providers: autoScalingGroupProvider.autoScalingGroupArn is required.'
    )
  const p: CapacityProvider = {
    name,
    arn: r.arn(`capacity-provider/${name}`),
    autoScalingGroupArn: asgArn,
    managedScaling: managedScaling(obj(asg, 'managedScaling')),
    managedTerminationProtection: str(asg, 'managedTerminationProtection') ?? 'DISABLED',
    managedDraining: str(asg, 'managedDraining') ?? 'ENABLED',
    tags: parseTags(input.tags)
  }
  r.capacityProviders.set(name, p)
  return { capacityProvider: renderProvider(p) }
}

function fargateProvider(r: EcsCall['r'], name: string): Json {
  return {
    capacityProviderArn: r.arn(`capacity-provider/${name}`),
    name,
    status: 'ACTIVE',
    tags: [],
    type: name
  }
}

function describeCapacityProviders({ r, input }: EcsCall): Json {
  const refs = strList(input, 'capacityProviders')
  const names = refs?.map(ref => ref.split('/').pop() ?? ref)
  const known = [...FARGATE_PROVIDERS, ...r.capacityProviders.keys()]
  const wanted = names ?? known
  const found = wanted.filter(n => known.includes(n))
  const { items, nextToken } = page(found, input, 10)
  return clean({
    capacityProviders: items.map(n => {
      const p = r.capacityProviders.get(n)
      return p ? renderProvider(p) : fargateProvider(r, n)
    }),
    failures: wanted
      .filter(n => !known.includes(n))
      .map(n => ({ arn: r.arn(`capacity-provider/${n}`), reason: 'MISSING' })),
    nextToken
  })
}

function putClusterCapacityProviders({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const providers = strList(input, 'capacityProviders')
  const strategy = input.defaultCapacityProviderStrategy
  if (!providers || !Array.isArray(strategy))
    throw new AwsError(
      'InvalidParameterException',
      'capacityProviders and defaultCapacityProviderStrategy are required.'
    )
  for (const name of providers)
    if (!FARGATE_PROVIDERS.includes(name) && !r.capacityProviders.has(name))
      throw new AwsError(
        'InvalidParameterException',
        `The specified capacity provider ${name} does not exist.`
      )
  for (const item of strategy as Json[])
    if (!providers.includes(String(item.capacityProvider)))
      throw new AwsError(
        'InvalidParameterException',
        'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.'
      )
  cluster.capacityProviders = providers
  cluster.defaultCapacityProviderStrategy = strategy as Json[]
  return { cluster: renderCluster(r, cluster) }
}

export const CAPACITY_HANDLERS: Record<string, Handler> = {
  RegisterContainerInstance: registerContainerInstance,
  ListContainerInstances: listContainerInstances,
  DescribeContainerInstances: describeContainerInstances,
  CreateCapacityProvider: createCapacityProvider,
  DescribeCapacityProviders: describeCapacityProviders,
  PutClusterCapacityProviders: putClusterCapacityProviders
}

/** For the control API: the cluster's ACTIVE instances as DescribeContainerInstances shows them. */
export function describeAll(r: EcsCall['r'], clusterName: string): Json[] {
  return activeInstances(r, clusterName).map(i => renderContainerInstance(r, i))
}

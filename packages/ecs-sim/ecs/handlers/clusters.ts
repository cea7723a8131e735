/** Clusters: CreateCluster, DescribeClusters, DeleteCluster, ListClusters. */
import { AwsError, Json, list, obj, str, strList } from '../../util.js'
import { clusterName, getCluster } from '../lookup.js'
import { parseTags, renderCluster } from '../render.js'
import { EcsCall, Handler, NAME_RE } from './call.js'

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

export const CLUSTER_HANDLERS: Record<string, Handler> = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  DeleteCluster: deleteCluster,
  ListClusters: listClusters
}

/**
 * The control API's capacity endpoints (not AWS): `PUT /_sim/container-instances` registers container
 * instances of given sizes in a cluster; `PUT /_sim/auto-scaling-groups` sets the size of the instances
 * (and the launch time) of the local Auto Scaling groups capacity providers name.
 */
import { AwsError, type Json } from '../../util.js'
import type { SimContext } from '../../context.js'
import { getCluster } from '../lookup.js'
import { registerInstance } from './instances.js'
import { DEFAULT_GROUP } from './scaling.js'

const DEFAULT_REGION = 'us-east-1'

function positive(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw new AwsError('InvalidParameterException', `${what} must be a positive integer`)
  return v
}

function portList(v: unknown, what: string): number[] | undefined {
  if (v === undefined) return undefined
  if (!Array.isArray(v) || v.some(p => typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535))
    throw new AwsError('InvalidParameterException', `${what} must be a list of port numbers`)
  return v as number[]
}

/** `{ cluster, region?, instances: [{ cpu, memory, ports?, portsUdp? }] }` → the instances registered. */
export function putContainerInstances(ctx: SimContext, body: unknown): Json {
  const b = (body ?? {}) as Json
  const r = ctx.region(typeof b.region === 'string' ? b.region : DEFAULT_REGION)
  const cluster = getCluster(r, typeof b.cluster === 'string' ? b.cluster : undefined)
  if (!Array.isArray(b.instances) || b.instances.length === 0)
    throw new AwsError('InvalidParameterException', 'instances must be a non-empty list of { cpu, memory }')
  const specs = (b.instances as Json[]).map((i, n) => ({
    cpu: positive(i.cpu, `instances[${n}].cpu`),
    memory: positive(i.memory, `instances[${n}].memory`),
    ports: portList(i.ports, `instances[${n}].ports`),
    portsUdp: portList(i.portsUdp, `instances[${n}].portsUdp`)
  }))
  const made = specs.map(spec => registerInstance(ctx, r, cluster, spec))
  return { containerInstances: made.map(i => ({ id: i.id, arn: i.arn, cpu: i.cpu, memory: i.memory })) }
}

/** `{ region?, groups: [{ name, cpu, memory, maxSize?, launchSeconds? }] }` → the groups as set. */
export function putAutoScalingGroups(ctx: SimContext, body: unknown): Json {
  const b = (body ?? {}) as Json
  const r = ctx.region(typeof b.region === 'string' ? b.region : DEFAULT_REGION)
  if (!Array.isArray(b.groups))
    throw new AwsError('InvalidParameterException', 'groups must be a list of { name, cpu, memory }')
  const groups = (b.groups as Json[]).map((g, n) => {
    if (typeof g.name !== 'string' || g.name === '')
      throw new AwsError('InvalidParameterException', `groups[${n}].name must be a non-empty string`)
    const launch = g.launchSeconds ?? DEFAULT_GROUP.launchSeconds
    if (typeof launch !== 'number' || launch < 0)
      throw new AwsError(
        'InvalidParameterException',
        `groups[${n}].launchSeconds must be a non-negative number`
      )
    return {
      name: g.name,
      cpu: positive(g.cpu, `groups[${n}].cpu`),
      memory: positive(g.memory, `groups[${n}].memory`),
      maxSize: g.maxSize === undefined ? DEFAULT_GROUP.maxSize : positive(g.maxSize, `groups[${n}].maxSize`),
      launchSeconds: launch,
      launching: [] as number[]
    }
  })
  for (const g of groups) r.autoScalingGroups.set(g.name, g)
  return { groups: groups.map(({ launching: _, ...g }) => g) }
}

/**
 * Reading Application Auto Scaling requests as the service checks them: its errors are ValidationException
 * (with the Coral "1 validation error detected" wording for shape constraints) and ObjectNotFoundException.
 */
import { AwsError, type Json } from '../util.js'
import type { SimContext } from '../context.js'
import { clusterName } from '../ecs/lookup.js'
import { ECS_DIMENSION, ECS_NAMESPACE, ScalingRegion } from './state.js'

export interface AasCall {
  ctx: SimContext
  region: string
  input: Json
}

export function invalid(message: string): AwsError {
  return new AwsError('ValidationException', message)
}

function constraint(value: unknown, member: string, rule: string): AwsError {
  const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`
  return invalid(
    `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${rule}`
  )
}

function memberName(key: string): string {
  return key[0].toLowerCase() + key.slice(1)
}

export function optString(input: Json, key: string): string | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw invalid(`${key} must be a string.`)
  return v
}

export function reqString(input: Json, key: string): string {
  const v = optString(input, key)
  if (v === undefined) throw constraint(v, memberName(key), 'Member must not be null')
  if (v === '') throw constraint(v, memberName(key), 'Member must have length greater than or equal to 1')
  return v
}

/** An integer at least 0 (capacities, cooldowns, MaxResults). */
export function optCount(input: Json, key: string, max?: number): number | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`${key} must be an integer.`)
  if (v < 0) throw constraint(v, memberName(key), 'Member must have value greater than or equal to 0')
  if (max !== undefined && v > max)
    throw constraint(v, memberName(key), `Member must have value less than or equal to ${max}`)
  return v
}

export function optBool(input: Json, key: string): boolean | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw invalid(`${key} must be a boolean.`)
  return v
}

export function optObject(input: Json, key: string): Json | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`${key} must be an object.`)
  return v as Json
}

export function optStrings(input: Json, key: string): string[] | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some(x => typeof x !== 'string'))
    throw invalid(`${key} must be a list of strings.`)
  return v as string[]
}

const NAMESPACES = [
  'ecs',
  'elasticmapreduce',
  'ec2',
  'appstream',
  'dynamodb',
  'rds',
  'sagemaker',
  'custom-resource',
  'comprehend',
  'lambda',
  'cassandra',
  'kafka',
  'elasticache',
  'neptune',
  'workspaces'
]

/** ServiceNamespace: required, one of AWS's; of those the local ECS models `ecs` only. */
export function namespaceOf(input: Json): string {
  const ns = reqString(input, 'ServiceNamespace')
  if (!NAMESPACES.includes(ns))
    throw constraint(ns, 'serviceNamespace', `Member must satisfy enum value set: [${NAMESPACES.join(', ')}]`)
  if (ns !== ECS_NAMESPACE)
    throw invalid(`The local ECS models Application Auto Scaling for the ecs namespace only, not ${ns}.`)
  return ns
}

/** AWS's answer to a resource ID or dimension that does not fit the namespace. */
export const UNSUPPORTED = 'Unsupported service namespace, resource type or scalable dimension'

export function dimensionOf(input: Json, required: boolean): string | undefined {
  const dim = required ? reqString(input, 'ScalableDimension') : optString(input, 'ScalableDimension')
  if (dim !== undefined && dim !== ECS_DIMENSION) throw invalid(UNSUPPORTED)
  return dim
}

/** `service/<cluster>/<service>` (the cluster may also be written as its ARN's name). */
export function parseResourceId(resourceId: string): { cluster: string; service: string } {
  const m = /^service\/([^/]+)\/([^/]+)$/.exec(resourceId)
  if (!m) throw invalid(UNSUPPORTED)
  return { cluster: clusterName(m[1]), service: m[2] }
}

/** The namespace, resource ID and dimension every single-target operation names. */
export function targetKeyOf(input: Json): { resourceId: string; cluster: string; service: string } {
  namespaceOf(input)
  const resourceId = reqString(input, 'ResourceId')
  dimensionOf(input, true)
  return { resourceId, ...parseResourceId(resourceId) }
}

/** AWS's words for an operation on a target it does not know (PutScalingPolicy says "registered"). */
export function noTarget(resourceId: string, verb: 'found' | 'registered'): AwsError {
  return new AwsError(
    'ObjectNotFoundException',
    `No scalable target ${verb} for service namespace: ${ECS_NAMESPACE}, resource ID: ${resourceId}, scalable dimension: ${ECS_DIMENSION}`
  )
}

export function scalingRegion(ctx: SimContext, region: string): ScalingRegion {
  let r = ctx.autoscaling.get(region)
  if (!r) ctx.autoscaling.set(region, (r = new ScalingRegion(region)))
  return r
}

/** One page of a Describe* answer: MaxResults (at most `max`) from the position NextToken holds. */
export function page<T>(items: T[], input: Json, max: number): { items: T[]; next?: string } {
  const limit = optCount(input, 'MaxResults', max) ?? max
  const token = optString(input, 'NextToken')
  const start = token ? Number(Buffer.from(token, 'base64').toString()) : 0
  if (!Number.isInteger(start) || start < 0)
    throw new AwsError('InvalidNextTokenException', 'Invalid NextToken.')
  const end = start + limit
  return {
    items: items.slice(start, end),
    next: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined
  }
}

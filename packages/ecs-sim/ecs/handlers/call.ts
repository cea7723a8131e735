/** What every ECS operation handler gets, and the checks several resources share. */
import { AwsError, num, str, type Json } from '../../util.js'
import type { SimContext } from '../../context.js'
import { findTaskDefinition } from '../lookup.js'
import type { EcsRegion, TaskDefinition } from '../state.js'

export interface EcsCall {
  ctx: SimContext
  r: EcsRegion
  input: Json
}

export type Handler = (call: EcsCall) => Json | Promise<Json>

/** Cluster, service, container and family names: letters, digits, `-` and `_`, 1 to 255. */
export const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/

/** A task definition a service or RunTask may use: it exists and is ACTIVE. */
export function requireTaskDefinition(r: EcsRegion, ref: string | undefined): TaskDefinition {
  if (!ref) throw new AwsError('InvalidParameterException', 'TaskDefinition must not be empty.')
  const td = findTaskDefinition(r, ref)
  if (!td) throw new AwsError('ClientException', 'TaskDefinition not found.')
  if (td.status !== 'ACTIVE') throw new AwsError('ClientException', `TaskDefinition is inactive`)
  return td
}

/** One page of a List* answer: `maxResults` (at most `max`) from the position `nextToken` holds. */
export function page<T>(items: T[], input: Json, max = 100): { items: T[]; nextToken?: string } {
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

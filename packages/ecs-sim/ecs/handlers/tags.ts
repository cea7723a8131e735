/** Tags on clusters, task definitions, services and tasks: ListTagsForResource, TagResource, UntagResource. */
import { AwsError, Json, str, strList } from '../../util.js'
import { parseTags } from '../render.js'
import { EcsCall, Handler } from './call.js'
import type { EcsRegion } from '../state.js'

function findTaggable(r: EcsRegion, arn: string): { tags: { key: string; value: string }[] } {
  for (const c of r.clusters.values()) if (c.arn === arn) return c
  for (const tds of r.taskDefinitions.values()) for (const td of tds) if (td.arn === arn) return td
  for (const services of r.services.values()) for (const s of services.values()) if (s.arn === arn) return s
  for (const t of r.tasks.values()) if (t.arn === arn) return t
  throw new AwsError('InvalidParameterException', 'The specified resource could not be found.')
}

function listTagsForResource({ r, input }: EcsCall): Json {
  return { tags: findTaggable(r, str(input, 'resourceArn') ?? '').tags.map(t => ({ ...t })) }
}

function tagResource({ r, input }: EcsCall): Json {
  const res = findTaggable(r, str(input, 'resourceArn') ?? '')
  for (const t of parseTags(input.tags)) {
    const i = res.tags.findIndex(x => x.key === t.key)
    if (i >= 0) res.tags[i] = t
    else res.tags.push(t)
  }
  return {}
}

function untagResource({ r, input }: EcsCall): Json {
  const res = findTaggable(r, str(input, 'resourceArn') ?? '')
  const keys = new Set(strList(input, 'tagKeys') ?? [])
  res.tags = res.tags.filter(t => !keys.has(t.key))
  return {}
}

export const TAG_HANDLERS: Record<string, Handler> = {
  ListTagsForResource: listTagsForResource,
  TagResource: tagResource,
  UntagResource: untagResource
}

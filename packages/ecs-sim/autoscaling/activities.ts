/** DescribeScalingActivities: what Application Auto Scaling did to each target, newest first. */
import { clean, epoch, type Json } from '../util.js'
import {
  dimensionOf,
  namespaceOf,
  optBool,
  optString,
  page,
  scalingRegion,
  type AasCall
} from './validate.js'

function describeScalingActivities({ ctx, region, input }: AasCall): Json {
  namespaceOf(input)
  const resourceId = optString(input, 'ResourceId')
  dimensionOf(input, false)
  // The local ECS records no "not scaled" activities, so IncludeNotScaledActivities changes nothing.
  optBool(input, 'IncludeNotScaledActivities')
  const all = scalingRegion(ctx, region)
    .activities.filter(a => resourceId === undefined || a.ResourceId === resourceId)
    .slice()
    .reverse()
  const { items, next } = page(all, input, 50)
  return clean({
    ScalingActivities: items.map(a =>
      clean({ ...a, StartTime: epoch(a.StartTime), EndTime: epoch(a.EndTime) })
    ),
    NextToken: next
  })
}

export const ACTIVITY_HANDLERS = { DescribeScalingActivities: describeScalingActivities }

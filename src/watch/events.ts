/**
 * Which service events are ours and new. ECS lists a service's events newest first and keeps old ones;
 * an event is ours when it was created after our UpdateService (less a clock-skew allowance) and was not
 * on the service before it; new when no earlier poll reported it. Pure.
 */
import type { ServiceEvent } from '@aws-sdk/client-ecs'

/** Clock skew allowance between us and ECS when deciding which events are ours. */
export const EVENT_SLACK_MS = 1000

/** An event's identity: its id, or its time and text when ECS gave none. */
export function eventKey(e: ServiceEvent): string {
  return e.id ?? `${e.createdAt?.getTime() ?? ''}|${e.message ?? ''}`
}

export interface EventFilter {
  /** Events created before this (epoch ms, the slack already taken off) are not ours. */
  sinceMs: number
  /** Keys of events already reported, or already on the service before our update. */
  seen: ReadonlySet<string>
}

/**
 * The events of `listed` (as DescribeServices gives them) that are ours and not yet seen, oldest first;
 * events with the same time keep ECS's order, reversed.
 */
export function newEvents(listed: readonly ServiceEvent[], filter: EventFilter): ServiceEvent[] {
  return listed
    .map((e, index) => ({ e, index }))
    .filter(
      ({ e }) =>
        e.createdAt !== undefined && e.createdAt.getTime() >= filter.sinceMs && !filter.seen.has(eventKey(e))
    )
    .sort((a, b) => a.e.createdAt!.getTime() - b.e.createdAt!.getTime() || b.index - a.index)
    .map(({ e }) => e)
}

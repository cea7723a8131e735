/**
 * The verdict on a deployment, from one snapshot of what the wait has seen. PURE: no client, no clock,
 * no `core`; every input is in the snapshot, so the ECS rules are tested as table rows.
 *
 * The SDK waiter's "services stable" means only `deployments.length == 1 && running == desired`, which
 * is also true after ECS's circuit breaker has rolled back to the old revision. We judge our own
 * deployment (by id): its rolloutState, its failedTasks, and who is PRIMARY.
 *
 * One verdict function per deployment strategy: this file holds the shared shapes and the rolling update
 * (the ECS deployment controller's ROLLING strategy); ./strategies.ts maps a strategy to its function, so
 * another strategy is a new `verdict-*.ts` and one line there, with the loop unchanged. A strategy that
 * needs facts DescribeServices does not give (service deployments, lifecycle stages, hooks) adds them to
 * the snapshot as optional fields.
 */
import type { Deployment, Service, ServiceEvent } from '@aws-sdk/client-ecs'
import { counts, formatDuration, shortTaskDefinition } from './text.js'

/** 'paused': a native deployment waits at a PAUSE hook and the run was told to return there (on-pause: return). */
export type WatchStatus =
  'completed' | 'failed' | 'rolled-back' | 'too-many-failed-tasks' | 'timeout' | 'cancelled' | 'paused'

/** When DescribeServices answered, and how many tasks of ours had failed by then. */
export interface Read {
  at: number
  failed: number
}

export interface Snapshot {
  /** The deployment UpdateService created (ecs-svc/...). */
  deploymentId: string
  /** The task-definition revision we registered. */
  taskDefinitionArn: string
  /** The service in the latest answer (undefined before the first). */
  service?: Service
  /** Our deployment in the latest answer; undefined when it is not (or no longer) listed. */
  ours?: Deployment
  /** Our deployment as last seen, in this answer or an earlier one. */
  lastSeen?: Deployment
  /** The latest answer's PRIMARY deployment. */
  primary?: Deployment
  /** All deployments of the latest answer. */
  deployments: readonly Deployment[]
  /** Our service events so far (since the update), oldest first. */
  events: readonly ServiceEvent[]
  /** Deployments and events created before this (epoch ms) are not ours. */
  sinceMs: number
  limits: {
    /** Stop once our deployment has this many failed tasks; Infinity: never. */
    maxFailedTasks: number
    pollIntervalMs: number
    timeoutMs: number
  }
  /** The latest read of the deployment, and the one before (undefined after the first). */
  lastRead: Read
  previousRead?: Read
  /** The clock now, and when the wait gives up (epoch ms). */
  now: number
  deadline: number
  /** The run was cancelled (SIGTERM). */
  cancelled: boolean
}

export interface Verdict {
  status: WatchStatus
  /** One line a person can read. */
  message: string
  /** When ECS rolled back (or another deployment replaced ours): the new PRIMARY's id. */
  rollbackDeploymentId?: string
}

/** A strategy's verdict: undefined while the deployment is still going. */
export type VerdictFn = (snapshot: Snapshot) => Verdict | undefined

const ROLLING_BACK = /rolling back/i

/**
 * "limit 3" or, past it, "limit 3; ECS starts tasks in batches of 2": ECS starts the tasks of a
 * deployment up to its desired count at once, so they also fail together and the count can pass the
 * limit by one batch before any watch can see it. Past one batch, `since` says what the watch missed:
 * how many failed between its last two reads of the deployment, and how long apart they were
 * (`unread`: longer than a poll interval, because calls were throttled, failed or slow).
 */
export function failedLimitText(
  failed: number,
  limit: number,
  desired: number,
  since?: { failed: number; ms: number; unread: boolean }
): string {
  if (failed <= limit) return `limit ${limit}`
  const batch = Math.max(1, desired)
  const parts = [`limit ${limit}`, `ECS starts tasks in batches of ${batch}`]
  if (failed > limit + batch && since && since.ms > 0 && failed > since.failed) {
    const n = failed - since.failed
    parts.push(
      since.unread
        ? `${n} of them failed in the ${formatDuration(since.ms)} ECS could not be read`
        : `${n} of them failed between two reads ${formatDuration(since.ms)} apart`
    )
  }
  return parts.join('; ')
}

function completed(s: Snapshot, ours: Deployment): Verdict {
  return {
    status: 'completed',
    message: `Deployment ${s.deploymentId} completed: ${counts(ours)} on ${shortTaskDefinition(ours.taskDefinition ?? s.taskDefinitionArn)}`
  }
}

function tooManyFailed(s: Snapshot, ours: Deployment): Verdict | undefined {
  const failed = ours.failedTasks ?? 0
  const limit = s.limits.maxFailedTasks
  if (failed < limit) return undefined
  // What the watch missed since its previous read (throttling, 5xx and slow calls widen it).
  const before = s.previousRead
  const gapMs = before ? s.lastRead.at - before.at : 0
  const limitText = failedLimitText(
    failed,
    limit,
    ours.desiredCount ?? 1,
    before ? { failed: before.failed, ms: gapMs, unread: gapMs > s.limits.pollIntervalMs * 1.5 } : undefined
  )
  return {
    status: 'too-many-failed-tasks',
    message: `Deployment ${s.deploymentId} stopped after ${failed} failed tasks (${limitText}): ${counts(ours)}`
  }
}

/** Our deployment is listed: done, failed, rolled back, replaced, over the failed-task limit, or going. */
function judgeOurs(s: Snapshot, ours: Deployment, rollingBackEvent: boolean): Verdict | undefined {
  const { deploymentId } = s
  const replacedBy = s.primary && s.primary.id !== deploymentId ? s.primary : undefined
  if (ours.rolloutState === 'COMPLETED' && ours.status === 'PRIMARY') return completed(s, ours)
  if (ours.rolloutState === 'FAILED') {
    const reason = ours.rolloutStateReason ? `: ${ours.rolloutStateReason}` : ''
    const onOtherRevision =
      replacedBy && replacedBy.taskDefinition !== (ours.taskDefinition ?? s.taskDefinitionArn)
    if (replacedBy && (onOtherRevision || rollingBackEvent)) {
      return {
        status: 'rolled-back',
        message: `Deployment ${deploymentId} failed${reason}; ECS rolled back to ${shortTaskDefinition(replacedBy.taskDefinition)} (deployment ${replacedBy.id})`,
        rollbackDeploymentId: replacedBy.id
      }
    }
    if (rollingBackEvent) {
      return {
        status: 'rolled-back',
        message: `Deployment ${deploymentId} failed${reason}; ECS is rolling back`
      }
    }
    return { status: 'failed', message: `Deployment ${deploymentId} failed${reason} (${counts(ours)})` }
  }
  if (replacedBy && ours.status !== 'PRIMARY') {
    return {
      status: 'rolled-back',
      message: `Deployment ${deploymentId} was replaced by deployment ${replacedBy.id} (${shortTaskDefinition(replacedBy.taskDefinition)}) before it completed (${counts(ours)})`,
      rollbackDeploymentId: replacedBy.id
    }
  }
  // Without a rolloutState (no circuit breaker information), the one deployment left at its count is done.
  if (
    ours.rolloutState === undefined &&
    s.deployments.length === 1 &&
    (ours.runningCount ?? 0) === (ours.desiredCount ?? 0) &&
    !ours.pendingCount
  ) {
    return completed(s, ours)
  }
  return tooManyFailed(s, ours)
}

/**
 * Our deployment is not listed. A PRIMARY created after our update replaced it (a rollback); an older
 * PRIMARY means ours is not visible yet.
 */
function judgeVanished(s: Snapshot, rollingBackEvent: boolean): Verdict | undefined {
  const replacedBy = s.primary && s.primary.id !== s.deploymentId ? s.primary : undefined
  if (!replacedBy || (replacedBy.createdAt !== undefined && replacedBy.createdAt.getTime() < s.sinceMs)) {
    return undefined
  }
  const failed = rollingBackEvent || s.lastSeen?.rolloutState === 'FAILED'
  const target = `${shortTaskDefinition(replacedBy.taskDefinition)} (deployment ${replacedBy.id})`
  return {
    status: 'rolled-back',
    message: failed
      ? `Deployment ${s.deploymentId} failed and ECS rolled back to ${target}`
      : `Deployment ${s.deploymentId} was replaced by ${target} before it completed`,
    rollbackDeploymentId: replacedBy.id
  }
}

/** The end of the wait that no strategy decides: the run was cancelled, or the deadline passed. */
export function endOfWait(s: Snapshot): Verdict | undefined {
  const last = s.lastSeen
  if (s.cancelled) {
    return {
      status: 'cancelled',
      message: `Stopped waiting for deployment ${s.deploymentId}: cancelled (${counts(last)})`
    }
  }
  if (s.now >= s.deadline) {
    return {
      status: 'timeout',
      message:
        `Deployment ${s.deploymentId} did not complete within ${formatDuration(s.limits.timeoutMs)}: ${counts(last)}` +
        (last?.rolloutState ? ` (rollout ${last.rolloutState})` : '')
    }
  }
  return undefined
}

/**
 * A rolling update (the ECS deployment controller): what ECS says about our deployment first (a
 * deployment that completed is reported even if the run is cancelled at that moment), then the
 * cancellation, then the deadline.
 */
export const rollingVerdict: VerdictFn = s => {
  const rollingBackEvent = s.events.some(e => ROLLING_BACK.test(e.message ?? ''))
  const fromEcs = s.ours ? judgeOurs(s, s.ours, rollingBackEvent) : judgeVanished(s, rollingBackEvent)
  return fromEcs ?? endOfWait(s)
}

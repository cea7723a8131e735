/**
 * Pure: the stopped tasks, service events and outcome of a watch → the causes a person can act on,
 * identical causes grouped with a count.
 */
import type { RegisterTaskDefinitionCommandInput, Task, TaskDefinition } from '@aws-sdk/client-ecs'
import { arnTail } from '../arn.js'
import type { WatchOutcome } from '../watch/loop.js'
import { containerDefinition, type TaskDefinitionLike } from './blame.js'
import { addsACause, eventFindings } from './events.js'
import { capacityCause } from './placement.js'
import { classify, type Finding } from './tasks.js'
import { TITLE_MAX, trimText } from './text.js'

export interface Cause {
  /** The cause itself, e.g. "web: container exited with code 3" (an annotation title). */
  title: string
  /** The full text ECS gave (stoppedReason, container reason, event). */
  detail: string
  /** How many tasks (or events) had this cause. */
  count: number
  /** Task ids (last ARN segment), in the order they stopped. */
  taskIds: string[]
  container?: string
  exitCode?: number
  /** The task's other containers, which ECS stopped because the task was stopping (first task's). */
  stoppedByEcs?: string[]
  /** CloudWatch Logs location of the container's output in the first task (awslogs driver only). */
  logGroup?: string
  logStream?: string
  /** The awslogs-region of that container, when the task definition names one. */
  logRegion?: string
  /** The last lines of that stream, filled by attachLogTails. */
  logLines?: string[]
}

/** awslogs location of a container's output for one task: `<prefix>/<container>/<task id>`. */
function logLocation(
  td: TaskDefinitionLike | undefined,
  container: string | undefined,
  task: Task
): Pick<Cause, 'logGroup' | 'logStream' | 'logRegion'> {
  const def = containerDefinition(td, container)
  const log = def?.logConfiguration
  if (!log || log.logDriver !== 'awslogs') return {}
  const group = log.options?.['awslogs-group']
  const prefix = log.options?.['awslogs-stream-prefix']
  if (!group || !prefix) return {}
  return {
    logGroup: group,
    logStream: `${prefix}/${container}/${arnTail(task.taskArn)}`,
    logRegion: log.options?.['awslogs-region']
  }
}

/** The container whose logs explain a task-level failure (ELB health checks, unknown reasons). */
function mainContainer(td: TaskDefinitionLike | undefined): string | undefined {
  const defs = td?.containerDefinitions ?? []
  const withLogs = defs.filter(d => d.logConfiguration?.logDriver === 'awslogs' && d.essential !== false)
  return withLogs.length === 1 ? withLogs[0]!.name : undefined
}

function group(causes: Map<string, Cause>, finding: Finding, task?: Task, extra: Partial<Cause> = {}): void {
  const existing = causes.get(finding.title)
  if (existing) {
    existing.count++
    if (task) existing.taskIds.push(arnTail(task.taskArn))
    return
  }
  const cause: Cause = {
    title: finding.title,
    detail: finding.detail,
    count: 1,
    taskIds: task ? [arnTail(task.taskArn)] : [],
    ...extra
  }
  if (finding.container) cause.container = finding.container
  if (finding.exitCode !== undefined) cause.exitCode = finding.exitCode
  if (finding.stoppedByEcs && finding.stoppedByEcs.length > 0) cause.stoppedByEcs = finding.stoppedByEcs
  causes.set(finding.title, cause)
}

function eventCauses(outcome: WatchOutcome): Cause[] {
  const causes = new Map<string, Cause>()
  for (const finding of eventFindings(outcome.events)) group(causes, finding)
  return [...causes.values()]
}

/**
 * What a native deployment's own record says ended it (the alarm, the hook, the circuit breaker): first,
 * since the tasks and events only show its effects.
 */
function nativeCause(outcome: WatchOutcome): Cause | undefined {
  if (!outcome.cause || outcome.status === 'completed' || outcome.status === 'paused') return undefined
  const what = outcome.status === 'rolled-back' ? 'Rolled back' : 'Deployment failed'
  const title = trimText(`${what}: ${outcome.cause}`, TITLE_MAX)
  return { title, detail: nativeDetail(outcome) ?? title, count: 1, taskIds: [] }
}

/**
 * What the service deployment's record adds to its cause, without restating it (the verdict says the
 * rest): the stage ECS shows it in and, for a hook that failed or timed out, a Lambda hook's id and
 * target, a timed-out hook's timeout action.
 */
function nativeDetail(outcome: WatchOutcome): string | undefined {
  const d = outcome.serviceDeployment
  const hook = (d?.lifecycleHookDetails ?? []).find(h => h.status === 'FAILED' || h.status === 'TIMED_OUT')
  const parts = [
    d?.lifecycleStage ? `stage ${d.lifecycleStage}` : undefined,
    // A Lambda hook's title names its function; a PAUSE hook's names its id already.
    hook?.hookId && hook.targetArn ? `hook ${hook.hookId} (target ${hook.targetArn})` : undefined,
    hook?.timeoutAction && hook.status === 'TIMED_OUT' ? `timeout action ${hook.timeoutAction}` : undefined
  ].filter(Boolean)
  return parts.length > 0 ? parts.join(', ') : undefined
}

function fallback(outcome: WatchOutcome): Cause | undefined {
  if (outcome.status === 'completed') return undefined
  const d = outcome.deployment
  const countsText = d
    ? `${d.runningCount ?? 0} running, ${d.pendingCount ?? 0} pending, ${d.failedTasks ?? 0} failed of ${d.desiredCount ?? 0} desired` +
      (d.rolloutState ? `; rollout ${d.rolloutState}` : '') +
      (d.rolloutStateReason ? ` (${d.rolloutStateReason})` : '')
    : 'the deployment was never seen'
  switch (outcome.status) {
    case 'timeout':
      return {
        title: d
          ? `Deployment did not complete in time: ${d.runningCount ?? 0}/${d.desiredCount ?? 0} tasks running` +
            (d.pendingCount ? `, ${d.pendingCount} pending` : '') +
            (d.failedTasks ? `, ${d.failedTasks} failed` : '')
          : 'Deployment did not complete in time',
        detail: `${outcome.message}. Deployment ${d?.id ?? ''} had ${countsText}`,
        count: 1,
        taskIds: []
      }
    case 'failed':
    case 'rolled-back':
      return {
        title: d?.rolloutStateReason
          ? trimText(`Deployment failed: ${d.rolloutStateReason}`, TITLE_MAX)
          : 'Deployment failed',
        detail: `${outcome.message}. Deployment ${d?.id ?? ''} had ${countsText}`,
        count: 1,
        taskIds: []
      }
    case 'too-many-failed-tasks':
      return {
        title: `${d?.failedTasks ?? 0} tasks failed to start`,
        detail: `${outcome.message}. The stopped tasks could not be read (they vanish about an hour after stopping)`,
        count: 1,
        taskIds: []
      }
    case 'cancelled':
      return {
        title: 'Cancelled while waiting for the deployment',
        detail: outcome.message,
        count: 1,
        taskIds: []
      }
  }
}

/**
 * Turns stopped tasks and service events into causes, most frequent task causes first, then the
 * ECS events that explain the deployment's fate. `taskDefinition` (the one registered) tells which
 * containers are essential and where their logs are.
 */
export function diagnose(
  outcome: WatchOutcome,
  taskDefinition?: TaskDefinition | RegisterTaskDefinitionCommandInput
): Cause[] {
  const td: TaskDefinitionLike | undefined = taskDefinition
  const taskCauses = new Map<string, Cause>()
  const routine = new Map<string, Cause>()
  const main = mainContainer(td)

  for (const task of outcome.stoppedTasks) {
    const finding = classify(task, td)
    const target = finding.routine ? routine : taskCauses
    if (target.has(finding.title)) {
      group(target, finding, task)
      continue
    }
    // Logs are worth reading only for containers that ran (not pull or init failures).
    const ran = finding.exitCode !== undefined || /health checks/i.test(finding.title)
    if (!finding.container && /ELB health checks/i.test(finding.title) && main) finding.container = main
    group(target, finding, task, ran && finding.container ? logLocation(td, finding.container, task) : {})
  }

  const ordered = [...taskCauses.values()].sort((a, b) => b.count - a.count)
  // With the stopped tasks (or a native deployment's own record) saying why, ECS's lifecycle events
  // ("deployment failed", "rolling back", "unable to consistently start tasks") only restate the
  // verdict: keep just what adds a cause.
  const native = nativeCause(outcome)
  // ECS could not place our tasks: which resource ran out comes first.
  const capacity = outcome.capacity ? capacityCause(outcome.capacity) : undefined
  const explained = ordered.length > 0 || native !== undefined || capacity !== undefined
  const events = eventCauses(outcome).filter(c => !explained || addsACause(c.detail))
  const causes = [...(capacity ? [capacity] : []), ...(native ? [native] : []), ...ordered, ...events]
  if (causes.length > 0) return causes

  const last = fallback(outcome)
  return [...(last ? [last] : []), ...routine.values()]
}

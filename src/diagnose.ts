/**
 * Pure: the stopped tasks, service events and outcome of a watch → the causes a person can act on,
 * identical causes grouped with a count.
 */
import type {
  Container,
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  ServiceEvent,
  Task,
  TaskDefinition
} from '@aws-sdk/client-ecs'
import type { WatchOutcome } from './watch.js'

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
  /** CloudWatch Logs location of the container's output in the first task (awslogs driver only). */
  logGroup?: string
  logStream?: string
  /** The awslogs-region of that container, when the task definition names one. */
  logRegion?: string
  /** The last lines of that stream, filled by attachLogTails. */
  logLines?: string[]
}

type TaskDefinitionLike = Pick<TaskDefinition | RegisterTaskDefinitionCommandInput, 'containerDefinitions'>

const TITLE_MAX = 100
const EVENT_TITLE_MAX = 200

/** The last segment of an ARN (a task id from a task ARN). */
export function taskId(arn: string | undefined): string {
  if (!arn) return 'unknown'
  return arn.slice(arn.lastIndexOf('/') + 1)
}

/** Collapses whitespace and cuts to `max` characters with an ellipsis. */
export function trimText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`
}

/** The first sentence (a period followed by whitespace ends it; dots inside names do not). */
function firstSentence(text: string): string {
  const match = /^(.*?[.!?])(\s|$)/s.exec(text.trim())
  const sentence = match ? match[1]! : text.trim()
  return sentence.replace(/\.$/, '')
}

/** "CannotPullContainerError: pull image manifest …" → "CannotPullContainerError: <first sentence, trimmed>". */
function errorTitle(reason: string): string | undefined {
  const match = /^\s*([A-Z][A-Za-z]*Error|[A-Z][A-Za-z]*Exception)\s*:\s*(.*)$/s.exec(reason)
  if (!match) return undefined
  const name = match[1]!
  const rest = firstSentence(match[2]!)
  return rest ? `${name}: ${trimText(rest, TITLE_MAX)}` : name
}

interface Finding {
  title: string
  detail: string
  container?: string
  exitCode?: number
  /** Normal scale-in by the scheduler: a cause only when there is nothing else. */
  routine?: boolean
}

function containerDefinition(
  td: TaskDefinitionLike | undefined,
  name: string | undefined
): ContainerDefinition | undefined {
  if (!td || !name) return undefined
  return td.containerDefinitions?.find(c => c.name === name)
}

function isEssential(td: TaskDefinitionLike | undefined, c: Container): boolean {
  const def = containerDefinition(td, c.name)
  return def ? def.essential !== false : true
}

/** The container whose exit stopped the task: an essential one with a non-zero code first. */
function exitedContainer(task: Task, td: TaskDefinitionLike | undefined): Container | undefined {
  const containers = task.containers ?? []
  const exited = containers.filter(c => typeof c.exitCode === 'number')
  return (
    exited.find(c => c.exitCode !== 0 && isEssential(td, c)) ??
    exited.find(c => c.exitCode !== 0) ??
    exited.find(c => isEssential(td, c))
  )
}

function isOutOfMemory(c: Container): boolean {
  return /OutOfMemory|out of memory|OOM/i.test(c.reason ?? '')
}

function targetGroupName(reason: string): string | undefined {
  return /targetgroup\/([^/\s)]+)/.exec(reason)?.[1]
}

function classify(task: Task, td: TaskDefinitionLike | undefined): Finding {
  const reason = (task.stoppedReason ?? '').trim()
  const containers = task.containers ?? []

  if (task.stopCode === 'ServiceSchedulerInitiated' && /^Scaling activity initiated by/i.test(reason)) {
    return { title: trimText(reason, TITLE_MAX), detail: reason, routine: true }
  }

  // Errors of the task as a whole (the containers never ran): CannotPullContainerError,
  // ResourceInitializationError, … — possibly only in a container's reason.
  const taskError = errorTitle(reason)
  if (taskError && !/^OutOfMemoryError/.test(reason)) {
    const container = containers.find(c => c.reason && c.reason.trim().startsWith(reason.split(':')[0]!))
    return { title: taskError, detail: reason, container: container?.name }
  }
  const failedToStart = containers.find(
    c => c.reason && errorTitle(c.reason) && typeof c.exitCode !== 'number'
  )
  if (
    failedToStart &&
    (task.stopCode === 'TaskFailedToStart' || !reason || /^Essential container/i.test(reason))
  ) {
    const cReason = failedToStart.reason!.trim()
    const title = errorTitle(cReason)!
    return {
      title: title.startsWith('CannotPullContainerError') ? title : `${failedToStart.name}: ${title}`,
      detail: reason && reason !== cReason ? `${reason}: ${cReason}` : cReason,
      container: failedToStart.name
    }
  }

  if (/container health checks/i.test(reason)) {
    const unhealthy =
      containers.find(c => c.healthStatus === 'UNHEALTHY') ??
      containers.find(c => containerDefinition(td, c.name)?.healthCheck)
    const name = unhealthy?.name
    return {
      title: name ? `${name}: container failed health checks` : trimText(reason, TITLE_MAX),
      detail: reason,
      container: name
    }
  }

  if (/ELB health checks/i.test(reason)) {
    const tg = targetGroupName(reason)
    return {
      title: tg
        ? `Task failed ELB health checks in target group ${tg}`
        : trimText(firstSentence(reason), TITLE_MAX),
      detail: reason
    }
  }

  const exited = exitedContainer(task, td)
  if (
    exited &&
    (task.stopCode === 'EssentialContainerExited' ||
      /^Essential container/i.test(reason) ||
      /^OutOfMemoryError/.test(reason))
  ) {
    const name = exited.name ?? 'container'
    const code = exited.exitCode!
    const cReason = exited.reason?.trim()
    if (isOutOfMemory(exited) || (code === 137 && /^OutOfMemoryError/.test(reason))) {
      return {
        title: `${name}: container ran out of memory (exit code ${code})`,
        detail: [
          `Container ${name} was killed for using more memory than it is allowed (exit code ${code})`,
          cReason,
          reason
        ]
          .filter(Boolean)
          .join('. '),
        container: name,
        exitCode: code
      }
    }
    const detail =
      code === 0
        ? `Essential container ${name} exited with code 0; an essential container of a service must keep running`
        : `Essential container ${name} exited with code ${code}`
    return {
      title: `${name}: container exited with code ${code}`,
      detail: [detail, cReason].filter(Boolean).join(': '),
      container: name,
      exitCode: code
    }
  }

  if (reason) {
    const oom = /^OutOfMemoryError/.test(reason) ? errorTitle(reason) : undefined
    return { title: oom ?? trimText(firstSentence(reason), TITLE_MAX), detail: reason }
  }
  return {
    title: task.stopCode ? `Task stopped (${task.stopCode})` : 'Task stopped',
    detail: `Task ${taskId(task.taskArn)} stopped without a reason`
  }
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
    logStream: `${prefix}/${container}/${taskId(task.taskArn)}`,
    logRegion: log.options?.['awslogs-region']
  }
}

/** The container whose logs explain a task-level failure (ELB health checks, unknown reasons). */
function mainContainer(td: TaskDefinitionLike | undefined): string | undefined {
  const defs = td?.containerDefinitions ?? []
  const withLogs = defs.filter(d => d.logConfiguration?.logDriver === 'awslogs' && d.essential !== false)
  return withLogs.length === 1 ? withLogs[0]!.name : undefined
}

const EVENT_CAUSES = [
  /unable to place a task/i,
  /deployment failed/i,
  /rolling back/i,
  /unable to consistently start tasks/i
]

const ADDS_A_CAUSE = /unable to place a task/i

/** "(service web) (deployment ecs-svc/1) deployment failed: …" → "Deployment failed: …". */
export function eventTitle(message: string): string {
  let text = message.trim()
  for (;;) {
    const stripped = text.replace(/^\((service|deployment|task-set|task)\s[^)]*\)\s*/i, '')
    if (stripped === text) break
    text = stripped
  }
  text = text.replace(/\s*For more information, see the Troubleshooting section[^.]*\.?\s*$/i, '')
  if (/^(was|is|has)\s/.test(text)) text = `Service ${text}`
  else text = text.charAt(0).toUpperCase() + text.slice(1)
  return trimText(text.replace(/\.$/, ''), EVENT_TITLE_MAX)
}

function group(causes: Map<string, Cause>, finding: Finding, task?: Task, extra: Partial<Cause> = {}): void {
  const existing = causes.get(finding.title)
  if (existing) {
    existing.count++
    if (task) existing.taskIds.push(taskId(task.taskArn))
    return
  }
  const cause: Cause = {
    title: finding.title,
    detail: finding.detail,
    count: 1,
    taskIds: task ? [taskId(task.taskArn)] : [],
    ...extra
  }
  if (finding.container) cause.container = finding.container
  if (finding.exitCode !== undefined) cause.exitCode = finding.exitCode
  causes.set(finding.title, cause)
}

function eventCauses(events: ServiceEvent[]): Cause[] {
  const causes = new Map<string, Cause>()
  for (const event of events) {
    const message = event.message ?? ''
    if (!EVENT_CAUSES.some(re => re.test(message))) continue
    group(causes, { title: eventTitle(message), detail: message.trim() })
  }
  return [...causes.values()]
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
  // With the stopped tasks saying why, ECS's lifecycle events ("deployment failed", "rolling back",
  // "unable to consistently start tasks") only restate the verdict: keep just what adds a cause.
  const events = eventCauses(outcome.events).filter(c => ordered.length === 0 || ADDS_A_CAUSE.test(c.detail))
  const causes = [...ordered, ...events]
  if (causes.length > 0) return causes

  const last = fallback(outcome)
  return [...(last ? [last] : []), ...routine.values()]
}

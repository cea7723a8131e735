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
import type { WatchOutcome } from './watch/loop.js'

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
  stoppedByEcs?: string[]
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

/** One container's exit, as DescribeTasks shows it. */
export interface ContainerExit {
  name: string
  exitCode: number
  reason?: string
}

/**
 * Which of a stopped task's containers stopped it, and which ECS stopped because the task was stopping.
 * `cause` is absent when no container's exit (or health) explains the stop (ELB health checks, a
 * scale-in, a Spot interruption, a task that never started).
 */
export interface Blame {
  cause?: Omit<ContainerExit, 'exitCode'> & {
    /** Absent only for an unhealthy container that ECS had not stopped yet. */
    exitCode?: number
    /** exited: its exit stopped the task; oom: killed for its memory use; unhealthy: failed its health check. */
    why: 'exited' | 'oom' | 'unhealthy'
  }
  /** Stopped by ECS once the task was stopping (SIGTERM, then SIGKILL after the stop timeout). */
  stoppedByEcs: ContainerExit[]
  /** Non-essential containers that exited with their own code: never a cause, their exit stops no task. */
  notEssential: ContainerExit[]
}

/** SIGKILL (128 + 9) and SIGTERM (128 + 15): the codes of a container that ECS stopped. */
const STOP_SIGNALS: Record<number, string> = { 137: 'SIGKILL', 143: 'SIGTERM' }

const OUT_OF_MEMORY = /OutOfMemory|out of memory|\bOOM/i

function exitOf(c: Container): ContainerExit {
  const exit: ContainerExit = { name: c.name ?? 'container', exitCode: c.exitCode! }
  const reason = c.reason?.trim()
  if (reason) exit.reason = reason
  return exit
}

/**
 * Blames the right container of a stopped task. DescribeTasks gives no container a stop time, so the
 * order of exits is read from the codes: when an essential container exits, ECS stops the others
 * (SIGTERM, SIGKILL after the stop timeout), and they end with 143, 137, or 0 if they shut down on
 * SIGTERM. So among the essential containers that exited, in this order:
 *   1. one killed for its memory use (a 137 with an OutOfMemoryError reason is the cause, not a stop;
 *      when only the task's reason says OutOfMemoryError, an essential 137);
 *   2. one that exited with its own non-zero code (3, 1, 139 …);
 *   3. one that exited with 0 (an essential container that ends stops the task, even with 0);
 *   4. one that ended with 137 or 143 when nothing else did (killed by something other than ECS's stop).
 * The first container of the best rank is the cause; the other essential containers, and the
 * non-essential ones that ended with 137 or 143, were stopped by ECS. Without a task definition every
 * container counts as essential. For "Task failed container health checks" the unhealthy container
 * is the cause; for every other stop ECS stopped all containers.
 */
export function blameContainers(task: Task, td?: TaskDefinitionLike): Blame {
  const reason = (task.stoppedReason ?? '').trim()
  const exited = (task.containers ?? []).filter(c => typeof c.exitCode === 'number')
  const taskOutOfMemory = /^OutOfMemoryError/.test(reason)
  const stoppedByExit =
    task.stopCode === 'EssentialContainerExited' || /^Essential container/i.test(reason) || taskOutOfMemory

  let cause: Blame['cause']
  if (stoppedByExit) {
    const rank = (c: Container): number => {
      const code = c.exitCode!
      if (OUT_OF_MEMORY.test(c.reason ?? '')) return 0
      if (taskOutOfMemory && code === 137) return 1
      if (code !== 0 && !STOP_SIGNALS[code]) return 2
      if (code === 0) return 3
      return 4
    }
    const essential = exited.filter(c => isEssential(td, c))
    // A task definition that does not match (no essential container exited): any container may be it.
    const candidates = essential.length > 0 ? essential : exited
    const best = candidates.reduce<Container | undefined>(
      (a, c) => (a === undefined || rank(c) < rank(a) ? c : a),
      undefined
    )
    if (best) cause = { ...exitOf(best), why: rank(best) <= 1 ? 'oom' : 'exited' }
  } else if (/container health checks/i.test(reason)) {
    const containers = task.containers ?? []
    const unhealthy =
      containers.find(c => c.healthStatus === 'UNHEALTHY') ??
      containers.find(c => containerDefinition(td, c.name)?.healthCheck)
    if (unhealthy?.name) {
      cause = { name: unhealthy.name, why: 'unhealthy' }
      if (typeof unhealthy.exitCode === 'number') cause.exitCode = unhealthy.exitCode
      if (unhealthy.reason?.trim()) cause.reason = unhealthy.reason.trim()
    }
  }

  const stoppedByEcs: ContainerExit[] = []
  const notEssential: ContainerExit[] = []
  for (const c of exited) {
    if (cause && c.name === cause.name) continue
    const stopped = isEssential(td, c) || (STOP_SIGNALS[c.exitCode!] && !OUT_OF_MEMORY.test(c.reason ?? ''))
    ;(stopped ? stoppedByEcs : notEssential).push(exitOf(c))
  }
  return { cause, stoppedByEcs, notEssential }
}

/** "web (exit code 137, SIGKILL after the stop timeout)". */
function stoppedText(exit: ContainerExit): string {
  const signal = STOP_SIGNALS[exit.exitCode]
  const how = signal === 'SIGKILL' ? ', SIGKILL after the stop timeout' : signal ? ', SIGTERM' : ''
  return `${exit.name} (exit code ${exit.exitCode}${how})`
}

/** What else happened to the task's containers, for the cause's detail. */
function othersText(blame: Blame): string[] {
  const out: string[] = []
  if (blame.stoppedByEcs.length > 0)
    out.push(
      `ECS then stopped the task's other containers: ${blame.stoppedByEcs.map(stoppedText).join(', ')}`
    )
  const own = blame.notEssential.filter(e => e.exitCode !== 0)
  if (own.length > 0)
    out.push(
      `${own.map(e => `${e.name} (not essential) exited with code ${e.exitCode}`).join(', ')}; ` +
        `a container that is not essential does not stop the task`
    )
  return out
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

  const blame = blameContainers(task, td)

  if (/container health checks/i.test(reason)) {
    const name = blame.cause?.name
    return {
      title: name ? `${name}: container failed health checks` : trimText(reason, TITLE_MAX),
      detail: [reason, ...othersText(blame)].join('. '),
      container: name,
      stoppedByEcs: blame.stoppedByEcs.map(e => e.name)
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

  const cause = blame.cause
  if (cause && cause.why !== 'unhealthy' && cause.exitCode !== undefined) {
    const { name, exitCode: code } = cause
    const cReason = cause.reason
    const stoppedByEcs = blame.stoppedByEcs.map(e => e.name)
    if (cause.why === 'oom') {
      return {
        title: `${name}: container ran out of memory (exit code ${code})`,
        detail: [
          `Container ${name} was killed for using more memory than it is allowed (exit code ${code})`,
          cReason,
          reason,
          ...othersText(blame)
        ]
          .filter(Boolean)
          .join('. '),
        container: name,
        exitCode: code,
        stoppedByEcs
      }
    }
    const what =
      code === 0
        ? `Essential container ${name} exited with code 0; an essential container of a service must keep running: its exit, even with code 0, stops the task`
        : STOP_SIGNALS[code]
          ? `Essential container ${name} was ended by ${STOP_SIGNALS[code]} (exit code ${code}) before ECS stopped the task: killed from outside, for example for its memory use`
          : `Essential container ${name} exited with code ${code}`
    return {
      title: `${name}: container exited with code ${code}`,
      detail: [[what, cReason].filter(Boolean).join(': '), ...othersText(blame)].join('. '),
      container: name,
      exitCode: code,
      stoppedByEcs
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
  if (finding.stoppedByEcs && finding.stoppedByEcs.length > 0) cause.stoppedByEcs = finding.stoppedByEcs
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

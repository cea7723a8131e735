/** One stopped task → the finding a person can act on (pull errors, health checks, exits, OOM). Pure. */
import type { Task } from '@aws-sdk/client-ecs'
import { arnTail } from '../arn.js'
import { STOP_SIGNALS, blameContainers, othersText, type TaskDefinitionLike } from './blame.js'
import { TITLE_MAX, errorTitle, firstSentence, trimText } from './text.js'

export interface Finding {
  title: string
  detail: string
  container?: string
  exitCode?: number
  stoppedByEcs?: string[]
  /** Normal scale-in by the scheduler: a cause only when there is nothing else. */
  routine?: boolean
}

function targetGroupName(reason: string): string | undefined {
  return /targetgroup\/([^/\s)]+)/.exec(reason)?.[1]
}

export function classify(task: Task, td: TaskDefinitionLike | undefined): Finding {
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
    detail: `Task ${arnTail(task.taskArn)} stopped without a reason`
  }
}

/**
 * "Why it failed", cause first: the cause, the container, the exit code or reason, the log tail, then
 * "4 tasks failed the same way" with the short task ids collapsed in a `<details>`. Pure.
 */
import { shortTaskId } from '../arn.js'
import type { Cause } from '../diagnose/causes.js'
import { clip, code, details, fence, md } from './format.js'
import { LIMITS } from './limits.js'

/** "3 tasks (a, b, c)" / "task a" / "4 times" / "" — who had this cause (log and annotations). */
export function occurrences(cause: Cause, shown = 5): string {
  const ids = cause.taskIds.map(shortTaskId)
  const list = ids.slice(0, shown).join(', ') + (ids.length > shown ? ', …' : '')
  if (ids.length > 1) return `${cause.count} tasks (${list})`
  if (ids.length === 1) return cause.count > 1 ? `${cause.count} tasks (${ids[0]})` : `task ${ids[0]}`
  return cause.count > 1 ? `${cause.count} times` : ''
}

/** Where a cause's log tail comes from: "web (task 0a1b2c3d), /ecs/web/ecs/web/0a1b…". */
export function logSource(cause: Cause): string {
  const task = cause.taskIds[0] ? ` (task ${shortTaskId(cause.taskIds[0])})` : ''
  return `${cause.container ?? 'the container'}${task}, ${cause.logGroup}/${cause.logStream}`
}

/** The last lines of a log, each line and the whole bounded (the summary stays under GitHub's limit). */
export function boundedTail(lines: string[]): string[] {
  const tail = lines.slice(-LIMITS.logLines).map(l => clip(l, LIMITS.logLineChars))
  return lines.length > LIMITS.logLines
    ? [`… ${lines.length - LIMITS.logLines} earlier lines not shown`, ...tail]
    : tail
}

function whoFailed(cause: Cause): string | undefined {
  const ids = cause.taskIds.map(shortTaskId)
  if (ids.length === 0) return cause.count > 1 ? `Seen ${cause.count} times.` : undefined
  const shown = ids.slice(0, LIMITS.taskIds).map(code).join(', ')
  const more = ids.length > LIMITS.taskIds ? `, and ${ids.length - LIMITS.taskIds} more` : ''
  if (cause.count <= 1 && ids.length === 1) return `Task ${shown}.`
  return details(`${cause.count} tasks failed the same way`, `${shown}${more}`)
}

/** One cause: heading, ECS's words, the exit code, the log tail, who had it. */
export function renderCause(cause: Cause): string[] {
  const out = [`#### ${md(clip(cause.title, LIMITS.titleChars))}`, '']
  const facts: string[] = []
  if (cause.container) facts.push(`Container ${code(clip(cause.container, 100))}`)
  if (cause.exitCode !== undefined) facts.push(`exit code ${code(String(cause.exitCode))}`)
  const detail =
    cause.detail && cause.detail !== cause.title ? md(clip(cause.detail, LIMITS.detailChars)) : ''
  const line = [facts.join(', '), detail].filter(Boolean).join(': ')
  if (line) out.push(line, '')
  if (cause.stoppedByEcs && cause.stoppedByEcs.length > 0) {
    out.push(
      `Stopped with it by ECS: ${cause.stoppedByEcs
        .slice(0, 10)
        .map(c => code(clip(c, 100)))
        .join(', ')}`,
      ''
    )
  }
  if (cause.logLines && cause.logLines.length > 0) {
    out.push(`Last ${cause.logLines.length} log lines of ${md(clip(logSource(cause), 300))}:`, '')
    out.push(fence(boundedTail(cause.logLines)), '')
  }
  const who = whoFailed(cause)
  if (who) out.push(who, '')
  return out
}

/** The section; "Problems seen" on a green run (causes there are warnings). */
export function renderWhy(causes: Cause[], ok: boolean): string[] {
  if (causes.length === 0) return []
  const out = [`### ${ok ? 'Problems seen' : 'Why it failed'}`, '']
  const shown = causes.slice(0, LIMITS.causes)
  for (const cause of shown) out.push(...renderCause(cause))
  if (causes.length > shown.length) out.push(`…and ${causes.length - shown.length} more causes.`, '')
  return out
}

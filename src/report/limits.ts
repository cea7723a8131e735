/**
 * GitHub's limits on what a step may show: a job summary of at most 1 MiB per step (a bigger one is not
 * shown at all), and about 10 error and 10 warning annotations per step. Every list the summary shows
 * from outside (causes, task ids, log lines, events, notes) is bounded here, and `fitSummary` is the last
 * guard: the summary is cut to whole sections under the limit whatever the logs. Pure.
 */

/** GitHub refuses a step summary over 1 MiB. */
export const SUMMARY_MAX_BYTES = 1024 * 1024

export const LIMITS = {
  /** What the summary aims at, well under SUMMARY_MAX_BYTES (a margin for the cut notice). */
  summaryBytes: SUMMARY_MAX_BYTES - 16 * 1024,
  causes: 10,
  taskIds: 50,
  logLines: 50,
  logLineChars: 500,
  titleChars: 200,
  detailChars: 1000,
  events: 60,
  eventChars: 300,
  notes: 20,
  noteChars: 500,
  /** Annotations of one kind per step that GitHub shows. */
  annotations: 10
} as const

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/**
 * The summary under `max` bytes: whole sections (`### …`) are dropped from the end, and a last section
 * that alone is too big is cut at a line (a fence it opened is closed), with a line saying so.
 */
export function fitSummary(text: string, max: number = LIMITS.summaryBytes): string {
  if (byteLength(text) <= max) return text
  const notice = '\n\n_The rest of this summary was cut to stay within GitHub’s 1 MiB limit; see the log._\n'
  const budget = max - byteLength(notice)
  const sections = text.split(/(?=^### )/m)
  let out = ''
  for (const section of sections) {
    if (byteLength(out) + byteLength(section) <= budget) {
      out += section
      continue
    }
    out += cutLines(section, budget - byteLength(out))
    break
  }
  return `${out.trimEnd()}${notice}`
}

/** Whole lines of `text` within `bytes`, closing a fence left open. */
function cutLines(text: string, bytes: number): string {
  const kept: string[] = []
  let used = 0
  let openFence: string | undefined
  for (const line of text.split('\n')) {
    const size = byteLength(line) + 1
    if (used + size > bytes - 16) break
    kept.push(line)
    used += size
    const mark = /^(`{3,})/.exec(line)?.[1]
    if (mark) openFence = openFence === undefined ? mark : line.trim() === openFence ? undefined : openFence
  }
  if (openFence) kept.push(openFence)
  return kept.join('\n')
}

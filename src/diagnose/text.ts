/** How diagnose shortens ECS's texts into titles. Pure. */

/** The longest title of a task cause, and of an event cause. */
export const TITLE_MAX = 100
export const EVENT_TITLE_MAX = 200

/** Collapses whitespace and cuts to `max` characters with an ellipsis. */
export function trimText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`
}

/** The first sentence (a period followed by whitespace ends it; dots inside names do not). */
export function firstSentence(text: string): string {
  const match = /^(.*?[.!?])(\s|$)/s.exec(text.trim())
  const sentence = match ? match[1]! : text.trim()
  return sentence.replace(/\.$/, '')
}

/** "CannotPullContainerError: pull image manifest …" → "CannotPullContainerError: <first sentence, trimmed>". */
export function errorTitle(reason: string): string | undefined {
  const match = /^\s*([A-Z][A-Za-z]*Error|[A-Z][A-Za-z]*Exception)\s*:\s*(.*)$/s.exec(reason)
  if (!match) return undefined
  const name = match[1]!
  const rest = firstSentence(match[2]!)
  return rest ? `${name}: ${trimText(rest, TITLE_MAX)}` : name
}

/**
 * Text from outside (a file's content, an input's value, a message a library built from them) quoted in an
 * error message: one line, bounded, with nothing a reader or the runner could take for something else.
 * Control characters, line and paragraph separators, bidirectional and zero-width marks are written as
 * escapes; `::` and `##[` (how workflow commands begin) are broken up. Pure.
 */

/** Characters written as escapes: C0, DEL, C1, zero-width, line/paragraph separators, bidi marks, BOM. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeChar(c: string): string {
  return SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
}

/** Escapes what must not reach a message raw (see the module comment); keeps everything else. */
export function defang(text: string): string {
  return text
    .replace(UNSAFE, escapeChar)
    .replace(/:{2,}/g, run => `:${'\\u003a'.repeat(run.length - 1)}`)
    .replace(/##\[/g, '#\\u0023[')
}

/**
 * At most `max` characters of `text` (counting code points, never splitting a surrogate pair), with `…`
 * where it was cut. Works on the first few `max` characters only, so a 10 MB value costs nothing.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text
  const head = Array.from(text.slice(0, max * 2))
  if (head.length <= max && text.length <= max * 2) return text
  return `${head.slice(0, Math.max(0, max - 1)).join('')}…`
}

/** A value from outside for a message: `"…"`, at most `max` characters before escaping, defanged. */
export function quote(value: string, max = 60): string {
  return `"${defang(truncate(value, max).replace(/\\/g, '\\\\').replace(/"/g, '\\"'))}"`
}

/** A message built from outside text (e.g. a parser's): one line, at most `max` characters, defanged. */
export function boundMessage(text: string, max = 300): string {
  return defang(truncate(text, max))
}

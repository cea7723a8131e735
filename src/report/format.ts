/**
 * Markdown pieces every section of the summary uses, and the "Hostile input" gate for the summary:
 * outside text (ECS events, stopped reasons, container logs, inputs, commit subjects) only ever enters
 * the Markdown through `md`, `code`, `href` or `fence`. Pure.
 */

/**
 * Escapes text for Markdown (and the HTML GitHub allows in it): no tag, entity, emphasis, link or image
 * (`![x](…)` keeps its brackets escaped), and line endings (a lone `\r` too) become spaces, so outside
 * text can neither leave a table row nor start a block.
 */
export function md(text: string): string {
  return text
    .replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~])/g, '\\$1')
}

/** A code span for a table cell: one line, and `|` escaped (GFM splits cells on it even in code). */
export function code(text: string): string {
  if (text.includes('`')) return md(text)
  return `\`${text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ').replace(/\|/g, '\\|')}\``
}

/** A link target that cannot end the link early or start markup: only URL characters, `()` encoded. */
export function href(url: string): string {
  return url.replace(/[\s()[\]<>`'"\\|]/gu, c => {
    const encoded = encodeURIComponent(c)
    return encoded !== c ? encoded : `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  })
}

/** Lines shown as they are, in a fence longer than any run of backticks in them. */
export function fence(lines: string[], info = 'text'): string {
  const longest = Math.max(
    0,
    ...lines.map(l => Math.max(0, ...(l.match(/`+/g) ?? []).map(run => run.length)))
  )
  const marks = '`'.repeat(Math.max(3, longest + 1))
  return `${marks}${info}\n${lines.join('\n')}\n${marks}`
}

/** A collapsed block: `summary` is Markdown already escaped; `body` Markdown too. */
export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`
}

/** HH:MM:SS (UTC), or nothing. */
export function clock(date: Date | undefined): string {
  return date ? date.toISOString().slice(11, 19) : ''
}

/** "850 ms", "8 s", "41.5 s", "2 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) {
    const s = ms / 1000
    return `${Number.isInteger(Math.round(s * 10) / 10) ? Math.round(s) : s.toFixed(1)} s`
  }
  const minutes = Math.floor(ms / 60_000)
  const rest = Math.round((ms - minutes * 60_000) / 1000)
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`
}

/** At most `n` characters, one line, cut at a word with `…`. */
export function clip(text: string, n: number): string {
  const one = text.replace(/\s+/g, ' ').trim()
  if (one.length <= n) return one
  const cut = one.slice(0, Math.max(0, n - 1))
  const space = cut.lastIndexOf(' ')
  return `${space > n / 2 ? cut.slice(0, space) : cut}…`
}

/** A table with a real header row (never `| | |`). Cells are Markdown already escaped. */
export function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map(r => `| ${r.join(' | ')} |`)
  ].join('\n')
}

/** The first 7 characters of a commit SHA. */
export function shortSha(sha: string | undefined): string | undefined {
  return sha && /^[0-9a-f]{7,64}$/i.test(sha) ? sha.slice(0, 7).toLowerCase() : undefined
}

/**
 * The one gate for text from outside: docker build output, container logs, ECS stopped reasons and
 * events, task-definition values, echoes of inputs. Nothing from outside may steer the runner.
 *
 * What the runner treats as a command (actions/runner, OutputManager + ActionCommand):
 * - it reads the step's stdout line by line, a line ending at `\n`, `\r\n` or a lone `\r`;
 * - `::name props::data` when the line, after leading whitespace (.NET `TrimStart`, Unicode
 *   whitespace), starts with `::` and `name` is a registered command (case-insensitive);
 * - `##[name props]data` ANYWHERE in the line (the old form: `IndexOf("##[")`, not only at the start);
 * - `::stop-commands::TOKEN` switches all of that off until a line `::TOKEN::` (or `##[TOKEN]`);
 * - %-escapes (`%0A`, `%3A`, `%25`…) are decoded only inside a command's data and properties, so an
 *   encoded `%3A%3Aerror` is not a command by itself; we make it inert anyway (a later decoder could).
 *
 * Two ways through the gate:
 * - single lines printed with `core.info`: `core.info(inert(text))`. Every line of `text` is made inert
 *   and stays readable: a line that would start a command gets the visible prefix `» `, and `##[`
 *   anywhere becomes `## [`.
 * - long streams (the build): a `CommandsStopped` stream prints them verbatim inside
 *   `::stop-commands::<random token>` … `::<token>::`; any appearance of the token in the stream is
 *   masked, so the stream cannot end the block itself.
 *
 * `__tests__/untrusted.test.ts` greps `src/` and fails on a printer (`core.info`, `core.debug`,
 * `process.stdout.write`, `console.*`) whose argument is neither a plain string literal nor a call of a
 * function imported from this module.
 */
import { randomBytes } from 'node:crypto'

/** The visible mark put before a line that would otherwise be read as a command. */
export const INERT_PREFIX = '» '

/** Splits text into lines the way the runner reads them: at `\r\n`, `\n` and a lone `\r`. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/)
}

/**
 * What may precede a command and be skipped by the runner or by a viewer: Unicode whitespace and
 * separators, control and format characters (zero-width spaces, BOM, soft hyphen: culture-aware .NET
 * comparisons ignore some of them), and ANSI escape sequences (colours).
 */
// eslint-disable-next-line no-control-regex -- ESC and BEL are what ANSI sequences are made of
const LEADING = /^(?:\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\s\p{Cc}\p{Cf}\p{Z}])*/u
/**
 * Characters a culture-aware comparison may skip (.NET's `StartsWith`/`IndexOf` without an ordinal
 * option ignore them): format and control characters, the combining grapheme joiner, variation selectors.
 */
const IGNORABLE_CLASS = '\\p{Cf}\\p{Cc}\\u034f\\u180b-\\u180f\\ufe00-\\ufe0f\\u{e0100}-\\u{e01ef}'
const IGNORABLE = new RegExp(`[${IGNORABLE_CLASS}]`, 'gu')
/** The old command form, anywhere in a line, with ignorable characters between its characters too. */
const V1_PREFIX = new RegExp(`#[${IGNORABLE_CLASS}]*#[${IGNORABLE_CLASS}]*\\[`, 'gu')
/** How much of the start of a line is decoded to look for an encoded command. */
const HEAD = 200

function percentDecode(text: string): string {
  return text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}

/**
 * Whether the runner (or anything decoding %-escapes or compatibility forms first) could read the line
 * as a command: after leading whitespace, control and format characters, it starts with `::` or `##[`,
 * literally, %-encoded (also twice: `%253A`), or in a compatibility form (fullwidth `：：`). `##[` later in
 * the line counts too.
 */
export function isCommandLike(line: string): boolean {
  if (line.replace(V1_PREFIX, '##[').includes('##[')) return true
  let head = line.replace(LEADING, '').slice(0, HEAD)
  for (let round = 0; round < 4; round++) {
    const plain = head.replace(IGNORABLE, '')
    for (const form of [plain, plain.normalize('NFKC')]) {
      const start = form.replace(LEADING, '')
      if (start.startsWith('::') || start.startsWith('##[')) return true
    }
    const decoded = percentDecode(head)
    if (decoded === head) break
    head = decoded
  }
  return false
}

/**
 * One line (no line terminators in it; use `inert` for text that may have some) made inert and still
 * readable: `##[` becomes `## [`, and a line that would start a command gets `» ` in front.
 */
export function inertLine(line: string): string {
  const broken = line.replace(V1_PREFIX, '## [')
  return isCommandLike(broken) ? `${INERT_PREFIX}${broken}` : broken
}

/** Text of any number of lines, each made inert, joined with `\n` (a lone `\r` starts a line too). */
export function inert(text: string): string {
  return splitLines(text).map(inertLine).join('\n')
}

/** An unguessable stop-commands token: 128 random bits, never derived from the text it protects. */
export function newStopToken(): string {
  return randomBytes(16).toString('hex')
}

/** A partial line longer than this is written out without waiting for its end. */
const MAX_PENDING = 64 * 1024

/**
 * A stream of outside text written verbatim inside `::stop-commands::TOKEN` … `::TOKEN::`. The block
 * opens with the first write; `close()` (call it in a `finally`) ends it on a line of its own even when
 * the stream stopped mid-line or on a `\r`. Chunks may split lines and commands anywhere: complete lines
 * are written at once, an unfinished one when it ends (or grows past 64 KiB). The token is masked
 * wherever it appears in the stream, also across chunks, so the stream cannot end the block early.
 */
export class CommandsStopped {
  readonly token: string
  private readonly write: (text: string) => void
  private readonly tokenPattern: RegExp
  private pending = ''
  private open = false
  private lastWritten = '\n'

  constructor(write: (text: string) => void, token: string = newStopToken()) {
    if (!/^[0-9a-zA-Z]{16,}$/.test(token))
      throw new Error('a stop-commands token is at least 16 letters and digits')
    this.write = write
    this.token = token
    this.tokenPattern = new RegExp(token, 'gi')
  }

  /** Adds a chunk of the stream. */
  push(chunk: string): void {
    if (chunk === '') return
    if (!this.open) {
      this.emit(`::stop-commands::${this.token}\n`)
      this.open = true
    }
    // Masked before splitting: an occurrence can only be completed by text still to come, within the
    // last token.length - 1 characters kept below.
    this.pending = (this.pending + chunk).replace(this.tokenPattern, '***')
    let cut = Math.max(this.pending.lastIndexOf('\n'), this.pending.lastIndexOf('\r')) + 1
    if (this.pending.length - cut > MAX_PENDING) cut = this.pending.length - (this.token.length - 1)
    if (cut > 0) {
      this.emit(this.pending.slice(0, cut))
      this.pending = this.pending.slice(cut)
    }
  }

  /** Writes what is left and the closing line; idempotent, and a no-op when nothing was written. */
  close(): void {
    if (!this.open) return
    if (this.pending !== '') this.emit(this.pending)
    this.pending = ''
    // After a lone `\r` a `\n` only completes the `\r\n`: either way the closing line starts a line.
    if (this.lastWritten !== '\n') this.emit('\n')
    this.emit(`::${this.token}::\n`)
    this.open = false
  }

  private emit(text: string): void {
    this.write(text)
    this.lastWritten = text.slice(-1)
  }
}

/** Writes to the step's log as is. Only for text already behind the gate (a `CommandsStopped` stream). */
export function toStdout(text: string): void {
  process.stdout.write(text)
}

// Quoting outside text inside our own messages (annotations, errors): the other half of the gate.

/**
 * Quoting: text from outside (a file's content, an input's value, a message a library built from them) quoted in an
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

/** Reading JSON with the position of every member and item (a strict RFC 8259 parser of our own). */
import { defang, quote } from '../untrusted.js'
import {
  lineIndex,
  pathKey,
  READER_LIMITS,
  SyntaxProblem,
  tooDeep,
  type Path,
  type Position,
  type SourceTree
} from './source.js'

/** A strict JSON parser (RFC 8259) that remembers where every member and item is. */
class JsonReader {
  private i = 0
  private readonly at: (offset: number) => Position
  readonly tree: SourceTree = { value: undefined, positions: new Map(), raw: new Map(), warnings: [] }

  constructor(private readonly text: string) {
    this.at = lineIndex(text)
  }

  read(): SourceTree {
    this.skipSpace()
    if (this.i >= this.text.length) this.fail('The file is empty', this.i)
    this.tree.positions.set(pathKey([]), this.at(this.i))
    this.tree.value = this.value([])
    this.skipSpace()
    if (this.i < this.text.length) this.fail('Unexpected text after the end of the JSON value', this.i)
    return this.tree
  }

  private fail(message: string, offset: number): never {
    throw new SyntaxProblem(message, this.at(offset))
  }

  private skipSpace(): void {
    const t = this.text
    while (this.i < t.length) {
      const c = t[this.i]
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++
      else if (c === '/' && (t[this.i + 1] === '/' || t[this.i + 1] === '*')) {
        this.fail('Comments are not allowed in JSON', this.i)
      } else break
    }
  }

  private describe(offset: number): string {
    if (offset >= this.text.length) return 'the end of the file'
    const c = this.text[offset]
    return c === '\n' || c === '\r' ? 'the end of the line' : `'${defang(c)}'`
  }

  private depth = 0

  private value(path: Path): unknown {
    const t = this.text
    const c = t[this.i]
    if (c === '{' || c === '[') {
      if (this.depth >= READER_LIMITS.depth) this.fail(tooDeep(READER_LIMITS.depth), this.i)
      this.depth++
      const result = c === '{' ? this.object(path) : this.array(path)
      this.depth--
      return result
    }
    if (c === '"') return this.string()
    if (c === '-' || (c >= '0' && c <= '9')) return this.number(path)
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null]
    ] as const) {
      if (t.startsWith(word, this.i) && !/[0-9A-Za-z_]/.test(t[this.i + word.length] ?? '')) {
        this.i += word.length
        if (value !== null) this.tree.raw.set(pathKey(path), word)
        return value
      }
    }
    if (this.i >= t.length) this.fail('Unexpected end of file: a value is missing', this.i)
    if (c === "'") this.fail('Strings must use double quotes in JSON', this.i)
    if (c === '}' || c === ']' || c === ',')
      this.fail(`Expected a value, found ${this.describe(this.i)}`, this.i)
    this.fail(
      `Unexpected ${this.describe(this.i)}: expected a value (string in double quotes, number, object…)`,
      this.i
    )
  }

  private object(path: Path): Record<string, unknown> {
    const result: Record<string, unknown> = {}
    const seen = new Map<string, Position>()
    this.i++ // {
    this.skipSpace()
    if (this.text[this.i] === '}') {
      this.i++
      return result
    }
    for (;;) {
      this.skipSpace()
      const keyAt = this.i
      const c = this.text[keyAt]
      if (c !== '"') {
        if (c === '}') this.fail('Trailing comma after the last member of an object', this.lastComma)
        if (keyAt >= this.text.length) this.fail('Unexpected end of file inside an object: missing }', keyAt)
        if (c === "'") this.fail('Property names must use double quotes in JSON', keyAt)
        this.fail(`Expected a property name in double quotes, found ${this.describe(keyAt)}`, keyAt)
      }
      const key = this.string()
      const keyPosition = this.at(keyAt)
      const previous = seen.get(key)
      if (previous) {
        this.tree.warnings.push({
          message: `Duplicate key ${quote(key)} (also on line ${previous.line}); the last one wins`,
          position: keyPosition
        })
      }
      seen.set(key, keyPosition)
      this.skipSpace()
      if (this.text[this.i] !== ':')
        this.fail(`Expected ':' after ${quote(key)}, found ${this.describe(this.i)}`, this.i)
      this.i++
      this.skipSpace()
      const memberPath = [...path, key]
      this.tree.positions.set(pathKey(memberPath), keyPosition)
      const value = this.value(memberPath)
      // Like JSON.parse: a duplicate key's last value wins; defineProperty so "__proto__" is a plain key.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true })
      this.skipSpace()
      const next = this.text[this.i]
      if (next === ',') {
        this.lastComma = this.i
        this.i++
        continue
      }
      if (next === '}') {
        this.i++
        return result
      }
      if (this.i >= this.text.length) this.fail('Unexpected end of file inside an object: missing }', this.i)
      this.fail(
        `Expected ',' or '}' after the value of ${quote(key)}, found ${this.describe(this.i)}`,
        this.i
      )
    }
  }

  private lastComma = 0

  private array(path: Path): unknown[] {
    const result: unknown[] = []
    this.i++ // [
    this.skipSpace()
    if (this.text[this.i] === ']') {
      this.i++
      return result
    }
    for (;;) {
      this.skipSpace()
      if (this.text[this.i] === ']') this.fail('Trailing comma after the last item of a list', this.lastComma)
      const itemPath = [...path, result.length]
      this.tree.positions.set(pathKey(itemPath), this.at(this.i))
      result.push(this.value(itemPath))
      this.skipSpace()
      const next = this.text[this.i]
      if (next === ',') {
        this.lastComma = this.i
        this.i++
        continue
      }
      if (next === ']') {
        this.i++
        return result
      }
      if (this.i >= this.text.length) this.fail('Unexpected end of file inside a list: missing ]', this.i)
      this.fail(`Expected ',' or ']' after a list item, found ${this.describe(this.i)}`, this.i)
    }
  }

  private string(): string {
    const t = this.text
    const start = this.i
    this.i++ // "
    for (;;) {
      if (this.i >= t.length) this.fail('Unterminated string: missing closing "', start)
      const code = t.charCodeAt(this.i)
      if (code === 0x22) break
      if (code === 0x5c) {
        const e = t[this.i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 2, this.i + 6))) {
            this.fail('Invalid \\u escape in string: four hex digits expected', this.i)
          }
          this.i += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          this.i += 2
        } else {
          this.fail(`Invalid escape '\\${defang(e ?? '')}' in string`, this.i)
        }
        continue
      }
      if (code === 0x0a || code === 0x0d)
        this.fail('Unterminated string: missing closing " before the end of the line', start)
      if (code < 0x20) this.fail('Control character in string: write it as an escape like \\t', this.i)
      this.i++
    }
    this.i++ // closing "
    return JSON.parse(t.slice(start, this.i)) as string
  }

  private number(path: Path): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
    match.lastIndex = this.i
    const m = match.exec(this.text)
    if (!m) this.fail(`Invalid number starting with ${this.describe(this.i)}`, this.i)
    const after = this.text[this.i + m[0].length]
    if (after !== undefined && /[0-9A-Za-z_.]/.test(after)) {
      this.fail(`Invalid number ${quote(`${m[0]}${after}…`, 40)}`, this.i)
    }
    this.i += m[0].length
    this.tree.raw.set(pathKey(path), m[0])
    return Number(m[0])
  }
}

export function readJson(text: string): SourceTree {
  return new JsonReader(text).read()
}

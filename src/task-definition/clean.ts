/**
 * Cleaning a parsed task definition against the shapes of schema.ts: nulls out, unknown keys reported
 * (with a "did you mean") and left out, scalars of the wrong type converted where the intent is clear; then
 * what RegisterTaskDefinition refuses (rules/) but has a clear intent is left out, with one notice each.
 */
import { quote } from '../untrusted.js'
import { applyDrops, checkRegisterInput, dropPath, formatRulePath, registerRule } from './rules/index.js'
import type { Violation } from './rules/types.js'
import {
  ALIASES,
  CONTAINER_DEFINITION,
  KEY_VALUE,
  REGISTER_TASK_DEFINITION,
  type ObjectShape,
  type Shape
} from './schema.js'
import { pathKey, type Path, type Position, type SourceTree, type SourceWarning } from './source.js'

export interface CleanContext {
  tree?: SourceTree
  file?: string
  /** Report and drop unknown keys (files); described task definitions come from the SDK and keep them. */
  strict: boolean
  warnings: SourceWarning[]
  /** Positions by path in the cleaned value. */
  positions: Map<string, Position>
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function formatPath(path: Path): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p
  return out || 'the top level'
}

export function warn(ctx: CleanContext, message: string, sourcePath: Path): void {
  const position = ctx.tree?.positions.get(pathKey(sourcePath))
  ctx.warnings.push({ message, file: ctx.file, line: position?.line, column: position?.column })
}

export function clean(value: unknown, shape: Shape, from: Path, to: Path, ctx: CleanContext): unknown {
  if (value === null || value === undefined) return undefined
  const position = ctx.tree?.positions.get(pathKey(from))
  if (position) ctx.positions.set(pathKey(to), position)
  const raw = ctx.tree?.raw.get(pathKey(from))
  const where = formatPath(from)

  if (shape === 'any') {
    if (Array.isArray(value)) return cleanList(value, 'any', from, to, ctx)
    if (isPlainObject(value)) {
      const result: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value))
        setMember(result, k, clean(v, 'any', [...from, k], [...to, k], ctx))
      return result
    }
    return value instanceof Date ? new Date(value.getTime()) : value
  }
  if (shape === 'string') {
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean') return raw ?? String(value)
    warn(ctx, `${where} should be a string, not ${kindOf(value)}`, from)
    return clean(value, 'any', from, to, ctx)
  }
  if (shape === 'integer') {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) warn(ctx, `${where} should be a whole number, not ${value}`, from)
      return value
    }
    if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) {
      const number = Number(value)
      warn(ctx, `${where} should be a number, not the string "${value}"; it was converted to ${number}`, from)
      return number
    }
    warn(ctx, `${where} should be a number, not ${kindOf(value)}`, from)
    return clean(value, 'any', from, to, ctx)
  }
  if (shape === 'boolean') {
    if (typeof value === 'boolean') return value
    if (typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value)) {
      const bool = value.trim().toLowerCase() === 'true'
      warn(
        ctx,
        `${where} should be true or false, not the string "${value}"; it was converted to ${bool}`,
        from
      )
      return bool
    }
    warn(ctx, `${where} should be true or false, not ${kindOf(value)}`, from)
    return clean(value, 'any', from, to, ctx)
  }
  if (shape === 'stringMap') {
    if (!isPlainObject(value)) {
      warn(ctx, `${where} should be a map of names to strings, not ${kindOf(value)}`, from)
      return clean(value, 'any', from, to, ctx)
    }
    const result: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value))
      setMember(result, k, clean(v, 'string', [...from, k], [...to, k], ctx))
    return result
  }
  if (shape.kind === 'list') {
    if (!Array.isArray(value)) {
      warn(ctx, `${where} should be a list, not ${kindOf(value)}`, from)
      return clean(value, 'any', from, to, ctx)
    }
    return cleanList(value, shape.of, from, to, ctx)
  }
  if (!isPlainObject(value)) {
    warn(ctx, `${where} should be an object (${shape.name}), not ${kindOf(value)}`, from)
    return clean(value, 'any', from, to, ctx)
  }
  const result: Record<string, unknown> = {}
  for (const [key, member] of Object.entries(value)) {
    const memberShape = Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined
    if (member === null || member === undefined) {
      // Dropped, but an error about a missing member (e.g. `image:` with nothing) can still point here.
      const at = memberShape && ctx.tree?.positions.get(pathKey([...from, key]))
      if (at) ctx.positions.set(pathKey([...to, key]), at)
      continue
    }
    if (memberShape) {
      setMember(result, key, clean(member, memberShape, [...from, key], [...to, key], ctx))
    } else if (ctx.strict) {
      warn(ctx, unknownKeyMessage(key, shape, from), [...from, key])
    } else {
      setMember(result, key, clean(member, 'any', [...from, key], [...to, key], ctx))
    }
  }
  return result
}

function cleanList(value: unknown[], of: Shape, from: Path, to: Path, ctx: CleanContext): unknown[] {
  const result: unknown[] = []
  value.forEach((item, index) => {
    const cleaned = clean(item, of, [...from, index], [...to, result.length], ctx)
    if (cleaned !== undefined) result.push(cleaned)
  })
  return result
}

export function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) return
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

export function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (isPlainObject(value)) return 'an object'
  if (typeof value === 'string') return `the string ${quote(value)}`
  return `${typeof value} ${String(value)}`
}

function unknownKeyMessage(key: string, shape: ObjectShape, path: Path): string {
  const where = path.length ? ` in ${formatPath(path)}` : ''
  const message =
    `Unknown key "${key}"${where}: ${shape.name} has no such member, so the AWS SDK would drop it ` +
    'silently; it is left out.'
  const suggestion = suggest(key, Object.keys(shape.fields))
  if (shape === CONTAINER_DEFINITION && Object.hasOwn(REGISTER_TASK_DEFINITION.fields, key)) {
    return `${message} "${key}" belongs to the task definition, beside containerDefinitions, not inside a container.`
  }
  if (shape === REGISTER_TASK_DEFINITION && Object.hasOwn(CONTAINER_DEFINITION.fields, key)) {
    return `${message} "${key}" belongs inside a container in containerDefinitions.`
  }
  if (shape === KEY_VALUE && key === 'valueFrom') {
    return `${message} A value read from Secrets Manager or SSM belongs in "secrets", not "environment".`
  }
  return suggestion ? `${message} Did you mean "${suggestion}"?` : message
}

/** The member a mistyped key most likely meant, if one is close. */
export function suggest(key: string, candidates: string[]): string | undefined {
  const lower = key.toLowerCase()
  const sameLetters = candidates.find(c => c.toLowerCase() === lower)
  if (sameLetters) return sameLetters
  const alias = ALIASES[lower]
  if (alias && candidates.includes(alias)) return alias
  let best: string | undefined
  let bestDistance = Infinity
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  const allowed = lower.length >= 12 ? 3 : lower.length >= 6 ? 2 : 1
  return bestDistance <= allowed ? best : undefined
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...new Array<number>(b.length).fill(0)
  ])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/**
 * Leaves out what ECS refuses and what, left out, means what was written: an empty `tags` list, an empty
 * string for an enumerated member (`pidMode: ""`), an empty `credentialsParameter`. One notice each, at the
 * position of what was left out; `ctx.positions` follows the change (list items after a dropped one move up).
 */
export function dropWhatEcsRefuses(
  input: Record<string, unknown>,
  ctx: CleanContext
): { input: Record<string, unknown>; notices: SourceWarning[] } {
  const drops = checkRegisterInput(input).filter(v => v.fix === 'drop')
  if (drops.length === 0) return { input, notices: [] }
  const { input: fixed, dropped } = applyDrops(input, drops)
  const notices: SourceWarning[] = []
  for (const path of dropped) {
    const violation = drops.find(v => pathKey(dropPath(v)) === pathKey(path)) as Violation
    const position = ctx.tree ? nearestPosition(ctx.positions, violation.path) : undefined
    const shown = JSON.stringify(valueAt(input, violation.path))
    const note = registerRule(violation.rule)?.fixNote ?? 'ECS refuses it.'
    notices.unshift({
      message:
        `${formatRulePath(path)} was left out (${formatRulePath(violation.path)} is ${shown}): ${note} ` +
        `ECS would answer ${violation.exception}: "${violation.message}"`,
      file: ctx.file,
      line: position?.line,
      column: position?.column
    })
    forgetPosition(ctx.positions, path)
  }
  notices.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
  return { input: fixed, notices }
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string | number, unknown>)[step]
  }
  return current
}

/** The position of a path, or of the nearest enclosing member that has one. */
function nearestPosition(positions: Map<string, Position>, path: Path): Position | undefined {
  for (let n = path.length; n >= 0; n--) {
    const position = positions.get(pathKey(path.slice(0, n)))
    if (position) return position
  }
  return undefined
}

/** Forget the positions under a dropped path; when it was a list item, the items after it move up one. */
function forgetPosition(positions: Map<string, Position>, dropped: Path): void {
  const parent = dropped.slice(0, -1)
  const index = dropped[dropped.length - 1]
  const moved: Array<[string, Position]> = []
  for (const [key, position] of [...positions]) {
    const path = JSON.parse(key) as Path
    const under = dropped.every((p, i) => path[i] === p)
    if (under) {
      positions.delete(key)
      continue
    }
    const sibling = parent.every((p, i) => path[i] === p)
    const at = path[parent.length]
    if (typeof index === 'number' && sibling && typeof at === 'number' && at > index) {
      positions.delete(key)
      moved.push([pathKey([...parent, at - 1, ...path.slice(parent.length + 1)]), position])
    }
  }
  for (const [key, position] of moved) positions.set(key, position)
}

/**
 * Reading a RegisterTaskDefinition request as plain JSON without trusting its shape (the checks see values
 * of the wrong type that the SDK's types would not allow but its serializer sends anyway).
 */
import type { RulePath } from './types.js'

export type Obj = Record<string, unknown>

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
export const has = (o: Obj, key: string): boolean =>
  Object.hasOwn(o, key) && o[key] !== undefined && o[key] !== null
export const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** Each container that is an object, with its index. */
export function containers(input: Obj): Array<[Obj, number]> {
  const out: Array<[Obj, number]> = []
  listOf(input.containerDefinitions).forEach((c, i) => {
    if (isObj(c)) out.push([c, i])
  })
  return out
}

/**
 * A value from the request as it appears in a message: control characters escaped (a message is printed,
 * and a newline must not start a line of its own), at most 100 characters.
 */
export function shown(value: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = value.replace(/[\u0000-\u001f\u007f]/g, c => JSON.stringify(c).slice(1, -1))
  return escaped.length > 100 ? `${escaped.slice(0, 100)}…` : escaped
}

export const containerName = (c: Obj, i: number): string =>
  typeof c.name === 'string' ? shown(c.name) : `#${i}`

/** Every value at a path pattern, with its concrete path. */
export function valuesAt(root: unknown, pattern: ReadonlyArray<string | number>): Array<[unknown, RulePath]> {
  let current: Array<[unknown, RulePath]> = [[root, []]]
  for (const step of pattern) {
    const next: Array<[unknown, RulePath]> = []
    for (const [value, path] of current) {
      if (step === '*') {
        listOf(value).forEach((item, i) => next.push([item, [...path, i]]))
      } else if (typeof step === 'number') {
        if (Array.isArray(value) && step < value.length) next.push([value[step], [...path, step]])
      } else if (isObj(value) && has(value, String(step))) {
        next.push([value[String(step)], [...path, step]])
      }
    }
    current = next
  }
  return current
}

export function jsonKind(v: unknown): 'string' | 'number' | 'true' | 'false' | 'object' | 'list' | 'null' {
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return 'list'
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') return 'number'
  if (typeof v === 'string') return 'string'
  return 'object'
}

import { randomBytes, randomInt, randomUUID } from 'node:crypto'

export const ACCOUNT_ID = '123456789012'

/** An error the AWS JSON 1.1 protocol returns as `{"__type": name, "message": ...}` with `status`. */
export class AwsError extends Error {
  readonly type: string
  readonly status: number

  constructor(type: string, message: string, status = 400) {
    super(message)
    this.type = type
    this.status = status
  }
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}

/** `ecs-svc/` and 19 digits, like a real ECS deployment id. */
export function deploymentId(): string {
  let digits = String(randomInt(1, 10))
  while (digits.length < 19) digits += String(randomInt(0, 10))
  return `ecs-svc/${digits}`
}

export function uuid(): string {
  return randomUUID()
}

/** Epoch seconds, as the AWS JSON protocol encodes timestamps. */
export function epoch(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000
}

export type Json = Record<string, unknown>

export function str(input: Json, key: string): string | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new AwsError('InvalidParameterException', `${key} must be a string.`)
  return v
}

export function num(input: Json, key: string): number | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new AwsError('InvalidParameterException', `${key} must be a number.`)
  return v
}

export function bool(input: Json, key: string): boolean | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean') throw new AwsError('InvalidParameterException', `${key} must be a boolean.`)
  return v
}

export function strList(input: Json, key: string): string[] | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some(x => typeof x !== 'string'))
    throw new AwsError('InvalidParameterException', `${key} must be a list of strings.`)
  return v as string[]
}

export function obj(input: Json, key: string): Json | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v))
    throw new AwsError('InvalidParameterException', `${key} must be an object.`)
  return v as Json
}

export function list(input: Json, key: string): Json[] | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw new AwsError('InvalidParameterException', `${key} must be a list.`)
  return v as Json[]
}

/** Drops keys whose value is undefined, so responses look like the service's (absent, not null). */
export function clean<T extends Json>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k]
  return o
}

/** Glob match with `*` (any run) and `?` (one character). */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.')
  return new RegExp(`^${re}$`).test(value)
}

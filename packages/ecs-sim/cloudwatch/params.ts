/**
 * Reading CloudWatch request fields with CloudWatch's own errors (MissingParameter, InvalidParameterValue):
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html
 */
import { createHash } from 'node:crypto'
import type { Json } from '../util.js'
import { badToken, invalidValue, missing } from './errors.js'
import type { MetricDimension, MetricKey } from './reader.js'

export function optStr(input: Json, key: string, path = key): string | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw invalidValue(path, v)
  return v
}

export function reqStr(input: Json, key: string, path = key): string {
  const v = optStr(input, key, path)
  if (v === undefined || v === '') throw missing(path)
  return v
}

export function optNum(input: Json, key: string, path = key): number | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalidValue(path, v)
  return v
}

export function reqNum(input: Json, key: string, path = key): number {
  const v = optNum(input, key, path)
  if (v === undefined) throw missing(path)
  return v
}

export function optInt(input: Json, key: string, min: number, max: number, path = key): number | undefined {
  const v = optNum(input, key, path)
  if (v !== undefined && (!Number.isInteger(v) || v < min || v > max))
    throw invalidValue(path, v, `It must be an integer from ${min} to ${max}.`)
  return v
}

export function optList(input: Json, key: string, path = key): unknown[] | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v)) throw invalidValue(path, v)
  return v
}

export function optObj(input: Json, key: string, path = key): Json | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidValue(path, v)
  return v as Json
}

export function strings(input: Json, key: string, path = key): string[] | undefined {
  const v = optList(input, key, path)
  if (v?.some(x => typeof x !== 'string')) throw invalidValue(path, v)
  return v as string[] | undefined
}

/** A timestamp as the JSON protocol sends it (epoch seconds), in epoch ms. */
export function time(input: Json, key: string, path = key): number | undefined {
  const v = input[key]
  if (v === undefined || v === null) return undefined
  const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : NaN
  if (!Number.isFinite(ms)) throw invalidValue(path, v)
  return ms
}

/** Up to 30 dimensions, each with a non-empty Name and Value of at most 255 characters, no name twice. */
export function dimensions(raw: unknown, path: string, max = 30): MetricDimension[] {
  if (raw === undefined || raw === null) return []
  if (!Array.isArray(raw)) throw invalidValue(path, raw)
  if (raw.length > max) throw invalidValue(path, `${raw.length} dimensions`, `At most ${max} are allowed.`)
  const seen = new Set<string>()
  return raw.map((d, i) => {
    const dim = (d ?? {}) as Json
    const Name = reqStr(dim, 'Name', `${path}.member.${i + 1}.Name`)
    const Value = reqStr(dim, 'Value', `${path}.member.${i + 1}.Value`)
    for (const [k, v] of [
      ['Name', Name],
      ['Value', Value]
    ])
      if (v.length > 255)
        throw invalidValue(`${path}.member.${i + 1}.${k}`, v, 'It is longer than 255 characters.')
    if (seen.has(Name)) throw invalidValue(path, Name, `The dimension ${Name} is given twice.`)
    seen.add(Name)
    return { Name, Value }
  })
}

/** A Metric structure ({Namespace, MetricName, Dimensions}) as a MetricKey. */
export function metricKey(raw: Json, path: string): MetricKey {
  return {
    namespace: reqStr(raw, 'Namespace', `${path}.Namespace`),
    metricName: reqStr(raw, 'MetricName', `${path}.MetricName`),
    dimensions: dimensions(raw.Dimensions, `${path}.Dimensions`)
  }
}

/**
 * A metric query's Period (seconds): 1, 5, 10, 30 (high resolution) or a multiple of 60, as GetMetricData
 * and GetMetricStatistics require.
 */
export function queryPeriod(v: number, path: string): number {
  if (!Number.isInteger(v) || v < 1 || (v < 60 ? ![1, 5, 10, 30].includes(v) : v % 60 !== 0))
    throw invalidValue(path, v, 'The period must be 1, 5, 10, 30 or a multiple of 60 seconds.')
  return v
}

/** NextToken of an offset in a listing, tied to the request that made it. */
export function token(offset: number, request: string): string {
  return Buffer.from(JSON.stringify({ o: offset, r: fingerprint(request) }), 'utf8').toString('base64url')
}

function fingerprint(request: string): string {
  return createHash('sha256').update(request).digest('hex').slice(0, 16)
}

export function offsetOf(next: string | undefined, request: string): number {
  if (next === undefined) return 0
  try {
    const t = JSON.parse(Buffer.from(next, 'base64url').toString('utf8')) as { o?: unknown; r?: unknown }
    if (typeof t.o === 'number' && Number.isInteger(t.o) && t.o >= 0 && t.r === fingerprint(request))
      return t.o
  } catch {
    // falls through
  }
  throw badToken()
}

/**
 * The values of action inputs, parsed: text in, a typed value or one DeployError naming the input out. Pure;
 * src/inputs.ts (the only reader of inputs) calls these on what it read.
 */
import { DeployError } from './errors.js'
import { quote } from './untrusted.js'
import type { ScalingInputs } from './inputs.js'

export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find(a => a === value.trim().toLowerCase())
  if (found) return found
  throw invalid(name, `${quote(value)} is not one of ${allowed.join(', ')}`)
}

/** A service deployment ARN: arn:<partition>:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>. */
export const SERVICE_DEPLOYMENT_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service-deployment\/[^/\s]+\/[^/\s]+\/[^/\s]+$/

export function invalid(name: string, message: string, hint?: string): DeployError {
  return new DeployError(`Invalid input: ${name}`, `Input "${name}": ${message}`, { hint })
}

// What core.getBooleanInput takes (the YAML 1.2 core schema's booleans), and nothing else.
const TRUE = new Set(['true', 'True', 'TRUE'])
const FALSE = new Set(['false', 'False', 'FALSE'])
// Other spellings people use for booleans: refused, with the word they meant.
const MEANT_TRUE = new Set(['yes', 'y', 'on', '1', 'enable', 'enabled'])
const MEANT_FALSE = new Set(['no', 'n', 'off', '0', 'disable', 'disabled'])

/** `true`, `True`, `TRUE`, `false`, `False` or `FALSE` after trimming, as core.getBooleanInput reads them. */
export function parseBoolean(name: string, value: string): boolean {
  const v = value.trim()
  if (TRUE.has(v)) return true
  if (FALSE.has(v)) return false
  const lower = v.toLowerCase()
  const meant = MEANT_TRUE.has(lower) ? 'true' : MEANT_FALSE.has(lower) ? 'false' : undefined
  throw invalid(
    name,
    `${quote(value)} is not a boolean`,
    meant
      ? `write ${meant}: this input takes true, True, TRUE, false, False or FALSE, nothing else`
      : 'use true or false (also True, TRUE, False, FALSE)'
  )
}

/**
 * `docker build --network`: what both builders take. BuildKit (docker buildx, and `docker build` since
 * Docker 23) accepts only these three and refuses any other mode ("network mode … not supported by
 * buildkit"); a network name or `container:<id>` works only with the classic builder, which this action
 * falls back to only when buildx is missing. One list, so the input means the same with either builder.
 */
export const NETWORK_MODES = ['default', 'none', 'host'] as const
export type NetworkMode = (typeof NETWORK_MODES)[number]

export function parseNetwork(value: string): NetworkMode {
  const v = value.trim()
  const mode = NETWORK_MODES.find(m => m === v)
  if (mode) return mode
  throw invalid(
    'network',
    `${quote(value)} is not a build network mode; it takes ${NETWORK_MODES.join(', ')}`,
    'a network name or container:<id> works only with the classic docker builder; BuildKit (buildx) refuses it, ' +
      'so this action refuses it with either builder. For a network of your own, create a buildx builder on it ' +
      '(docker buildx create --driver-opt network=<name>) in an earlier step.'
  )
}

export function wholeNumber(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw invalid(name, `${quote(value)} is not a whole number`)
  const n = Number(value)
  if (n < min || n > max) throw invalid(name, `${n} is out of range (${min} to ${max})`)
  return n
}

/** Splits on commas and newlines, trims, drops empties. */
export function parseList(value: string | undefined): string[] {
  if (!value) return []
  return value
    .split(/[\n,]/)
    .map(s => s.trim())
    .filter(s => s !== '')
}

/** `KEY=value` per line; blank lines and `#` comments are skipped; the value may contain `=`. */
export function parseBuildArgs(value: string | undefined): Record<string, string> {
  const args: Record<string, string> = {}
  if (!value) return args
  value.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const eq = line.indexOf('=')
    const key = eq < 0 ? line : line.slice(0, eq).trim()
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      throw invalid('build-args', `line ${index + 1} (${quote(line, 40)}) is not KEY=value`)
    }
    args[key] = line.slice(eq + 1).trimStart()
  })
  return args
}

/** The ALB's ResourceLabel of a target group: app/<lb name>/<lb id>/targetgroup/<tg name>/<tg id>. */
export const RESOURCE_LABEL =
  /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}\/targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}$/
/** A CloudWatch alarm name: 1 to 255 characters, no control characters. */
export const ALARM_NAME = /^[^\p{Cc}]{1,255}$/u
/** The circuit breaker's own threshold: max(3, min(200, ceil(0.5 × desired))). */
export function circuitBreakerThreshold(desired: number): number {
  return Math.max(3, Math.min(200, Math.ceil(0.5 * desired)))
}

/** The scaling inputs (by name, undefined when not set) → what the deploy applies; undefined when none is set. */
export function parseScaling(values: Record<string, string | undefined>): ScalingInputs | undefined {
  if (Object.values(values).every(v => v === undefined)) return undefined
  const number = (name: string, min: number, max: number): number | undefined => {
    const text = values[name]
    return text === undefined ? undefined : wholeNumber(name, text, min, max)
  }
  const min = number('scaling-min', 0, 5000)
  const max = number('scaling-max', 0, 5000)
  if (min !== undefined && max !== undefined && min > max)
    throw invalid('scaling-max', `${max} is below scaling-min (${min})`)
  const perTarget = number('scale-on-requests', 1, 1_000_000)
  const resourceLabel = values['scale-on-requests-resource-label']
  if (perTarget !== undefined && resourceLabel === undefined) {
    throw invalid(
      'scale-on-requests-resource-label',
      'scale-on-requests needs the target group it counts requests of',
      'give its ResourceLabel: app/<load balancer name>/<id>/targetgroup/<target group name>/<id>'
    )
  }
  if (resourceLabel !== undefined) {
    if (perTarget === undefined)
      throw invalid('scale-on-requests-resource-label', 'is only used with scale-on-requests')
    if (!RESOURCE_LABEL.test(resourceLabel)) {
      throw invalid(
        'scale-on-requests-resource-label',
        `${quote(resourceLabel)} is not an ALB target group's ResourceLabel`,
        'app/<load balancer name>/<id>/targetgroup/<target group name>/<id>: the ends of the load ' +
          "balancer's ARN (after loadbalancer/) and the target group's ARN, joined by a slash"
      )
    }
  }
  return {
    min,
    max,
    cpu: number('scale-on-cpu', 1, 100),
    memory: number('scale-on-memory', 1, 100),
    requests: perTarget === undefined ? undefined : { perTarget, resourceLabel: resourceLabel as string },
    scaleInCooldown: number('scale-in-cooldown', 0, 86_400),
    scaleOutCooldown: number('scale-out-cooldown', 0, 86_400)
  }
}

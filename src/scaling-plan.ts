/**
 * Auto scaling of a service, decided (pure: no client, no `core`): the scaling inputs and what
 * Application Auto Scaling has now → what to register, put and delete, nothing when it is already so;
 * and the desired count an update may set once a scalable target owns the count.
 * src/scaling.ts reads the state and applies the change.
 */
import { DeployError } from './errors.js'
import type { ScalingInputs } from './inputs.js'

/** Our target-tracking policies are named so: a deploy owns these and no other. */
export const POLICY_PREFIX = 'ecs-deploy-'

export const METRICS = {
  cpu: 'ECSServiceAverageCPUUtilization',
  memory: 'ECSServiceAverageMemoryUtilization',
  requests: 'ALBRequestCountPerTarget'
} as const
export type PolicyKind = keyof typeof METRICS
const KINDS = Object.keys(METRICS) as PolicyKind[]

/** One target-tracking policy on a predefined metric, as read or as wanted. */
export interface TrackingPolicy {
  name: string
  metric: string
  targetValue: number
  /** ALBRequestCountPerTarget only: app/<lb>/<id>/targetgroup/<tg>/<id>. */
  resourceLabel?: string
  scaleInCooldown?: number
  scaleOutCooldown?: number
}

/** What Application Auto Scaling has for the service. */
export interface ScalingState {
  /** The scalable target (ecs:service:DesiredCount); undefined when none is registered. */
  target?: { min: number; max: number }
  /** Its policies: target tracking on a predefined metric (others are listed by name only). */
  policies: Array<TrackingPolicy | { name: string }>
}

/** What a deploy changes in Application Auto Scaling, and the state before and after. */
export interface ScalingChange {
  /** service/<cluster>/<service>. */
  resourceId: string
  /** RegisterScalableTarget with these bounds; undefined when the target is as wanted. */
  register?: { min: number; max: number }
  /** PutScalingPolicy, one each. */
  put: TrackingPolicy[]
  /** DeleteScalingPolicy: our policies the inputs no longer ask for. */
  remove: string[]
  before: ScalingState
  after: ScalingState
}

/** The Application Auto Scaling ResourceId of an ECS service. */
export function resourceId(cluster: string, service: string): string {
  return `service/${cluster}/${service}`
}

function isTracking(p: TrackingPolicy | { name: string }): p is TrackingPolicy {
  return 'metric' in p
}

function sameConfig(a: TrackingPolicy, b: TrackingPolicy): boolean {
  return (
    a.metric === b.metric &&
    a.targetValue === b.targetValue &&
    (a.resourceLabel ?? '') === (b.resourceLabel ?? '') &&
    a.scaleInCooldown === b.scaleInCooldown &&
    a.scaleOutCooldown === b.scaleOutCooldown
  )
}

/** The policies the inputs ask for; a cooldown not given keeps the existing policy's. */
function wantedPolicies(inputs: ScalingInputs, current: ScalingState): TrackingPolicy[] {
  const targets: Record<PolicyKind, number | undefined> = {
    cpu: inputs.cpu,
    memory: inputs.memory,
    requests: inputs.requests?.perTarget
  }
  return KINDS.flatMap(kind => {
    const targetValue = targets[kind]
    if (targetValue === undefined) return []
    const name = `${POLICY_PREFIX}${kind}`
    const existing = current.policies.find(p => p.name === name)
    const old = existing && isTracking(existing) ? existing : undefined
    const policy: TrackingPolicy = { name, metric: METRICS[kind], targetValue }
    if (kind === 'requests') policy.resourceLabel = inputs.requests?.resourceLabel
    const scaleIn = inputs.scaleInCooldown ?? old?.scaleInCooldown
    const scaleOut = inputs.scaleOutCooldown ?? old?.scaleOutCooldown
    if (scaleIn !== undefined) policy.scaleInCooldown = scaleIn
    if (scaleOut !== undefined) policy.scaleOutCooldown = scaleOut
    return [policy]
  })
}

/**
 * What to change so the service scales as the inputs say. Undefined: no scaling input is set (nothing
 * of Application Auto Scaling is touched). Throws the DeployError a bad combination deserves (nothing
 * has been changed yet: this runs in the plan).
 */
export function scalingPlan(
  inputs: ScalingInputs | undefined,
  current: ScalingState,
  id: string
): ScalingChange | undefined {
  if (!inputs) return undefined
  const min = inputs.min ?? current.target?.min
  const max = inputs.max ?? current.target?.max
  if (min === undefined || max === undefined) {
    const missing = min === undefined ? 'scaling-min' : 'scaling-max'
    throw new DeployError(
      `Invalid input: ${missing}`,
      `Input "${missing}": ${id} has no scalable target yet, so registering one needs both scaling-min and scaling-max.`
    )
  }
  if (min > max) {
    const which = inputs.max === undefined ? 'scaling-min' : 'scaling-max'
    throw new DeployError(
      `Invalid input: ${which}`,
      `Input "${which}": the scalable target of ${id} would have min ${min} above max ${max} (the other bound is the registered one).`
    )
  }
  const put = wantedPolicies(inputs, current).filter(p => {
    const existing = current.policies.find(e => e.name === p.name)
    return !existing || !isTracking(existing) || !sameConfig(existing, p)
  })
  const wantedNames = new Set(wantedPolicies(inputs, current).map(p => p.name))
  const remove = current.policies
    .map(p => p.name)
    .filter(name => KINDS.some(k => name === `${POLICY_PREFIX}${k}`) && !wantedNames.has(name))
  const register =
    current.target && current.target.min === min && current.target.max === max ? undefined : { min, max }
  const after: ScalingState = {
    target: { min, max },
    policies: [
      ...current.policies
        .filter(p => !remove.includes(p.name))
        .map(p => put.find(q => q.name === p.name) ?? p),
      ...put.filter(p => !current.policies.some(e => e.name === p.name))
    ]
  }
  return { resourceId: id, register, put, remove, before: current, after }
}

/** Whether a change changes anything. */
export function changesAnything(change: ScalingChange | undefined): boolean {
  return Boolean(change && (change.register || change.put.length > 0 || change.remove.length > 0))
}

/** The desired count an update sends (undefined: leave it), and why, when the input was not taken. */
export interface DesiredCountDecision {
  desiredCount?: number
  notice?: string
}

/**
 * The update's desired count when auto scaling may own it:
 * - no scalable target (none now, none registered by this run): the input as given;
 * - a scalable target registered before this run: the count is auto scaling's; the running count is kept
 *   (clamped into [min, max] when a new bound excludes it), and a desired-count input is ignored;
 * - a scalable target this run registers: the input (else the running count), clamped into [min, max].
 */
export function desiredCountDecision(
  input: number | undefined,
  running: number | undefined,
  before: ScalingState['target'],
  after: ScalingState['target']
): DesiredCountDecision {
  if (!after) return { desiredCount: input }
  const clamp = (n: number): number => Math.min(after.max, Math.max(after.min, n))
  const range = `${after.min}–${after.max}`
  if (before) {
    const keep = running === undefined ? undefined : clamp(running)
    const desiredCount = keep !== undefined && keep !== running ? keep : undefined
    const kept =
      keep === undefined
        ? 'the service keeps its count'
        : desiredCount === undefined
          ? `the service keeps its ${keep} desired tasks`
          : `the running ${running} is outside it, so the service is set to ${keep}`
    if (input !== undefined && input !== keep) {
      return {
        desiredCount,
        notice: `desired-count ${input} is ignored: auto scaling manages the service's count (${range} tasks); ${kept}.`
      }
    }
    if (desiredCount !== undefined) {
      return { desiredCount, notice: `Auto scaling allows ${range} tasks: ${kept}.` }
    }
    return { desiredCount: undefined }
  }
  const wanted = input ?? running
  if (wanted === undefined) return { desiredCount: undefined }
  const set = clamp(wanted)
  if (set === wanted) return { desiredCount: input }
  return {
    desiredCount: set,
    notice:
      input !== undefined
        ? `desired-count ${input} is outside scaling-min..scaling-max (${range}): the service is set to ${set}.`
        : `The running ${wanted} desired tasks are outside scaling-min..scaling-max (${range}): the service is set to ${set}.`
  }
}

/**
 * Target tracking's decision for one policy, pure: from the metric's recent one-period values, the target value,
 * the current desired count, the target's [min, max] and its cooldown state, the new desired count or none, and why.
 *
 * As Application Auto Scaling documents it for ECS services:
 * - the policy's AlarmHigh is in ALARM when the metric is above the target for 3 consecutive periods (one
 *   minute each), its AlarmLow when it is below 90% of the target for 15 consecutive periods; a period with no
 *   data breaks the run (no scaling on insufficient data, and never a scale-in);
 * - the new capacity is proportional: ceil(current × metric / target), clamped to [min, max]; rounding up makes
 *   scale-in conservative (it keeps at least the capacity the metric needs);
 * - after a scale-out, while its cooldown lasts, the capacity it added counts towards the next one: a further
 *   scale-out is computed from the capacity before it, and happens only when that asks for more;
 * - after a scale-in, no scale-in until its cooldown has passed; a scale-out is not held back by it;
 * - DisableScaleIn (and a suspended dynamic scale-in/out) stops that direction.
 */
export const HIGH_PERIODS = 3
export const LOW_PERIODS = 15
export const LOW_FACTOR = 0.9

export interface DecisionInput {
  /** The metric per period, newest first; undefined for a period with no data. */
  periods: (number | undefined)[]
  targetValue: number
  current: number
  min: number
  max: number
  disableScaleIn: boolean
  scaleOutSuspended: boolean
  scaleInSuspended: boolean
  now: number
  /** Real milliseconds (already scaled by the sim's time scale). */
  scaleOutCooldownMs: number
  scaleInCooldownMs: number
  lastScaleOut?: { at: number; from: number }
  lastScaleIn?: { at: number }
}

export type Decision =
  | { change: true; direction: 'out' | 'in'; desired: number; alarm: 'AlarmHigh' | 'AlarmLow'; why: string }
  | { change: false; why: string }

function run(periods: (number | undefined)[], n: number, ok: (v: number) => boolean): boolean {
  if (periods.length < n) return false
  return periods.slice(0, n).every(v => v !== undefined && ok(v))
}

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v))

export function decide(i: DecisionInput): Decision {
  const metric = i.periods[0]
  if (metric === undefined) return { change: false, why: 'no data for the metric in the last period' }
  const high = run(i.periods, HIGH_PERIODS, v => v > i.targetValue)
  const low = run(i.periods, LOW_PERIODS, v => v < i.targetValue * LOW_FACTOR)

  if (high) {
    if (i.scaleOutSuspended) return { change: false, why: 'dynamic scale-out is suspended' }
    const inCooldown = i.lastScaleOut !== undefined && i.now - i.lastScaleOut.at < i.scaleOutCooldownMs
    const base = inCooldown ? i.lastScaleOut!.from : i.current
    const desired = clamp(Math.ceil((base * metric) / i.targetValue), i.min, i.max)
    if (desired <= i.current)
      return {
        change: false,
        why:
          desired === i.max && i.current >= i.max
            ? `already at maximum capacity ${i.max}`
            : inCooldown
              ? `scale-out cooldown: the last scale-out already covers ${desired}`
              : `metric ${metric} needs no more than ${i.current}`
      }
    return {
      change: true,
      direction: 'out',
      desired,
      alarm: 'AlarmHigh',
      why: `metric ${metric} above target ${i.targetValue} for ${HIGH_PERIODS} periods: ceil(${base} × ${metric} / ${i.targetValue}) = ${desired}`
    }
  }

  if (low) {
    if (i.disableScaleIn) return { change: false, why: 'scale-in is disabled (DisableScaleIn)' }
    if (i.scaleInSuspended) return { change: false, why: 'dynamic scale-in is suspended' }
    if (i.lastScaleIn !== undefined && i.now - i.lastScaleIn.at < i.scaleInCooldownMs)
      return { change: false, why: 'scale-in cooldown in effect' }
    const desired = clamp(Math.ceil((i.current * metric) / i.targetValue), i.min, i.max)
    if (desired >= i.current)
      return {
        change: false,
        why:
          i.current <= i.min
            ? `already at minimum capacity ${i.min}`
            : `metric ${metric} still needs ${i.current}`
      }
    return {
      change: true,
      direction: 'in',
      desired,
      alarm: 'AlarmLow',
      why: `metric ${metric} below ${LOW_FACTOR * 100}% of target ${i.targetValue} for ${LOW_PERIODS} periods: ceil(${i.current} × ${metric} / ${i.targetValue}) = ${desired}`
    }
  }
  return { change: false, why: 'neither alarm is in ALARM' }
}

/**
 * Several policies on one target, as Application Auto Scaling combines them: it scales out when any policy asks
 * (to the largest capacity asked), and scales in only when every policy asks (to the largest of their capacities).
 */
export function combine<T extends { decision: Decision }>(
  each: T[]
): (T & { decision: Decision & { change: true } }) | undefined {
  const changes = each.filter((e): e is T & { decision: Decision & { change: true } } => e.decision.change)
  const outs = changes.filter(e => e.decision.direction === 'out')
  const pick = (xs: typeof changes) => xs.reduce((a, b) => (b.decision.desired > a.decision.desired ? b : a))
  if (outs.length > 0) return pick(outs)
  const ins = changes.filter(e => e.decision.direction === 'in')
  if (ins.length > 0 && ins.length === each.length) return pick(ins)
  return undefined
}

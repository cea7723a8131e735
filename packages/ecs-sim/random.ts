/**
 * Seeded pseudo-random numbers for the simulator's fault injection, and the fault decision built on them.
 *
 * The generator is counter-based (in the style of splitmix32): the n-th number of the stream `seed` is a
 * pure function of `(seed, n)`, with no hidden state. So the fault decision for the k-th call the faults
 * apply to depends only on the seed, k and the rates — never on timing, on which operation the call is,
 * or on how many numbers earlier decisions happened to use. A test that knows a call's index (the call
 * log records it as `faultDraw`) can recompute exactly what the simulator decided for it.
 */

export const MAX_SEED = 0xffffffff

const GOLDEN = 0x9e3779b9

/** A 32-bit avalanche mix (MurmurHash3's finalizer): every input bit flips about half the output bits. */
function mix32(x: number): number {
  let z = x | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** The n-th (0-based) unsigned 32-bit number of the stream `seed`. */
export function random32(seed: number, n: number): number {
  // The seed is mixed first, so streams of nearby seeds are not shifted copies of each other.
  const start = mix32(seed ^ 0x5bd1e995)
  return mix32(start + Math.imul(n + 1, GOLDEN))
}

/** The n-th number of the stream `seed`, uniform in [0, 1). */
export function uniform(seed: number, n: number): number {
  return random32(seed, n) / 2 ** 32
}

/** What the simulator injects into one call instead of answering it. */
export type Injected = 'throttle' | 'error'

export interface FaultRates {
  throttleRate: number
  errorRate: number
}

/**
 * The fault for the k-th (0-based) call the faults apply to: a throttle when the stream's number 2k is
 * below `throttleRate`, otherwise a 5xx when number 2k+1 is below `errorRate`, otherwise none.
 * (So, as before seeds existed, a call is throttled with probability throttleRate and fails with a 5xx
 * with probability (1 − throttleRate) × errorRate.)
 */
export function faultFor(seed: number, k: number, rates: FaultRates): Injected | undefined {
  if (rates.throttleRate > 0 && uniform(seed, 2 * k) < rates.throttleRate) return 'throttle'
  if (rates.errorRate > 0 && uniform(seed, 2 * k + 1) < rates.errorRate) return 'error'
  return undefined
}

/** A seed: an integer from 0 to 2^32 − 1. */
export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SEED
}

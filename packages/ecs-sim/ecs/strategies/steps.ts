/** A production traffic shift as steps: the green weight reached, then how long (unscaled ms) to wait. */
export interface ShiftStep {
  weight: number
  bakeMs: number
}

export const MINUTE = 60_000

/** One decimal, as ECS's weights go in steps of 0.1. */
export function weight(w: number): number {
  return Math.min(100, Math.round(w * 10) / 10)
}

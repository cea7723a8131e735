/**
 * How long each lifecycle stage of a service deployment took, from the stages the watch saw and when.
 * PURE: a stage clock is a value; `tick` returns the next one.
 */

export interface StageTiming {
  stage: string
  ms: number
}

export interface StageClock {
  /** Stages that ended, in the order they ended. */
  done: StageTiming[]
  /** The stage seen last and when it was first seen. */
  current?: { stage: string; since: number }
}

export const NO_STAGES: StageClock = { done: [] }

/** The clock after seeing `stage` at `at`: a new stage ends the one before it. */
export function tick(clock: StageClock, stage: string | undefined, at: number): StageClock {
  if (!stage || clock.current?.stage === stage) return clock
  const done = clock.current
    ? [...clock.done, { stage: clock.current.stage, ms: Math.max(0, at - clock.current.since) }]
    : clock.done
  return { done, current: { stage, since: at } }
}

/** Every stage with its time, the current one counted up to `at`. */
export function stageTimings(clock: StageClock, at: number): StageTiming[] {
  const { current } = clock
  return current ? [...clock.done, { stage: current.stage, ms: Math.max(0, at - current.since) }] : clock.done
}

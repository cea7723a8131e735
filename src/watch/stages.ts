/**
 * How long each lifecycle stage of a service deployment took, and where its traffic stood when the stage
 * ended, from the stages the watch saw and when. PURE: a stage clock is a value; `tick` returns the next one.
 */

export interface StageTiming {
  stage: string
  ms: number
  /** The traffic weights last seen in the stage ("production 20% new / 80% old, test 100% new"). */
  traffic?: string
}

export interface StageClock {
  /** Stages that ended, in the order they ended. */
  done: StageTiming[]
  /** The stage seen last, when it was first seen, and its traffic as last seen. */
  current?: { stage: string; since: number; traffic?: string }
}

export const NO_STAGES: StageClock = { done: [] }

function timing(current: NonNullable<StageClock['current']>, at: number): StageTiming {
  const { stage, since, traffic } = current
  return { stage, ms: Math.max(0, at - since), ...(traffic !== undefined ? { traffic } : {}) }
}

/** The clock after seeing `stage` (with its `traffic`) at `at`: a new stage ends the one before it. */
export function tick(clock: StageClock, stage: string | undefined, at: number, traffic?: string): StageClock {
  if (!stage) return clock
  const { current } = clock
  if (current?.stage === stage) {
    if (traffic === undefined || traffic === current.traffic) return clock
    return { ...clock, current: { ...current, traffic } }
  }
  const done = current ? [...clock.done, timing(current, at)] : clock.done
  return { done, current: { stage, since: at, ...(traffic !== undefined ? { traffic } : {}) } }
}

/** Every stage with its time, the current one counted up to `at`. */
export function stageTimings(clock: StageClock, at: number): StageTiming[] {
  return clock.current ? [...clock.done, timing(clock.current, at)] : clock.done
}

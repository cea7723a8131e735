/** A phase of the run: timed in its log group, and the phase stamped on any error that passes through. */
import * as core from '@actions/core'
import { DeployError, inPhase, type Phase } from './errors.js'
import type { DeployReport } from './report/types.js'

export /** One phase in its log group: timed, and any error passing through is stamped with the phase. */
async function phase<T>(id: Phase, name: string, report: DeployReport, fn: () => Promise<T>): Promise<T> {
  const started = Date.now()
  try {
    return await core.group(name, fn)
  } catch (error) {
    throw inPhase(error, id)
  } finally {
    report.timings?.push({ phase: name, id, ms: Date.now() - started, at: new Date(started) })
  }
}

export /** A run cancelled before the service was touched stops there: nothing to roll back. */
function stopIfCancelled(signal: AbortSignal, when: string, before: Phase): void {
  if (signal.aborted) {
    throw inPhase(
      new DeployError('Cancelled', `The run was cancelled ${when}; the service was not changed.`),
      before
    )
  }
}

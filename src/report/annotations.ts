/**
 * Annotations within GitHub's limits (about 10 error and 10 warning annotations per step): one error per
 * cause, the first cause folded into the run's one "Deployment failed" error with the verdict, so a red
 * deploy shows each cause once. Beyond the limit, one annotation says how many more there are.
 */
import * as core from '@actions/core'
import type { Cause } from '../diagnose/causes.js'
import { inert } from '../untrusted.js'
import { clip } from './format.js'
import { rollbackWords } from './headline.js'
import { LIMITS } from './limits.js'
import type { DeployReport } from './types.js'
import { occurrences } from './why.js'

/** Error annotations annotateCauses emits at most by default: one is left for the step's own failure. */
export const DEFAULT_ANNOTATION_LIMIT = LIMITS.annotations - 1

/** The annotation message: the detail, prefixed with who had it. Log lines stay out of annotations. */
export function annotationMessage(cause: Cause): string {
  const who = occurrences(cause)
  return who ? `${who}: ${cause.detail}` : cause.detail
}

/**
 * One error annotation per cause (title = the cause, message = its detail), at most `limit` in all:
 * beyond that, `limit - 1` causes and one "and N more causes, see the job summary".
 */
export function annotateCauses(causes: Cause[], limit: number = DEFAULT_ANNOTATION_LIMIT): void {
  const max = Math.max(1, Math.floor(limit))
  const shown = causes.length <= max ? causes : causes.slice(0, max - 1)
  for (const cause of shown) core.error(annotationMessage(cause), { title: cause.title })
  const rest = causes.length - shown.length
  if (rest > 0) {
    core.error(`…and ${rest} more cause${rest === 1 ? '' : 's'}, see the job summary`, {
      title: `${rest} more cause${rest === 1 ? '' : 's'}`
    })
  }
}

/** Ends a message with a full stop, so two can follow each other. */
export function sentence(text: string): string {
  const t = text.trim()
  return !t || /[.!?]$/.test(t) ? t : `${t}.`
}

/**
 * The message of the run's one "Deployment failed" error: the first cause (who had it, ECS's words)
 * with the verdict folded in (what the deployment did, what the rollback did). Pure.
 */
export function failureMessage(report: Pick<DeployReport, 'causes' | 'outcome' | 'rollback'>): string {
  const cause = report.causes[0]
  const lines: string[] = []
  if (cause) {
    const detail = cause.detail && cause.detail !== cause.title ? `: ${clip(cause.detail, 500)}` : ''
    const who = occurrences(cause)
    lines.push(`${sentence(`${cause.title}${who ? ` (${who})` : ''}${detail}`)}`)
  }
  const message = withoutStatedCause(report.outcome?.message ?? '', report.outcome?.cause, lines[0])
  const verdict = [sentence(message), report.rollback?.message ?? ''].filter(Boolean).join(' ')
  if (verdict) lines.push(verdict)
  return lines.join('\n') || 'The deployment failed.'
}

/**
 * The verdict as far as the first line (`stated`) does not say it already, so the error says each thing
 * once: nothing when that line holds the whole verdict (a cause whose detail is the verdict), else
 * without the cause it ends with ("… service deployment X: alarm "a" went into ALARM"). Pure.
 */
export function withoutStatedCause(
  message: string,
  cause: string | undefined,
  stated: string | undefined
): string {
  const text = message.trim().replace(/\.$/, '')
  if (!stated || !text) return message
  if (stated.includes(text)) return ''
  const suffix = cause ? `: ${cause}` : ''
  if (!cause || !stated.includes(cause) || !text.endsWith(suffix)) return message
  return text.slice(0, -suffix.length)
}

/** The causes the run's failure does not carry already: every cause after the first. */
export function otherCauses(causes: Cause[]): Cause[] {
  return causes.slice(1)
}

/** Warning annotations shown so far in this step, and those only logged beyond the limit. */
const warnings = { shown: 0, held: 0 }

/**
 * A warning annotation within the step's limit: the first `LIMITS.annotations - 1` are annotations; the
 * rest go to the log (through the gate) and `flushWarnings` sums them up in the last one.
 */
export function warning(message: string, properties?: core.AnnotationProperties): void {
  if (warnings.shown < LIMITS.annotations - 1) {
    warnings.shown++
    core.warning(message, properties)
    return
  }
  warnings.held++
  core.info(inert(`Warning${properties?.title ? ` (${properties.title})` : ''}: ${message}`))
}

/** One warning for those beyond the limit ("…and 4 more warnings, see the log"); then a new count. */
export function flushWarnings(): void {
  const n = warnings.held
  if (n > 0) {
    core.warning(`…and ${n} more warning${n === 1 ? '' : 's'}, see the log`, {
      title: `${n} more warning${n === 1 ? '' : 's'}`
    })
  }
  warnings.shown = 0
  warnings.held = 0
}

export { rollbackWords }

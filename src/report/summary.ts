/**
 * The job summary, assembled from its sections in the order a person reads it at 2 a.m.: the headline,
 * where it failed, why (cause first), what changed, the rollback, CPU and memory around the deploy, a
 * picture of the phases, the timeline,
 * notes, and the ids collapsed at the end. `renderSummary` is pure; `writeSummary` is the only code that
 * touches `core.summary`.
 */
import * as core from '@actions/core'
import { errorMessage } from '../errors.js'
import { splitLines } from '../untrusted.js'
import { renderCharts } from './charts.js'
import { readRunContext } from './context.js'
import { renderDetails } from './details.js'
import { clip, fence, md } from './format.js'
import { ROLLBACK_WORDS, summaryHeadline } from './headline.js'
import { fitSummary, LIMITS } from './limits.js'
import { renderPicture } from './picture.js'
import { renderAfterWatch, renderScaling } from './scaling.js'
import { renderStrategy } from './strategy.js'
import { renderTimeline } from './timeline.js'
import type { DeployReport, RunContext } from './types.js'
import { renderWhatChanged } from './what-changed.js'
import { renderWhy } from './why.js'

/** The phases as the log's groups name them. */
export const PHASE_NAMES: Record<string, string> = {
  inputs: 'Inputs',
  plan: 'Plan',
  image: 'Image',
  register: 'Register task definition',
  update: 'Update service',
  watch: 'Wait for the deployment',
  report: 'Report'
}

function failedIn(report: DeployReport): string[] {
  if (report.ok || !report.failedPhase) return []
  return [`**Failed in:** ${md(PHASE_NAMES[report.failedPhase] ?? report.failedPhase)}`, '']
}

/** A failure of several lines (a build's last lines) keeps its first in the headline; the rest, fenced. */
function restOfMessage(report: DeployReport): string[] {
  if (report.outcome) return []
  const rest = splitLines(report.headline.trim()).slice(1)
  if (rest.length === 0) return []
  return [fence(rest.slice(-LIMITS.logLines).map(l => clip(l, LIMITS.logLineChars))), '']
}

function renderRollback(report: DeployReport): string[] {
  const r = report.rollback
  if (!r) return []
  const words = ROLLBACK_WORDS[r.status]
  // "Rolled back to web:7: …" needs no "**Rolled back.**" before it.
  const said = r.message.toLowerCase().startsWith(words.toLowerCase())
  return ['### Rollback', '', `${said ? '' : `**${words}.** `}${md(clip(r.message, 1000))}`, '']
}

function renderNotes(report: DeployReport): string[] {
  // The watch's own notes (e.g. stopped tasks that could not be read) count too, once each.
  const notes = [...new Set([...report.notes, ...(report.outcome?.notes ?? [])])]
  if (notes.length === 0) return []
  const shown = notes.slice(0, LIMITS.notes).map(n => `- ${md(clip(n, LIMITS.noteChars))}`)
  if (notes.length > LIMITS.notes) shown.push(`- …and ${notes.length - LIMITS.notes} more, see the log`)
  return ['### Notes', '', ...shown, '']
}

/** The job summary as Markdown (pure; writeSummary writes it). */
export function renderSummary(report: DeployReport, context: RunContext = {}): string {
  const why = renderWhy(report.causes, report.ok)
  const out = [
    `## ${summaryHeadline(report, context)}`,
    '',
    ...failedIn(report),
    ...restOfMessage(report),
    ...(report.ok ? [] : why),
    ...renderWhatChanged(report, context),
    ...(report.ok ? why : []),
    ...renderRollback(report),
    ...renderCharts(report.metrics),
    ...renderStrategy(report),
    ...renderAfterWatch(report),
    ...renderScaling(report),
    ...renderPicture(report),
    ...renderTimeline(report),
    ...renderNotes(report),
    ...renderDetails(report)
  ]
  return fitSummary(out.join('\n'))
}

/** Writes the job summary; a failure to write it only warns. */
export async function writeSummary(
  report: DeployReport,
  context: RunContext = readRunContext()
): Promise<void> {
  try {
    await core.summary.addRaw(renderSummary(report, context), true).write()
  } catch (error) {
    try {
      core.summary.emptyBuffer()
    } catch {
      // Nothing more to do: the summary is a courtesy.
    }
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  }
}

/**
 * A picture of the deploy: a Mermaid `gantt` of the phases as they ran (from `report.timings`), the
 * failed phase marked `crit`, and a plain table beside it for any renderer that does not draw Mermaid.
 * Mermaid reads `:`, `;` and `#` in a task name as syntax, so names keep only safe characters; no `title`
 * line (mermaid's parser sanitises titles through DOMPurify, which needs a DOM; the section's heading says it). Pure.
 */
import { duration, md, table } from './format.js'
import type { DeployReport } from './types.js'

/** A name Mermaid reads as text. */
function ganttName(name: string): string {
  return (
    name
      .replace(/[^\p{L}\p{N} ._()/-]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim() || 'phase'
  )
}

/** The failed phase: the one the error was stamped with, else the last when the run is red. */
function failedIndex(report: DeployReport): number {
  const timings = report.timings ?? []
  if (report.ok) return -1
  const byId = timings.findIndex(t => t.id !== undefined && t.id === report.failedPhase)
  return byId >= 0 ? byId : report.failedPhase || report.outcome ? timings.length - 1 : -1
}

/** The gantt source (without the fence), or undefined with no timings. */
export function ganttChart(report: DeployReport): string | undefined {
  const timings = report.timings ?? []
  if (timings.length === 0) return undefined
  const failed = failedIndex(report)
  const lines = ['gantt', '  dateFormat x', '  axisFormat %M:%S', '  section Deploy']
  let at = 0
  timings.forEach((t, i) => {
    // Mermaid draws a zero-length bar as nothing: at least 1 ms.
    const ms = Math.max(1, Math.round(t.ms))
    const tag = i === failed ? 'crit, ' : i < failed || failed < 0 ? 'done, ' : ''
    lines.push(`  ${ganttName(t.phase)} (${ganttName(duration(t.ms))}) :${tag}p${i}, ${at}, ${at + ms}`)
    at += ms
  })
  if (report.rollback?.status === 'completed' || report.rollback?.status === 'started') {
    lines.push(`  Rolled back :milestone, m0, ${at}, ${at}`)
  }
  return lines.join('\n')
}

/** The section: the chart, then the same facts as a table. */
export function renderPicture(report: DeployReport): string[] {
  const chart = ganttChart(report)
  if (!chart) return []
  const failed = failedIndex(report)
  const rows = (report.timings ?? []).map((t, i) => [
    md(t.phase),
    duration(t.ms),
    i === failed ? '❌ failed' : i < failed || failed < 0 ? '✅' : ''
  ])
  return ['### Phases', '', '```mermaid', chart, '```', '', table(['Phase', 'Time', 'Result'], rows), '']
}

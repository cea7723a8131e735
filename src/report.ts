/**
 * What the user sees: error annotations (within GitHub's ~10 per step), the job summary, the step's
 * outputs and the causes in the log.
 */
import * as core from '@actions/core'
import type { Cause } from './diagnose/causes.js'
import { errorMessage } from './errors.js'
import { inert, splitLines } from './untrusted.js'
import { shortTaskDefinition, type WatchOutcome } from './watch/loop.js'

export interface DeployReport {
  ok: boolean
  headline: string
  image?: string
  imageDigest?: string
  imageTags?: string[]
  taskDefinitionArn?: string
  previousTaskDefinitionArn?: string
  deploymentId?: string
  /** Native strategies: the service deployment watched, and the hook a step returned at (on-pause: return). */
  serviceDeploymentArn?: string
  hookId?: string
  /** The service's deployment strategy, and the alarms ECS watches during its deployments. */
  strategy?: string
  alarms?: string[]
  consoleUrl?: string
  cluster?: string
  service?: string
  outcome?: WatchOutcome
  causes: Cause[]
  rollback?: {
    /** started: asked for but not waited for (the run was cancelled). */
    status: 'completed' | 'started' | 'failed' | 'skipped' | 'ecs'
    message: string
    taskDefinitionArn?: string
  }
  notes: string[]
  /** The phase a failed run stopped in (stamped on the error by main.ts's phase()). */
  failedPhase?: string
  timings?: Array<{ phase: string; ms: number }>
}

/** Error annotations this module emits at most by default: GitHub shows ~10 per step, one is left for the step's own failure. */
export const DEFAULT_ANNOTATION_LIMIT = 9
const IDS_SHOWN = 5

export function consoleUrl(region: string, cluster: string, service: string): string {
  const r = encodeURIComponent(region)
  return `https://${r}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${r}`
}

function idList(ids: string[]): string {
  const shown = ids.slice(0, IDS_SHOWN).join(', ')
  return ids.length > IDS_SHOWN ? `${shown}, …` : shown
}

/** "3 tasks (a, b, c)" / "task a" / "4 events" / "" — who had this cause. */
function occurrences(cause: Cause): string {
  if (cause.taskIds.length > 1) return `${cause.count} tasks (${idList(cause.taskIds)})`
  if (cause.taskIds.length === 1)
    return cause.count > 1 ? `${cause.count} tasks (${cause.taskIds[0]})` : `task ${cause.taskIds[0]}`
  return cause.count > 1 ? `${cause.count} times` : ''
}

/** The annotation message: the detail, prefixed with who had it. Log lines stay out of annotations. */
function annotationMessage(cause: Cause): string {
  const who = occurrences(cause)
  return who ? `${who}: ${cause.detail}` : cause.detail
}

/**
 * One error annotation per cause (title = the cause, message = its detail), at most `limit` in all:
 * beyond that, `limit - 1` causes and one "and N more causes, see the job summary".
 */
export function annotateCauses(causes: Cause[], limit = DEFAULT_ANNOTATION_LIMIT): void {
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

/**
 * The causes in the log, each with the log tail of its first task underneath. Causes carry ECS's and
 * the container's own text: every line goes through the gate, and each line of a log tail (also one a
 * lone `\r` starts) gets the `    | ` prefix.
 */
export function printCauses(causes: Cause[]): void {
  for (const cause of causes) {
    const who = occurrences(cause)
    core.info(inert(`✖ ${cause.title}${who ? ` — ${who}` : ''}`))
    if (cause.detail && cause.detail !== cause.title) core.info(inert(`    ${cause.detail}`))
    if (cause.logLines && cause.logLines.length > 0) {
      core.info(inert(`    Last ${cause.logLines.length} log lines of ${logSource(cause)}:`))
      for (const line of cause.logLines.flatMap(splitLines)) core.info(inert(`    | ${line}`))
    }
  }
}

function logSource(cause: Cause): string {
  const task = cause.taskIds[0] ? ` (task ${cause.taskIds[0]})` : ''
  return `${cause.container ?? 'the container'}${task}, ${cause.logGroup}/${cause.logStream}`
}

export function setOutputs(report: DeployReport): void {
  const outputs: Array<[string, string | undefined]> = [
    ['image', report.image],
    ['image-digest', report.imageDigest],
    ['image-tags', report.imageTags && report.imageTags.length > 0 ? report.imageTags.join(',') : undefined],
    ['task-definition-arn', report.taskDefinitionArn],
    ['deployment-id', report.deploymentId],
    ['service-deployment-arn', report.serviceDeploymentArn],
    ['hook-id', report.hookId],
    ['console-url', report.consoleUrl]
  ]
  for (const [name, value] of outputs) if (value) core.setOutput(name, value)
}

/**
 * Escapes text for Markdown (and the HTML GitHub allows in it): no tag, entity, emphasis, link or image
 * (`![x](…)` keeps its brackets escaped), and line endings (a lone `\r` too) become spaces, so outside
 * text can neither leave a table row nor start a block.
 */
function md(text: string): string {
  return text
    .replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~])/g, '\\$1')
}

/** A code span for a table cell: one line, and `|` escaped (GFM splits cells on it even in code). */
function code(text: string): string {
  if (text.includes('`')) return md(text)
  return `\`${text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ').replace(/\|/g, '\\|')}\``
}

/** A link target that cannot end the link early or start markup: only URL characters, `()` encoded. */
function href(url: string): string {
  return url.replace(/[\s()[\]<>`'"\\|]/gu, c => {
    const encoded = encodeURIComponent(c)
    return encoded !== c ? encoded : `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  })
}

function fence(lines: string[]): string {
  const longest = Math.max(
    0,
    ...lines.map(l => Math.max(0, ...(l.match(/`+/g) ?? []).map(run => run.length)))
  )
  const marks = '`'.repeat(Math.max(3, longest + 1))
  return `${marks}text\n${lines.join('\n')}\n${marks}`
}

function time(date: Date | undefined): string {
  return date ? date.toISOString().slice(11, 19) : ''
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}

const ROLLBACK_WORDS: Record<NonNullable<DeployReport['rollback']>['status'], string> = {
  completed: 'Rolled back',
  started: 'Rollback started',
  failed: 'Rollback failed',
  skipped: 'Not rolled back',
  ecs: 'Rolled back by ECS'
}

const FAILED_WORDS: Record<WatchOutcome['status'], string> = {
  completed: 'completed',
  failed: 'the deployment failed',
  'rolled-back': 'the deployment was rolled back',
  'too-many-failed-tasks': 'tasks kept failing',
  timeout: 'the deployment timed out',
  cancelled: 'the run was cancelled',
  paused: 'the deployment is paused'
}

/** At most `n` characters, cut at a word with `…`. */
function clip(text: string, n: number): string {
  const one = text.replace(/\s+/g, ' ').trim()
  if (one.length <= n) return one
  const cut = one.slice(0, n - 1)
  const space = cut.lastIndexOf(' ')
  return `${space > n / 2 ? cut.slice(0, space) : cut}…`
}

/**
 * The summary's one-line headline (Markdown). A failed deployment reads "service: cause — rollback"
 * (e.g. "❌ web: container exited with code 3 — rolled back to web:7"); the ids and counts are in the
 * paragraph under it and the rollback's own words in its section, so nothing is said twice. Other
 * runs keep the first line of their headline (the rest of it follows the headline, fenced).
 */
export function summaryHeadline(report: DeployReport): string {
  if (report.ok || !report.outcome)
    return `${report.ok ? '✅' : '❌'} ${md(splitLines(report.headline.trim())[0] ?? '')}`
  const cause = clip(report.causes[0]?.title ?? FAILED_WORDS[report.outcome.status], 64)
  const service = report.service ?? ''
  const what = !service || cause.startsWith(`${service}:`) ? cause : `${service}: ${cause}`
  const r = report.rollback
  let rollback = ''
  if (r) {
    const words = ROLLBACK_WORDS[r.status]
    const to = r.status === 'failed' || r.status === 'skipped' ? undefined : r.taskDefinitionArn
    rollback = ` — ${words[0].toLowerCase()}${words.slice(1)}${to ? ` to ${shortTaskDefinition(to)}` : ''}`
  }
  return `❌ ${md(what)}${md(rollback)}`
}

/** The phases as the log's groups name them. */
const PHASE_NAMES: Record<string, string> = {
  inputs: 'Inputs',
  plan: 'Plan',
  image: 'Image',
  register: 'Register task definition',
  update: 'Update service',
  watch: 'Wait for the deployment',
  report: 'Report'
}

/** The job summary as Markdown (pure; writeSummary writes it). */
export function renderSummary(report: DeployReport): string {
  const out: string[] = []
  out.push(`## ${summaryHeadline(report)}`, '')
  // The deployment's own words (ids, counts) once, under a headline that does not repeat them.
  if (report.outcome?.message && report.outcome.message !== report.headline)
    out.push(md(report.outcome.message), '')
  // A message of several lines (a build's last lines) keeps only its first in the headline; the rest
  // follows once, as it was.
  const rest = report.outcome ? [] : splitLines(report.headline.trim()).slice(1)
  if (rest.length > 0) out.push(fence(rest), '')

  const rows: Array<[string, string]> = []
  if (!report.ok && report.failedPhase)
    rows.push(['Failed in', md(PHASE_NAMES[report.failedPhase] ?? report.failedPhase)])
  if (report.cluster || report.service) {
    rows.push(['Service', `${code(report.service ?? '')} in cluster ${code(report.cluster ?? 'default')}`])
  }
  if (report.image) rows.push(['Image', code(report.image)])
  if (report.imageDigest) rows.push(['Image digest', code(report.imageDigest)])
  if (report.imageTags && report.imageTags.length > 0)
    rows.push(['Image tags', report.imageTags.map(code).join(', ')])
  if (report.taskDefinitionArn) {
    rows.push([
      'Task definition',
      `${code(shortTaskDefinition(report.taskDefinitionArn))} (${code(report.taskDefinitionArn)})`
    ])
  }
  if (report.previousTaskDefinitionArn) {
    rows.push(['Previous task definition', code(shortTaskDefinition(report.previousTaskDefinitionArn))])
  }
  if (report.deploymentId) rows.push(['Deployment', code(report.deploymentId)])
  if (report.strategy && report.strategy !== 'ROLLING') rows.push(['Strategy', md(report.strategy)])
  if (report.serviceDeploymentArn) rows.push(['Service deployment', code(report.serviceDeploymentArn)])
  if (report.alarms && report.alarms.length > 0) {
    const triggered = new Set(report.outcome?.serviceDeployment?.alarms?.triggeredAlarmNames ?? [])
    rows.push([
      'Alarms',
      report.alarms.map(a => `${code(a)}${triggered.has(a) ? ' (in ALARM)' : ''}`).join(', ')
    ])
  }
  if (report.consoleUrl)
    rows.push(['Console', `[Open the deployment in the ECS console](${href(report.consoleUrl)})`])
  if (rows.length > 0) {
    out.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '')
  }

  if (report.causes.length > 0) {
    out.push(`### ${report.ok ? 'Problems seen' : 'Why it failed'}`, '')
    for (const cause of report.causes) {
      const who = occurrences(cause)
      out.push(`#### ${md(cause.title)}`, '')
      out.push(`${who ? `**${md(who)}**: ` : ''}${md(cause.detail)}`, '')
      if (cause.logLines && cause.logLines.length > 0) {
        out.push(`Last ${cause.logLines.length} log lines of ${md(logSource(cause))}:`, '')
        out.push(fence(cause.logLines), '')
      }
    }
  }

  if (report.rollback) {
    const r = report.rollback
    out.push('### Rollback', '', `**${ROLLBACK_WORDS[r.status]}.** ${md(r.message)}`, '')
  }

  const events = report.outcome?.events ?? []
  if (events.length > 0) {
    out.push('### Timeline', '', '| Time (UTC) | Event |', '|---|---|')
    for (const e of events) out.push(`| ${time(e.createdAt)} | ${md(e.message ?? '')} |`)
    out.push('')
  }

  // The watch's own notes (e.g. stopped tasks that could not be read) count too, once each.
  const notes = [...new Set([...report.notes, ...(report.outcome?.notes ?? [])])]
  if (notes.length > 0) {
    out.push('### Notes', '', ...notes.map(n => `- ${md(n)}`), '')
  }

  const stages = report.outcome?.stages ?? []
  if (stages.length > 0) {
    out.push('### Stages', '', '| Stage | Time |', '|---|---|')
    for (const t of stages) out.push(`| ${md(t.stage)} | ${seconds(t.ms)} |`)
    out.push('')
  }

  if (report.timings && report.timings.length > 0) {
    out.push('### Timings', '', '| Phase | Time |', '|---|---|')
    for (const t of report.timings) out.push(`| ${md(t.phase)} | ${seconds(t.ms)} |`)
    out.push('')
  }
  return out.join('\n')
}

/** Writes the job summary; a failure to write it only warns. */
export async function writeSummary(report: DeployReport): Promise<void> {
  try {
    await core.summary.addRaw(renderSummary(report), true).write()
  } catch (error) {
    try {
      core.summary.emptyBuffer()
    } catch {
      // Nothing more to do: the summary is a courtesy.
    }
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  }
}

/**
 * The summary's one-line headline, read in one glance (≤ 90 characters): outcome, service, what runs
 * now, and the cause when red. "✅ web → shop-web:2 (a1b2c3d) in 8 s" / "❌ web: container `web` exited
 * with code 3 — rolled back to shop-web:2". Ids and ARNs stay in the details. Pure.
 */
import { arnTail } from '../arn.js'
import type { Cause } from '../diagnose/causes.js'
import type { WatchOutcome } from '../watch/loop.js'
import { clip, code, duration, md, shortSha } from './format.js'
import type { DeployReport, RunContext } from './types.js'
import { splitLines } from '../untrusted.js'

export const HEADLINE_MAX = 90

export const ROLLBACK_WORDS: Record<NonNullable<DeployReport['rollback']>['status'], string> = {
  completed: 'Rolled back',
  started: 'Rollback started',
  failed: 'Rollback failed',
  skipped: 'Not rolled back',
  ecs: 'Rolled back by ECS'
}

export const FAILED_WORDS: Record<WatchOutcome['status'], string> = {
  completed: 'completed',
  failed: 'the deployment failed',
  'rolled-back': 'the deployment was rolled back',
  'too-many-failed-tasks': 'tasks kept failing',
  timeout: 'the deployment timed out',
  cancelled: 'the run was cancelled',
  paused: 'the deployment is paused'
}

/** How long the run took: the sum of its phases. */
export function totalMs(report: DeployReport): number | undefined {
  const t = report.timings ?? []
  return t.length > 0 ? t.reduce((sum, p) => sum + p.ms, 0) : undefined
}

/**
 * A cause as Markdown in at most about `max` visible characters: "container `web` exited with code 3"
 * for diagnose's "web: container exited with code 3", the title itself otherwise.
 */
export function causeText(cause: Cause, max: number): string {
  // "CannotPullContainerError: pull image manifest has been retried 5 time(s): <ref>: not found"
  const pull = /^CannotPullContainerError\b.*?(\S+\/\S+?):\s*([^:]+)$/.exec(cause.title)
  if (pull && !pull[1].includes('`')) {
    const ref = pull[1].replace(/^[^/]*\.[^/]*\//, '')
    return `cannot pull ${code(clip(ref, 40))}: ${md(clip(pull[2], Math.max(8, max - 16 - Math.min(ref.length, 40))))}`
  }
  const container = cause.container
  const prefix = container ? `${container}: container ` : undefined
  if (container && prefix && cause.title.startsWith(prefix) && !container.includes('`')) {
    const rest = cause.title.slice(prefix.length)
    return `container ${code(clip(container, 24))} ${md(clip(rest, Math.max(8, max - 12 - Math.min(container.length, 24))))}`
  }
  return md(clip(cause.title, max))
}

/** "rolled back to shop-web:2", "rollback failed", … (plain text). */
export function rollbackWords(rollback: DeployReport['rollback']): string {
  if (!rollback) return ''
  const words = ROLLBACK_WORDS[rollback.status]
  const to =
    rollback.status === 'failed' || rollback.status === 'skipped' ? undefined : rollback.taskDefinitionArn
  return `${words[0].toLowerCase()}${words.slice(1)}${to ? ` to ${arnTail(to)}` : ''}`
}

/** Markdown visible length, roughly: escapes and code marks do not show. */
function visible(markdown: string): number {
  return markdown
    .replace(/\\(.)/g, '$1')
    .replace(/`/g, '')
    .replace(/&(amp|lt|gt);/g, '_').length
}

function fit(build: (budget: number) => string, budget: number): string {
  for (let b = budget; b > 4; b--) {
    const text = build(b)
    if (text.length <= HEADLINE_MAX) return text
  }
  return build(4).slice(0, HEADLINE_MAX)
}

function greenHeadline(report: DeployReport, context: RunContext): string {
  const revision = report.taskDefinitionArn ? arnTail(report.taskDefinitionArn) : undefined
  const sha = shortSha(context.sha)
  const total = totalMs(report)
  const what = `${revision ?? ''}${sha ? ` (${sha})` : ''}`
  if (!revision) return fit(b => `✅ ${md(clip(splitLines(report.headline.trim())[0] ?? '', b))}`, 86)
  if (!report.service) {
    return fit(
      b => `✅ Registered ${md(clip(what, b))}${total !== undefined ? ` in ${duration(total)}` : ''}`,
      60
    )
  }
  const tail = report.outcome
    ? total !== undefined
      ? ` in ${duration(total)}`
      : ''
    : ' started (not waited for)'
  return fit(b => `✅ ${md(clip(report.service ?? '', 30))} → ${md(clip(what, b))}${tail}`, 50)
}

/** The headline as Markdown (without the `##`). */
export function summaryHeadline(report: DeployReport, context: RunContext = {}): string {
  if (report.ok) return greenHeadline(report, context)
  if (!report.outcome) return fit(b => `❌ ${md(clip(splitLines(report.headline.trim())[0] ?? '', b))}`, 86)
  const service = clip(report.service ?? '', 30)
  const rollback = rollbackWords(report.rollback)
  const tail = rollback ? ` — ${md(rollback)}` : ''
  const cause = report.causes[0]
  return fit(
    budget => {
      const what = cause ? causeText(cause, budget) : md(FAILED_WORDS[report.outcome!.status])
      const plain = cause?.title ?? ''
      const own = !/^(container|cannot pull) /.test(what) && plain.startsWith(`${service}:`)
      const named = !service || own ? what : `${md(service)}: ${what}`
      return `❌ ${named}${tail}`
    },
    HEADLINE_MAX - 4 - visible(tail) - service.length
  )
}

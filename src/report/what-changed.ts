/**
 * What changed: the commit (short SHA linked to it, its subject line, the actor, the event), the image
 * before → after and the task-definition revision before → after. (The task-definition diff against the
 * running revision joins here once the dry run computes it.) Pure.
 */
import { arnTail } from '../arn.js'
import { clip, code, href, md, shortSha, table } from './format.js'
import type { DeployReport, RunContext } from './types.js'

/** "Commit [`a1b2c3d`](…/commit/a1b2c3d…) Fix the loader — by @alice, push". */
export function commitLine(context: RunContext): string | undefined {
  const sha = shortSha(context.sha)
  if (!sha) return undefined
  const full = (context.sha as string).toLowerCase()
  const link = context.repositoryUrl
    ? `[\`${sha}\`](${href(`${context.repositoryUrl}/commit/${full}`)})`
    : `\`${sha}\``
  const subject = context.subject ? ` ${md(clip(context.subject, 100))}` : ''
  const by = [
    context.actor ? `by ${md(`@${clip(context.actor, 60)}`)}` : '',
    context.event ? md(clip(context.event, 40)) : ''
  ]
    .filter(Boolean)
    .join(', ')
  return `Commit ${link}${subject}${by ? ` — ${by}` : ''}`
}

/** The part of an image reference after the repository: the tag, or the digest shortened. */
function sameRepository(a: string, b: string): boolean {
  const repo = (ref: string) => ref.replace(/@[^@]*$/, '').replace(/:[^/:]*$/, '')
  return repo(a) === repo(b)
}

export function renderWhatChanged(report: DeployReport, context: RunContext): string[] {
  const rows: string[][] = []
  if (report.image) {
    const before = report.previousImage
    rows.push([
      'Image',
      before ? code(clip(before, 300)) : '—',
      before && before === report.image ? 'unchanged' : code(clip(report.image, 300))
    ])
  }
  if (report.taskDefinitionArn) {
    rows.push([
      'Task definition',
      report.previousTaskDefinitionArn ? code(arnTail(report.previousTaskDefinitionArn)) : '—',
      code(arnTail(report.taskDefinitionArn))
    ])
  }
  const commit = commitLine(context)
  if (!commit && rows.length === 0) return []
  const out = ['### What changed', '']
  if (commit) out.push(commit, '')
  if (rows.length > 0) out.push(table(['What', 'Before', 'After'], rows), '')
  if (report.image && report.previousImage && !sameRepository(report.image, report.previousImage))
    out.push('The image comes from another repository than before.', '')
  return out
}

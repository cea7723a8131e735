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

/** An image reference split: the repository without its registry host, and the tag or digest. */
export function imageParts(ref: string): { repository: string; version?: string } {
  const at = ref.lastIndexOf('@')
  const slash = ref.lastIndexOf('/')
  const colon = ref.lastIndexOf(':')
  const [repo, version] =
    at > 0
      ? [ref.slice(0, at), ref.slice(at + 1)]
      : colon > slash
        ? [ref.slice(0, colon), ref.slice(colon + 1)]
        : [ref, undefined]
  const parts = repo.split('/')
  const host = parts.length > 1 && /[.:]|^localhost$/.test(parts[0])
  return { repository: (host ? parts.slice(1) : parts).join('/'), version }
}

/** A digest shortened to 12 hex digits (the full one is in the details), a tag as it is. */
function shortVersion(version: string | undefined): string {
  if (!version) return 'latest'
  return /^sha256:[0-9a-f]{12,}$/.test(version) ? `${version.slice(0, 19)}…` : version
}

function imageRow(before: string | undefined, after: string): string[] {
  const b = before ? imageParts(before) : undefined
  const a = imageParts(after)
  if (b && b.repository !== a.repository) {
    const full = (p: typeof a) => {
      const sep = p.version?.startsWith('sha256:') ? '@' : ':'
      return code(clip(`${p.repository}${sep}${shortVersion(p.version)}`, 120))
    }
    return ['Image', full(b), full(a)]
  }
  return [
    `Image ${code(clip(a.repository, 80))}`,
    b ? code(clip(shortVersion(b.version), 80)) : '—',
    before === after ? 'unchanged' : code(clip(shortVersion(a.version), 80))
  ]
}

export function renderWhatChanged(report: DeployReport, context: RunContext): string[] {
  const rows: string[][] = []
  if (report.image) rows.push(imageRow(report.previousImage, report.image))
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
  return out
}

/**
 * A readable timeline: ECS's service events rewritten short ("started 2 tasks: `0a1b2c3d`, …",
 * "steady state"), task ids shortened, the rollback's events included, and our own steps interleaved
 * ("deploying shop-web:3", "rollback started to shop-web:2"). Pure.
 */
import type { ServiceEvent } from '@aws-sdk/client-ecs'
import { arnTail, shortTaskId } from '../arn.js'
import { clip, clock, md, table } from './format.js'
import { LIMITS } from './limits.js'
import type { DeployReport } from './types.js'

export interface TimelineRow {
  at?: Date
  /** ecs: a service event; ours: a step of ecs-deploy. */
  who: 'ecs' | 'ours'
  /** Markdown. */
  text: string
}

/** Markdown for the summary; plain for the log (the log's printer makes it inert). */
export type TextStyle = 'md' | 'plain'

/** Task ids in an event, short (code spans in Markdown). */
function tasks(list: string, style: TextStyle): string {
  const ids = [...list.matchAll(/\(task ([^)\s]+)\)/g)].map(m => {
    const id = shortTaskId(m[1]).replace(/[^\w.-]/g, '')
    return style === 'md' ? `\`${id}\`` : id
  })
  if (ids.length === 0) return ''
  const shown = ids.slice(0, 5).join(', ')
  return `: ${shown}${ids.length > 5 ? `, … (${ids.length})` : ''}`
}

function plural(n: string, word: string): string {
  return `${n} ${word}${n === '1' ? '' : 's'}`
}

/**
 * One ECS event, short: the "(service web)" and "(deployment …)" prefixes go (the summary is about one
 * service), "1 tasks" reads "1 task", task ids are shortened. Text not recognised stays, escaped.
 */
export function shortEvent(message: string, style: TextStyle = 'md'): string {
  const esc = style === 'md' ? md : (t: string) => t
  const text = clip(message, LIMITS.eventChars * 2)
    .replace(/^\(service [^)]*\)\s*/, '')
    .replace(/^\(deployment [^)]*\)\s*/, '')
    .replace(/\.$/, '')
  let m: RegExpExecArray | null
  if (/^has reached a steady state$/.test(text)) return 'steady state'
  if ((m = /^has started (\d+) tasks?:?\s*(.*)$/.exec(text)))
    return `started ${plural(m[1], 'task')}${tasks(m[2], style)}`
  if ((m = /^has stopped (\d+) running tasks?:?\s*(.*)$/.exec(text)))
    return `stopped ${plural(m[1], 'task')}${tasks(m[2], style)}`
  if ((m = /^has begun draining connections on (\d+) tasks?/.exec(text)))
    return `draining connections on ${plural(m[1], 'task')}`
  if ((m = /^deregistered (\d+) targets? in/.exec(text))) return `deregistered ${plural(m[1], 'target')}`
  if ((m = /^registered (\d+) targets? in/.exec(text))) return `registered ${plural(m[1], 'target')}`
  if ((m = /^rolling back to deployment (\S+)$/.exec(text))) return `rolling back to ${esc(m[1])}`
  if (/^deployment completed$/.test(text)) return 'deployment completed'
  if ((m = /^deployment failed:?\s*(.*)$/.exec(text)))
    return `deployment failed${m[1] ? `: ${esc(clip(m[1], LIMITS.eventChars))}` : ''}`
  const rest = text
    .replace(/^has /, '')
    .replace(/\(task ([^)\s]+)\)/g, (_, id: string) => `(task ${shortTaskId(id)})`)
  return esc(clip(rest, LIMITS.eventChars))
}

/** A service event as the log prints it, the way the summary's timeline tells it: "12:00:03 started 2 tasks: 0a1b2c3d, 9f8e7d6c". */
export function logEvent(event: ServiceEvent): string {
  return `${clock(event.createdAt)} ${shortEvent(event.message ?? '', 'plain')}`
}

function eventRows(events: ServiceEvent[], label = ''): TimelineRow[] {
  return events.map(e => ({
    at: e.createdAt,
    who: 'ecs' as const,
    text: `${label}${shortEvent(e.message ?? '')}`
  }))
}

/** Every row, in time order (rows without a time keep their place at the end of their source). */
export function timelineRows(report: DeployReport): TimelineRow[] {
  const rows: TimelineRow[] = []
  if (report.updatedAt && report.taskDefinitionArn) {
    rows.push({
      at: report.updatedAt,
      who: 'ours',
      text: `deploying ${md(arnTail(report.taskDefinitionArn))}`
    })
  }
  rows.push(...eventRows(report.outcome?.events ?? []))
  const r = report.rollback
  if (r?.startedAt && (r.status === 'completed' || r.status === 'started' || r.status === 'failed')) {
    rows.push({
      at: r.startedAt,
      who: 'ours',
      text: `rollback started${r.taskDefinitionArn ? ` to ${md(arnTail(r.taskDefinitionArn))}` : ''}`
    })
  }
  rows.push(...eventRows(r?.events ?? []))
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => {
      const ta = a.row.at?.getTime()
      const tb = b.row.at?.getTime()
      return ta === undefined || tb === undefined || ta === tb ? a.i - b.i : ta - tb
    })
    .map(x => x.row)
}

/** The section: a table of time, who, what; the oldest rows beyond the limit are summarised in one. */
export function renderTimeline(report: DeployReport): string[] {
  const rows = timelineRows(report)
  if (rows.length === 0 || !rows.some(r => r.who === 'ecs')) return []
  const shown = rows.slice(-LIMITS.events)
  const cells = shown.map(r => [clock(r.at), r.who === 'ours' ? '▶ ecs-deploy' : 'ECS', r.text])
  if (rows.length > shown.length)
    cells.unshift(['', '', `… ${rows.length - shown.length} earlier rows not shown`])
  return ['### Timeline', '', table(['Time (UTC)', 'Who', 'What'], cells), '']
}

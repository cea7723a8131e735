/** How the wait writes durations, deployments and revisions in its messages. Pure. */
import type { Deployment } from '@aws-sdk/client-ecs'
import { arnTail } from '../arn.js'

const MINUTE_MS = 60_000

/** "1 minute", "1.5 minutes", "24 seconds". */
export function formatDuration(ms: number): string {
  if (ms >= MINUTE_MS && ms % MINUTE_MS === 0) {
    const m = ms / MINUTE_MS
    return `${m} minute${m === 1 ? '' : 's'}`
  }
  if (ms >= MINUTE_MS) return `${(ms / MINUTE_MS).toFixed(1)} minutes`
  const s = Math.round(ms / 1000)
  return `${s} second${s === 1 ? '' : 's'}`
}

/** "1/2 tasks running, 1 pending, 3 failed". */
export function counts(d: Deployment | undefined): string {
  if (!d) return 'deployment not seen'
  const parts = [`${d.runningCount ?? 0}/${d.desiredCount ?? 0} tasks running`]
  if (d.pendingCount) parts.push(`${d.pendingCount} pending`)
  if (d.failedTasks) parts.push(`${d.failedTasks} failed`)
  return parts.join(', ')
}

/** `family:revision` of a task-definition ARN (or the input unchanged). */
export function shortTaskDefinition(arn: string | undefined): string {
  return arn ? arnTail(arn) : 'unknown task definition'
}

/** Service events → the ones that explain a deployment's fate, titled as a person reads them. Pure. */
import type { ServiceEvent } from '@aws-sdk/client-ecs'
import type { Finding } from './tasks.js'
import { EVENT_TITLE_MAX, trimText } from './text.js'

const EVENT_CAUSES = [
  /unable to place a task/i,
  /deployment failed/i,
  /rolling back/i,
  /unable to consistently start tasks/i
]

const ADDS_A_CAUSE = /unable to place a task/i

/** "(service web) (deployment ecs-svc/1) deployment failed: …" → "Deployment failed: …". */
export function eventTitle(message: string): string {
  let text = message.trim()
  for (;;) {
    const stripped = text.replace(/^\((service|deployment|task-set|task)\s[^)]*\)\s*/i, '')
    if (stripped === text) break
    text = stripped
  }
  text = text.replace(/\s*For more information, see the Troubleshooting section[^.]*\.?\s*$/i, '')
  if (/^(was|is|has)\s/.test(text)) text = `Service ${text}`
  else text = text.charAt(0).toUpperCase() + text.slice(1)
  return trimText(text.replace(/\.$/, ''), EVENT_TITLE_MAX)
}

/** The events that name a cause ("unable to place a task", "deployment failed", …), as findings. */
export function eventFindings(events: readonly ServiceEvent[]): Finding[] {
  return events
    .map(e => e.message ?? '')
    .filter(message => EVENT_CAUSES.some(re => re.test(message)))
    .map(message => ({ title: eventTitle(message), detail: message.trim() }))
}

/** An event cause that adds to what the stopped tasks say (the others restate the verdict). */
export function addsACause(detail: string): boolean {
  return ADDS_A_CAUSE.test(detail)
}

/**
 * The edge that reads the workflow run: the commit, its subject line, the actor and the event, from
 * @actions/github's context (GITHUB_SHA, GITHUB_ACTOR, GITHUB_EVENT_NAME and the event payload). Never
 * from inputs. Outside a runner every field is simply absent.
 */
import * as github from '@actions/github'
import type { RunContext } from './types.js'

interface Payload {
  head_commit?: { id?: unknown; message?: unknown } | null
  pull_request?: { title?: unknown } | null
}

/** The first line of a commit message. */
export function subjectLine(message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined
  const first = message.split(/\r\n|\r|\n/)[0]?.trim()
  return first || undefined
}

/** Pure: the run context from what @actions/github read. */
export function runContextFrom(context: {
  sha?: string
  actor?: string
  eventName?: string
  serverUrl?: string
  repository?: string
  payload?: Payload
}): RunContext {
  const head = context.payload?.head_commit
  const sameCommit = !head || head.id === undefined || head.id === context.sha
  return {
    sha: context.sha || undefined,
    subject: sameCommit ? subjectLine(head?.message) : undefined,
    actor: context.actor || undefined,
    event: context.eventName || undefined,
    repositoryUrl:
      context.serverUrl && context.repository
        ? `${context.serverUrl.replace(/\/+$/, '')}/${context.repository}`
        : undefined
  }
}

/** Reads the run's context; never throws (a summary without it is still a summary). */
export function readRunContext(): RunContext {
  try {
    const c = github.context
    return runContextFrom({
      sha: c.sha,
      actor: c.actor,
      eventName: c.eventName,
      serverUrl: c.serverUrl,
      repository: process.env.GITHUB_REPOSITORY,
      payload: c.payload as Payload
    })
  } catch {
    return {}
  }
}

/**
 * The crashed container's last words: the tail of its awslogs stream, attached to its cause.
 * Reading logs is a courtesy: any failure becomes a one-line note, never an error of its own.
 */
import { GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { Cause } from './diagnose/causes.js'
import { awsErrorName, errorMessage } from './errors.js'

/** A client, or a factory given the container's awslogs-region (undefined: the action's region). */
export type LogsClientSource = CloudWatchLogsClient | ((region: string | undefined) => CloudWatchLogsClient)

/** Longest log line kept; longer ones are cut (a summary is not the place for a 1 MB JSON line). */
const MAX_LINE_LENGTH = 1000

function clientFor(source: LogsClientSource, region: string | undefined): CloudWatchLogsClient {
  return typeof source === 'function' ? source(region) : source
}

function cut(line: string): string {
  return line.length <= MAX_LINE_LENGTH ? line : `${line.slice(0, MAX_LINE_LENGTH - 1)}…`
}

function who(cause: Cause): string {
  return cause.container ?? cause.title
}

function failureNote(cause: Cause, error: unknown): string {
  const name = awsErrorName(error) ?? 'Error'
  const where = `${cause.logGroup}/${cause.logStream}`
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(name)) {
    return `Could not read logs for ${who(cause)} (${name}): ${errorMessage(error)}; grant logs:GetLogEvents to see a crashed container's last lines`
  }
  if (name === 'ResourceNotFoundException') {
    return `Could not read logs for ${who(cause)} (${name}): log stream ${where} not found`
  }
  return `Could not read logs for ${who(cause)} (${name}): ${errorMessage(error)}`
}

/**
 * For each cause with a log stream (its first task's), fetches the last `lines` lines and sets
 * `cause.logLines`. Returns one note per stream that could not be read or was empty.
 */
export async function attachLogTails(logs: LogsClientSource, causes: Cause[], lines = 20): Promise<string[]> {
  const reads = new Map<string, Promise<string[]>>()

  const results = await Promise.all(
    causes.map(async (cause): Promise<string | undefined> => {
      if (!cause.logGroup || !cause.logStream) return
      const key = `${cause.logRegion ?? ''}|${cause.logGroup}|${cause.logStream}`
      let read = reads.get(key)
      if (!read) {
        read = clientFor(logs, cause.logRegion)
          .send(
            new GetLogEventsCommand({
              logGroupName: cause.logGroup,
              logStreamName: cause.logStream,
              limit: lines,
              startFromHead: false
            })
          )
          .then(response =>
            (response.events ?? [])
              .flatMap(e => (e.message ?? '').replace(/\r?\n$/, '').split(/\r?\n/))
              .slice(-lines)
              .map(cut)
          )
        reads.set(key, read)
      }
      try {
        const tail = await read
        if (tail.length === 0) return `No log lines for ${who(cause)} in ${cause.logGroup}/${cause.logStream}`
        cause.logLines = tail
        return undefined
      } catch (error) {
        return failureNote(cause, error)
      }
    })
  )
  // One note per distinct problem, in the order of the causes.
  return [...new Set(results.filter((n): n is string => n !== undefined))]
}

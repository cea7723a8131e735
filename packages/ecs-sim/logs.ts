import { AwsError, Json, num, str, bool } from './util.js'
import type { LogLine, TaskBackend } from './tasks/types.js'

interface Stream {
  taskId: string
  container: string
  createdAt: number
  /** Lines captured so far; refreshed from the backend while the task's containers exist. */
  lines: LogLine[]
  final: boolean
}

/**
 * CloudWatch Logs for containers with an `awslogs` log configuration. Streams are named as ECS names
 * them, `<awslogs-stream-prefix>/<container>/<task id>`, and filled from the container's real output.
 */
export class LogStore {
  private readonly groups = new Map<string, Map<string, Stream>>()
  private readonly backend: TaskBackend

  constructor(backend: TaskBackend) {
    this.backend = backend
  }

  register(group: string, stream: string, taskId: string, container: string, at: number): void {
    let streams = this.groups.get(group)
    if (!streams) this.groups.set(group, (streams = new Map()))
    if (!streams.has(stream))
      streams.set(stream, { taskId, container, createdAt: at, lines: [], final: false })
  }

  /** Called once a task's containers are gone: what the backend captured becomes final. */
  async finish(taskId: string): Promise<void> {
    for (const streams of this.groups.values())
      for (const s of streams.values())
        if (s.taskId === taskId && !s.final) {
          s.lines = (await this.backend.readLogs(s.taskId, s.container)) ?? s.lines
          s.final = true
        }
  }

  clear(): void {
    this.groups.clear()
  }

  async getLogEvents(input: Json): Promise<Json> {
    const group =
      str(input, 'logGroupName') ?? str(input, 'logGroupIdentifier')?.replace(/^arn:.*:log-group:/, '')
    const name = str(input, 'logStreamName')
    if (!group || !name)
      throw new AwsError('InvalidParameterException', 'logGroupName and logStreamName are required.')
    const streams = this.groups.get(group)
    if (!streams) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.')
    const stream = streams.get(name)
    if (!stream) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.')
    if (!stream.final)
      stream.lines = (await this.backend.readLogs(stream.taskId, stream.container)) ?? stream.lines

    const startTime = num(input, 'startTime')
    const endTime = num(input, 'endTime')
    const limit = Math.min(10000, Math.max(1, num(input, 'limit') ?? 10000))
    const fromHead = bool(input, 'startFromHead') ?? false
    const token = str(input, 'nextToken')
    const all = stream.lines.filter(
      l =>
        (startTime === undefined || l.timestamp >= startTime) &&
        (endTime === undefined || l.timestamp < endTime)
    )
    let from: number
    let to: number
    const m = token ? /^([fb])\/(\d+)$/.exec(token) : null
    if (token && !m) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.')
    if (m && m[1] === 'f') {
      from = Math.min(Number(m[2]), all.length)
      to = Math.min(all.length, from + limit)
    } else if (m) {
      to = Math.min(Number(m[2]), all.length)
      from = Math.max(0, to - limit)
    } else if (fromHead) {
      from = 0
      to = Math.min(all.length, limit)
    } else {
      to = all.length
      from = Math.max(0, to - limit)
    }
    return {
      events: all
        .slice(from, to)
        .map(l => ({ timestamp: l.timestamp, message: l.message, ingestionTime: l.timestamp })),
      nextForwardToken: `f/${to}`,
      nextBackwardToken: `b/${from}`
    }
  }
}

/**
 * The stopped tasks of our deployment, read as they stop: ECS forgets a stopped task about an hour after
 * it stops, and a failed deployment's reasons are in its tasks (stopCode, stoppedReason, exit codes).
 * Tasks a deployment starts carry `startedBy = <deployment id>`. Each task is described once it is
 * STOPPED; one still stopping has no exit codes yet and is read again next time.
 */
import {
  DescribeTasksCommand,
  ListTasksCommand,
  type Deployment,
  type ECSClient,
  type Task
} from '@aws-sdk/client-ecs'
import { awsFailure } from '../aws.js'
import type { CallMeter } from './call-meter.js'

/** Read stopped tasks at least this often even when failedTasks did not change. */
export const STOPPED_TASKS_CADENCE_MS = 15_000
/** DescribeTasks takes at most 100 tasks. */
const DESCRIBE_BATCH = 100

export interface StoppedTaskReaderOptions {
  ecs: ECSClient
  cluster: string
  deploymentId: string
  meter: CallMeter
  /** Stopped-task reads may use this many calls in any minute of the meter's window. */
  callsPerMinute: number
  /** Sends one call within the wait's limits (time, cancellation). */
  call: <T>(send: (options: { abortSignal: AbortSignal }) => Promise<T>, what: string) => Promise<T>
  now: () => number
  /** The wait was cancelled: a read that failed because of it is no note. */
  cancelled: () => boolean
  onStoppedTask?: (task: Task) => void
}

export class StoppedTaskReader {
  /** Stopped tasks in the order they were read. */
  readonly tasks: Task[] = []
  /** What went wrong reading them (never fatal), each once. */
  readonly notes: string[] = []
  private readonly seen = new Set<string>()
  private lastReadAt: number
  private lastReadFailed = 0

  constructor(private readonly o: StoppedTaskReaderOptions) {
    // A new deployment starts with no failed tasks; the slow cadence counts from the start.
    this.lastReadAt = o.now()
  }

  /** Reads when our deployment's failedTasks changed, or on the slow cadence, within the call budget. */
  async readIfDue(deployment: Deployment | undefined): Promise<void> {
    if (!deployment) return
    const changed = (deployment.failedTasks ?? 0) !== this.lastReadFailed
    const due = this.o.now() - this.lastReadAt >= STOPPED_TASKS_CADENCE_MS
    if (!changed && !due) return
    // A read is at least ListTasks and DescribeTasks.
    if (this.o.meter.used('tasks') + 2 > this.o.callsPerMinute) return
    await this.read(deployment)
  }

  /** Reads the stopped tasks not read before; never throws (a failure becomes a note). */
  async read(deployment: Deployment | undefined): Promise<void> {
    const { ecs, cluster, deploymentId, meter, call } = this.o
    this.lastReadAt = this.o.now()
    this.lastReadFailed = deployment?.failedTasks ?? 0
    let action: 'ecs:ListTasks' | 'ecs:DescribeTasks' = 'ecs:ListTasks'
    try {
      const arns: string[] = []
      let nextToken: string | undefined
      do {
        meter.record('tasks')
        const page = await call(
          o =>
            ecs.send(
              new ListTasksCommand({ cluster, startedBy: deploymentId, desiredStatus: 'STOPPED', nextToken }),
              o
            ),
          'ListTasks'
        )
        arns.push(...(page.taskArns ?? []))
        nextToken = page.nextToken
      } while (nextToken)
      action = 'ecs:DescribeTasks'
      const fresh = arns.filter(arn => !this.seen.has(arn))
      for (let i = 0; i < fresh.length; i += DESCRIBE_BATCH) {
        const batch = fresh.slice(i, i + DESCRIBE_BATCH)
        meter.record('tasks')
        const described = await call(
          o => ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }), o),
          'DescribeTasks'
        )
        this.take(batch, described.tasks ?? [])
      }
    } catch (error) {
      if (this.o.cancelled()) return
      const failure = awsFailure(action, error)
      const note = `Could not read the stopped tasks of ${deploymentId}: ${failure.message}${failure.hint ? ` (${failure.hint})` : ''}`
      if (!this.notes.includes(note)) this.notes.push(note)
    }
  }

  /** The STOPPED tasks of one DescribeTasks answer, oldest stop first (ListTasks gives no order). */
  private take(arns: string[], described: Task[]): void {
    const byArn = new Map(described.map(t => [t.taskArn, t]))
    const stopped = arns
      .map(arn => byArn.get(arn))
      .filter((t): t is Task => t !== undefined && t.lastStatus === 'STOPPED')
      .sort((a, b) => (a.stoppedAt?.getTime() ?? 0) - (b.stoppedAt?.getTime() ?? 0))
    for (const task of stopped) {
      this.seen.add(task.taskArn!)
      this.tasks.push(task)
      this.o.onStoppedTask?.(task)
    }
  }
}

/**
 * Which container of a stopped task stopped it, and which ECS stopped because the task was stopping; and
 * how to say so. Pure.
 */
import type {
  Container,
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  Task,
  TaskDefinition
} from '@aws-sdk/client-ecs'

/** The registered task definition, or the rendered input: which containers are essential, where logs go. */
export type TaskDefinitionLike = Pick<
  TaskDefinition | RegisterTaskDefinitionCommandInput,
  'containerDefinitions'
>

export function containerDefinition(
  td: TaskDefinitionLike | undefined,
  name: string | undefined
): ContainerDefinition | undefined {
  if (!td || !name) return undefined
  return td.containerDefinitions?.find(c => c.name === name)
}

function isEssential(td: TaskDefinitionLike | undefined, c: Container): boolean {
  const def = containerDefinition(td, c.name)
  return def ? def.essential !== false : true
}

/** One container's exit, as DescribeTasks shows it. */
export interface ContainerExit {
  name: string
  exitCode: number
  reason?: string
}

/**
 * Which of a stopped task's containers stopped it, and which ECS stopped because the task was stopping.
 * `cause` is absent when no container's exit (or health) explains the stop (ELB health checks, a
 * scale-in, a Spot interruption, a task that never started).
 */
export interface Blame {
  cause?: Omit<ContainerExit, 'exitCode'> & {
    /** Absent only for an unhealthy container that ECS had not stopped yet. */
    exitCode?: number
    /** exited: its exit stopped the task; oom: killed for its memory use; unhealthy: failed its health check. */
    why: 'exited' | 'oom' | 'unhealthy'
  }
  /** Stopped by ECS once the task was stopping (SIGTERM, then SIGKILL after the stop timeout). */
  stoppedByEcs: ContainerExit[]
  /** Non-essential containers that exited with their own code: never a cause, their exit stops no task. */
  notEssential: ContainerExit[]
}

/** SIGKILL (128 + 9) and SIGTERM (128 + 15): the codes of a container that ECS stopped. */
export const STOP_SIGNALS: Record<number, string> = { 137: 'SIGKILL', 143: 'SIGTERM' }

const OUT_OF_MEMORY = /OutOfMemory|out of memory|\bOOM/i

function exitOf(c: Container): ContainerExit {
  const exit: ContainerExit = { name: c.name ?? 'container', exitCode: c.exitCode! }
  const reason = c.reason?.trim()
  if (reason) exit.reason = reason
  return exit
}

/**
 * Blames the right container of a stopped task. DescribeTasks gives no container a stop time, so the
 * order of exits is read from the codes: when an essential container exits, ECS stops the others
 * (SIGTERM, SIGKILL after the stop timeout), and they end with 143, 137, or 0 if they shut down on
 * SIGTERM. So among the essential containers that exited, in this order:
 *   1. one killed for its memory use (a 137 with an OutOfMemoryError reason is the cause, not a stop;
 *      when only the task's reason says OutOfMemoryError, an essential 137);
 *   2. one that exited with its own non-zero code (3, 1, 139 …);
 *   3. one that exited with 0 (an essential container that ends stops the task, even with 0);
 *   4. one that ended with 137 or 143 when nothing else did (killed by something other than ECS's stop).
 * The first container of the best rank is the cause; the other essential containers, and the
 * non-essential ones that ended with 137 or 143, were stopped by ECS. Without a task definition every
 * container counts as essential. For "Task failed container health checks" the unhealthy container
 * is the cause; for every other stop ECS stopped all containers.
 */
export function blameContainers(task: Task, td?: TaskDefinitionLike): Blame {
  const reason = (task.stoppedReason ?? '').trim()
  const exited = (task.containers ?? []).filter(c => typeof c.exitCode === 'number')
  const taskOutOfMemory = /^OutOfMemoryError/.test(reason)
  const stoppedByExit =
    task.stopCode === 'EssentialContainerExited' || /^Essential container/i.test(reason) || taskOutOfMemory

  let cause: Blame['cause']
  if (stoppedByExit) {
    const rank = (c: Container): number => {
      const code = c.exitCode!
      if (OUT_OF_MEMORY.test(c.reason ?? '')) return 0
      if (taskOutOfMemory && code === 137) return 1
      if (code !== 0 && !STOP_SIGNALS[code]) return 2
      if (code === 0) return 3
      return 4
    }
    const essential = exited.filter(c => isEssential(td, c))
    // A task definition that does not match (no essential container exited): any container may be it.
    const candidates = essential.length > 0 ? essential : exited
    const best = candidates.reduce<Container | undefined>(
      (a, c) => (a === undefined || rank(c) < rank(a) ? c : a),
      undefined
    )
    if (best) cause = { ...exitOf(best), why: rank(best) <= 1 ? 'oom' : 'exited' }
  } else if (/container health checks/i.test(reason)) {
    const containers = task.containers ?? []
    const unhealthy =
      containers.find(c => c.healthStatus === 'UNHEALTHY') ??
      containers.find(c => containerDefinition(td, c.name)?.healthCheck)
    if (unhealthy?.name) {
      cause = { name: unhealthy.name, why: 'unhealthy' }
      if (typeof unhealthy.exitCode === 'number') cause.exitCode = unhealthy.exitCode
      if (unhealthy.reason?.trim()) cause.reason = unhealthy.reason.trim()
    }
  }

  const stoppedByEcs: ContainerExit[] = []
  const notEssential: ContainerExit[] = []
  for (const c of exited) {
    if (cause && c.name === cause.name) continue
    const stopped = isEssential(td, c) || (STOP_SIGNALS[c.exitCode!] && !OUT_OF_MEMORY.test(c.reason ?? ''))
    ;(stopped ? stoppedByEcs : notEssential).push(exitOf(c))
  }
  return { cause, stoppedByEcs, notEssential }
}

/** "web (exit code 137, SIGKILL after the stop timeout)". */
function stoppedText(exit: ContainerExit): string {
  const signal = STOP_SIGNALS[exit.exitCode]
  const how = signal === 'SIGKILL' ? ', SIGKILL after the stop timeout' : signal ? ', SIGTERM' : ''
  return `${exit.name} (exit code ${exit.exitCode}${how})`
}

/** What else happened to the task's containers, for the cause's detail. */
export function othersText(blame: Blame): string[] {
  const out: string[] = []
  if (blame.stoppedByEcs.length > 0)
    out.push(
      `ECS then stopped the task's other containers: ${blame.stoppedByEcs.map(stoppedText).join(', ')}`
    )
  const own = blame.notEssential.filter(e => e.exitCode !== 0)
  if (own.length > 0)
    out.push(
      `${own.map(e => `${e.name} (not essential) exited with code ${e.exitCode}`).join(', ')}; ` +
        `a container that is not essential does not stop the task`
    )
  return out
}

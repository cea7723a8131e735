/** What a task backend is asked to run: one ECS task's containers. */
export interface HealthCheckSpec {
  /** As in the task definition: ["CMD-SHELL", "cmd"] or ["CMD", "exe", "arg", ...]. */
  command: string[]
  /** Seconds, unscaled, with ECS's defaults already applied. */
  interval: number
  timeout: number
  retries: number
  startPeriod: number
}

export interface ContainerSpec {
  name: string
  image: string
  essential: boolean
  command?: string[]
  entryPoint?: string[]
  environment: { name: string; value: string }[]
  workingDirectory?: string
  user?: string
  healthCheck?: HealthCheckSpec
  /** Seconds before SIGKILL when stopping (ECS default 30), unscaled. */
  stopTimeout?: number
}

export interface TaskSpec {
  taskId: string
  family: string
  containers: ContainerSpec[]
}

export type ContainerHealth = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY'

/** What the backend sees of one container right now. */
export interface ContainerObservation {
  name: string
  running: boolean
  exitCode?: number
  reason?: string
  health: ContainerHealth
  runtimeId?: string
  imageDigest?: string
}

export interface LogLine {
  timestamp: number
  message: string
}

export type Outcome = { ok: true } | { ok: false; reason: string }

/** What one running task uses now, summed over its containers (cloudwatch/ecs-metrics.ts publishes it). */
export interface TaskUsage {
  /** Measured (docker): CPU in ECS CPU units (1024 = one vCPU) and memory in MiB. */
  cpuUnits?: number
  memoryMiB?: number
  /** Scripted: percent of the task's reserved CPU and memory, as the rules say. */
  cpuPercent?: number
  memoryPercent?: number
}

/**
 * The two backends (docker, scripted) behind one interface. Every method is asynchronous; the
 * scheduler starts them and reads their results on a later tick, so slow Docker calls never stall it.
 */
export interface TaskBackend {
  readonly kind: 'docker' | 'scripted'
  /** PENDING: fetch the task's images. A failure's reason starts with "CannotPullContainerError". */
  pull(spec: TaskSpec): Promise<Outcome>
  /** Create and start every container. A failure's reason starts with "CannotStartContainerError". */
  start(spec: TaskSpec): Promise<Outcome>
  /** One batched look at the containers of the given running tasks. */
  observe(taskIds: string[]): Promise<Map<string, ContainerObservation[]>>
  /** Stop and remove the task's containers (after capturing their output); the last observation. */
  stop(taskId: string): Promise<ContainerObservation[]>
  /** The output of one container so far, or undefined if the backend has nothing for it. */
  readLogs(taskId: string, container: string): Promise<LogLine[] | undefined>
  /** Remove everything this backend started. */
  shutdown(): Promise<void>
  /** Forget task bookkeeping after a reset (containers already stopped). */
  reset(): void
  /** What the given running tasks use now (CloudWatch's AWS/ECS CPUUtilization and MemoryUtilization). */
  usage?(taskIds: string[]): Promise<Map<string, TaskUsage>>
}

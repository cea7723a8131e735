/** The wait's public shapes: what main.ts and rollback.ts pass in and get back (see ./loop.ts). */
import type {
  Deployment,
  DeploymentLifecycleHookDetail,
  ECSClient,
  Service,
  ServiceDeployment,
  ServiceEvent,
  Task
} from '@aws-sdk/client-ecs'
import type { Strategy } from '../strategy.js'
import type { PlacementFinding } from '../diagnose/placement.js'
import type { CapacityCheck } from './capacity.js'
import type { StageTiming } from './stages.js'
import type { Sleep } from './call.js'
import type { CallMeter } from './call-meter.js'
import type { VerdictFn, WatchStatus } from './verdict.js'

export interface WatchOptions {
  ecs: ECSClient
  cluster: string
  service: string
  /** The deployment UpdateService created (ecs-svc/...). */
  deploymentId: string
  /** The task-definition revision we registered. */
  taskDefinitionArn: string
  /** When we called UpdateService: events before it are not ours. */
  since: Date
  /** Events already on the service before our update (e.g. UpdateService's answer): never reported as ours. */
  knownEventIds?: Iterable<string>
  timeoutMs: number
  /** Stop waiting once our deployment has this many failed tasks; 0 (or less, or Infinity) disables. */
  maxFailedTasks: number
  /** Time between DescribeServices polls; default 2000. */
  pollIntervalMs?: number
  /**
   * Longest wait for one ECS call, the SDK's own retries included; default 2.5 × the poll interval
   * (5 s). A call still unanswered by then (the SDK backing off after throttling) is given up and
   * counts as a transient error, so the watch never goes long without seeing the deployment.
   */
  callTimeoutMs?: number
  /** Cap on ECS calls per rolling minute (DescribeServices polls + stopped-task reads); default 40. */
  maxCallsPerMinute?: number
  /** The run's shared call meter (see CallMeter); by default one of this watch's own. */
  meter?: CallMeter
  /** Cancellation (SIGTERM): resolves promptly with status 'cancelled'. */
  signal?: AbortSignal
  /** Each new service event once, oldest first, as it appears. */
  onEvent?: (event: ServiceEvent) => void
  /** Each stopped task of our deployment once, as it stops. */
  onStoppedTask?: (task: Task) => void
  /**
   * The service's strategy (the plan's): BLUE_GREEN, LINEAR and CANARY are watched as a service deployment
   * (./native.ts); by default, and for ROLLING, in DescribeServices.
   */
  strategy?: Strategy
  /** The service deployment to watch when it is known (a resume, a rollback); else found by our revision. */
  serviceDeploymentArn?: string
  /** Each change of a service deployment's status, stage or traffic weights, as one line. */
  onProgress?: (line: string) => void
  /**
   * A lifecycle hook waits for ContinueServiceDeployment (once per hook): 'return' ends the watch there
   * (status 'paused'), 'watch' keeps watching (the handler has answered the hook, or leaves it to others).
   */
  onPause?: (
    hook: DeploymentLifecycleHookDetail,
    deployment: ServiceDeployment
  ) => Promise<'watch' | 'return'>
  /**
   * Rolling updates: ECS could not place a task ("unable to place a task"), once per such new event, with
   * the service as last seen. A finding 'fail' ends the wait (status failed); 'wait' (managed scaling
   * adds instances) goes on.
   */
  onUnplaced?: (event: ServiceEvent, service: Service) => Promise<CapacityCheck>
  /** The verdict to judge by; by default the one for the service's deployment strategy. */
  verdict?: VerdictFn
  sleep?: Sleep
  now?: () => number
  /** Jitter source for error backoff; default Math.random. */
  random?: () => number
}

export interface WatchOutcome {
  status: WatchStatus
  /** Our deployment as last seen. */
  deployment?: Deployment
  /** The service as last seen. */
  service?: Service
  /** Events since `since`, oldest first. */
  events: ServiceEvent[]
  /** Stopped tasks started by our deployment (startedBy = deploymentId), in the order they were read. */
  stoppedTasks: Task[]
  /** When ECS rolled back (or another deployment replaced ours): the new PRIMARY's id. */
  rollbackDeploymentId?: string
  /** One line a person can read. */
  message: string
  /** Things that went wrong on the side (e.g. stopped tasks could not be read); never fatal. */
  notes: string[]
  /** Native strategies: our service deployment as last described. */
  serviceDeployment?: ServiceDeployment
  /** Native strategies: how long each lifecycle stage took, in order. */
  stages?: StageTiming[]
  /** Native strategies: why ECS stopped or rolled back (the alarm, the hook, the breaker). */
  cause?: string
  /** Status 'paused': the hook the watch returned at. */
  hookId?: string
  /** ECS could not place our tasks: which resource ran out, and whether managed scaling adds instances. */
  capacity?: PlacementFinding
}

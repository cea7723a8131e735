import { ACCOUNT_ID, Json } from '../util.js'
import type { ContainerHealth } from '../tasks/types.js'
import type { AutoScalingGroup, CapacityProvider, ContainerInstance } from './capacity/model.js'

export interface Tag {
  key: string
  value: string
}

export interface TaskDefinition {
  arn: string
  family: string
  revision: number
  status: 'ACTIVE' | 'INACTIVE'
  registeredAt: number
  deregisteredAt?: number
  /** The response shape of the task definition (without tags), defaults filled in. */
  body: Json
  tags: Tag[]
}

export interface Cluster {
  arn: string
  name: string
  status: 'ACTIVE' | 'INACTIVE'
  createdAt: number
  tags: Tag[]
  settings: Json[]
  configuration?: Json
  capacityProviders: string[]
  defaultCapacityProviderStrategy: Json[]
}

export type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY'
export type HookAction = 'CONTINUE' | 'ROLLBACK'

export interface LifecycleHook {
  targetType: 'AWS_LAMBDA' | 'PAUSE'
  hookTargetArn?: string
  roleArn?: string
  lifecycleStages: string[]
  hookDetails?: unknown
  /** As given (rendered back only when it was). */
  timeoutConfiguration?: { timeoutInMinutes?: number; action?: HookAction }
}

export interface DeploymentConfig {
  minimumHealthyPercent: number
  maximumPercent: number
  circuitBreaker: {
    enable: boolean
    rollback: boolean
    resetOnHealthyTask?: boolean
    thresholdConfiguration?: { type: 'BOUNDED_PERCENT' | 'UNBOUNDED_PERCENT' | 'COUNT'; value: number }
  }
  /** Absent: ROLLING (and not rendered, as before a strategy was given). */
  strategy?: Strategy
  bakeTimeInMinutes?: number
  linearConfiguration?: { stepPercent?: number; stepBakeTimeInMinutes?: number }
  canaryConfiguration?: { canaryPercent?: number; canaryBakeTimeInMinutes?: number }
  lifecycleHooks?: LifecycleHook[]
  alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean }
  extra: Json
}

export type HookStatus = 'AWAITING_ACTION' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT'

/** One run of a lifecycle hook at one stage of one service deployment. */
export interface HookRun {
  hookId: string
  stage: string
  targetType: 'AWS_LAMBDA' | 'PAUSE'
  targetArn?: string
  status: HookStatus
  startedAt: number
  expiresAt: number
  timeoutAction: HookAction
  endedAt?: number
}

export type NativeStatus =
  | 'IN_PROGRESS'
  | 'SUCCESSFUL'
  | 'STOP_REQUESTED'
  | 'STOPPED'
  | 'ROLLBACK_REQUESTED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'ROLLBACK_SUCCESSFUL'
  | 'ROLLBACK_FAILED'

/** A BLUE_GREEN, LINEAR or CANARY service deployment's own state (the green side is its deployment). */
export interface NativeDeployment {
  strategy: Exclude<Strategy, 'ROLLING'>
  status: NativeStatus
  statusReason?: string
  lifecycleStage: string
  stageSince: number
  /** Every stage entered, in order, with when. */
  stages: { stage: string; at: number }[]
  /** The green revision's requested weights (blue has the rest). */
  productionWeight: number
  testWeight: number
  /** Where the production shift is: index into the strategy's steps, and when that step was reached. */
  step: number
  stepSince: number
  /** The deployment (blue) it replaces, if any. */
  blueId?: string
  hooks: HookRun[]
  triggeredAlarms: string[]
  rollbackReason?: string
  rollbackStartedAt?: number
  stoppedAt?: number
  finishedAt?: number
}

export type RolloutState = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED'

export interface Deployment {
  id: string
  status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE'
  taskDefinitionArn: string
  desiredCount: number
  failedTasks: number
  createdAt: number
  updatedAt: number
  rolloutState: RolloutState
  rolloutStateReason: string
  launchType?: string
  platformVersion?: string
  platformFamily?: string
  networkConfiguration?: Json
  capacityProviderStrategy?: Json[]
  config: DeploymentConfig
  /** Deployments (ids) that were live when this one was created: its service deployment's sources. */
  sourceIds: string[]
  /** Set on a rollback deployment: the failed deployment it rolls back. */
  rollbackOf?: string
  /** Set on a failed deployment that was rolled back: the rollback deployment. */
  rolledBackBy?: string
  rollbackStartedAt?: number
  /** When it stopped being PRIMARY without finishing. */
  supersededAt?: number
  finishedAt?: number
  breakerTrippedAt?: number
  unableEventSent?: boolean
  /** After a failed task, no launch before this instant (ECS's restart throttle). */
  nextLaunchAt?: number
  /** The circuit breaker's count (failedTasks less what resetOnHealthyTask cleared). */
  breakerCount: number
  /** Set on a rolling deployment stopped with StopServiceDeployment(ABORT). */
  aborted?: boolean
  /** Alarms in ALARM that failed it. */
  triggeredAlarms?: string[]
  /** The load balancers this revision serves (advancedConfiguration as given). */
  loadBalancers: Json[]
  native?: NativeDeployment
}

export interface ServiceEvent {
  id: string
  createdAt: number
  message: string
}

export interface Service {
  arn: string
  name: string
  clusterName: string
  clusterArn: string
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE'
  desiredCount: number
  config: DeploymentConfig
  launchType?: string
  platformVersion?: string
  platformFamily?: string
  networkConfiguration?: Json
  capacityProviderStrategy?: Json[]
  loadBalancers: Json[]
  serviceRegistries: Json[]
  placementConstraints: Json[]
  placementStrategy: Json[]
  schedulingStrategy: string
  deploymentController: Json
  healthCheckGracePeriodSeconds?: number
  enableECSManagedTags: boolean
  propagateTags: string
  enableExecuteCommand: boolean
  createdAt: number
  tags: Tag[]
  /** Live deployments: the PRIMARY first, then ACTIVE ones, newest first. */
  deployments: Deployment[]
  /** Every deployment this service ever had, oldest first. */
  history: Deployment[]
  events: ServiceEvent[]
  lastCompleted?: { id: string; taskDefinitionArn: string }
  steady: boolean
}

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'STOPPED'

export interface SimContainer {
  name: string
  image: string
  essential: boolean
  hasHealthCheck: boolean
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED'
  exitCode?: number
  reason?: string
  healthStatus: ContainerHealth
  runtimeId?: string
  imageDigest?: string
  containerArn: string
  cpu?: string
  memory?: string
  /** awslogs: where its output goes. */
  logGroup?: string
  logStream?: string
}

export interface SimTask {
  id: string
  arn: string
  region: string
  clusterArn: string
  clusterName: string
  td: TaskDefinition
  serviceName?: string
  deploymentId?: string
  startedBy?: string
  group: string
  launchType: string
  lastStatus: TaskStatus
  desiredStatus: 'RUNNING' | 'STOPPED'
  healthStatus: ContainerHealth
  containers: SimContainer[]
  overrides: Json
  tags: Tag[]
  createdAt: number
  phaseSince: number
  pullStartedAt?: number
  pullStoppedAt?: number
  startedAt?: number
  connectivityAt?: number
  stoppingAt?: number
  stoppedAt?: number
  executionStoppedAt?: number
  stopCode?: string
  stoppedReason?: string
  /** Scheduler-stopped tasks are drained (DEACTIVATING) before they stop. */
  drain: boolean
  /** Stopped because it failed (counts in the deployment's failedTasks). */
  failed: boolean
  version: number
  /** The backend call in flight, and what the last one returned. */
  op?: 'pull' | 'start' | 'stop'
  /** Which launched backend call is current; answers of overtaken calls are ignored. */
  opToken?: number
  opResult?: { op: 'pull' | 'start' | 'stop'; ok: boolean; reason?: string }
  pulled: boolean
  started: boolean
  /** The backend has seen its containers running at least once since it became RUNNING. */
  observed: boolean
  cpu?: string
  memory?: string
  /** The circuit breaker saw it healthy (resetOnHealthyTask resets the count once per task). */
  countedHealthy?: boolean
  /** EC2: the container instance it is placed on (its resources are reserved until it stops). */
  containerInstanceArn?: string
  /** EC2 with a managed-scaling capacity provider: PROVISIONING until an instance has room (capacity/). */
  awaitingCapacity?: boolean
  capacityProviderName?: string
}

/** The ECS state of one region; ARNs carry its name. */
export class EcsRegion {
  readonly region: string
  readonly clusters = new Map<string, Cluster>()
  /** family → revisions (index = revision - 1). */
  readonly taskDefinitions = new Map<string, TaskDefinition[]>()
  /** cluster name → service name → service (the newest service of that name). */
  readonly services = new Map<string, Map<string, Service>>()
  /** task id → task. */
  readonly tasks = new Map<string, SimTask>()
  /** container instance id → instance (EC2 capacity, capacity/). */
  readonly containerInstances = new Map<string, ContainerInstance>()
  /** capacity provider name → provider. */
  readonly capacityProviders = new Map<string, CapacityProvider>()
  /** The local "Auto Scaling groups" capacity providers name (by group name). */
  readonly autoScalingGroups = new Map<string, AutoScalingGroup>()

  constructor(region: string) {
    this.region = region
  }

  arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${ACCOUNT_ID}:${resource}`
  }
}

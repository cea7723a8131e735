/** What a run tells the person who reads it: filled by main.ts as the run goes, rendered by summary.ts. */
import type { ServiceEvent } from '@aws-sdk/client-ecs'
import type { Cause } from '../diagnose/causes.js'
import type { Phase } from '../errors.js'
import type { DeployMetrics } from '../metrics.js'
import type { WatchOutcome } from '../watch/loop.js'
import type { ScalingState } from '../scaling-plan.js'

export interface DeployReport {
  ok: boolean
  headline: string
  image?: string
  imageDigest?: string
  imageTags?: string[]
  /** The image the changed container ran in the previous revision (what the deploy replaces). */
  previousImage?: string
  taskDefinitionArn?: string
  previousTaskDefinitionArn?: string
  deploymentId?: string
  /** Native strategies: the service deployment watched, and the hook a step returned at (on-pause: return). */
  serviceDeploymentArn?: string
  hookId?: string
  /** The service's deployment strategy, and the alarms ECS watches during its deployments. */
  strategy?: string
  alarms?: string[]
  consoleUrl?: string
  cluster?: string
  service?: string
  outcome?: WatchOutcome
  causes: Cause[]
  rollback?: {
    /** started: asked for but not waited for (the run was cancelled). */
    status: 'completed' | 'started' | 'failed' | 'skipped' | 'ecs'
    message: string
    taskDefinitionArn?: string
    /** When ecs-deploy asked ECS for the rollback (our own step in the timeline). */
    startedAt?: Date
    /** The service events seen while waiting for the rollback, oldest first. */
    events?: ServiceEvent[]
  }
  notes: string[]
  /** The phase a failed run stopped in (stamped on the error by main.ts's phase()). */
  failedPhase?: string
  /** The phases in the order they ran; `id` and `at` (its start) where main.ts knows them. */
  timings?: Array<{ phase: string; ms: number; id?: Phase; at?: Date }>
  /** When ECS was asked to deploy (our own step in the timeline). */
  updatedAt?: Date
  /** CPU and memory around the deploy (src/metrics.ts reads them after the deployment). */
  metrics?: DeployMetrics
  /** Auto scaling of the service as the deploy found it and left it (scaling inputs given). */
  scaling?: { resourceId: string; before: ScalingState; after: ScalingState; changed: boolean }
  /** The post-deploy watch (watch-minutes): what was watched, and how it ended. */
  afterWatch?: {
    minutes: number
    alarms: string[]
    status: 'green' | 'alarm' | 'cancelled'
    /** The alarm that went into ALARM, and its StateReason (outside text). */
    alarm?: string
    reason?: string
  }
}

/** Who deployed what, from the workflow run (src/report/context.ts reads it; tests give it). */
export interface RunContext {
  sha?: string
  /** The commit's subject line (its message's first line), when the event payload has it. */
  subject?: string
  actor?: string
  /** push, workflow_dispatch, … */
  event?: string
  /** `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}`, when both are known. */
  repositoryUrl?: string
}

/**
 * Rollback: when our deployment failed, timed out or was cancelled, put the service back on the task
 * definition it ran before, and wait (bounded) for that to settle. If ECS's circuit breaker already rolled
 * back, report that instead of fighting it.
 */
import * as core from '@actions/core'
import type { ECSClient } from '@aws-sdk/client-ecs'
import { errorMessage } from './errors.js'
import { arnTail as revision } from './arn.js'
import type { RollbackPolicy } from './plan.js'
import { stopAndRollBack } from './rollback-native.js'
import type { Strategy } from './strategy.js'
import type { DeployReport } from './report/types.js'
import { updateService } from './service.js'
import { logEvent } from './report/timeline.js'
import { inert } from './untrusted.js'
import type { CallMeter } from './watch/call-meter.js'
import { watchDeployment, type WatchOutcome } from './watch/loop.js'
import { watchesServiceDeployment } from './watch/strategies.js'

export interface RollbackRequest {
  ecs: ECSClient
  cluster: string
  service: string
  /** The plan's rollback policy: whether to roll back, and to which revision. */
  policy: RollbackPolicy
  failedTaskDefinitionArn?: string
  outcome: WatchOutcome
  /** The run was cancelled: start the rollback but do not wait for it (the runner will kill us soon). */
  cancelled: boolean
  /** How long to wait for the rollback to settle. */
  waitMs?: number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  now?: () => number
  /** The run's ECS call meter, shared with the main wait. */
  meter?: CallMeter
  /** The service's strategy: BLUE_GREEN, LINEAR and CANARY roll back with StopServiceDeployment. */
  strategy?: Strategy
  /** Why the rollback cannot settle soon (e.g. its tasks find no room either): start it, do not wait. */
  noWait?: string
}

/** A native deployment still going (not ended by ECS): StopServiceDeployment can roll it back. */
const STOPPABLE = new Set(['timeout', 'cancelled', 'too-many-failed-tasks', 'paused'])

export type RollbackResult = NonNullable<DeployReport['rollback']>

export async function rollBack(request: RollbackRequest): Promise<RollbackResult> {
  const { outcome } = request
  const failed = revision(request.failedTaskDefinitionArn)
  if (outcome.status === 'rolled-back') {
    const to = outcome.service?.taskDefinition
    return {
      status: 'ecs',
      message: `ecs-deploy started no rollback of its own: the service is already on ${revision(to)}.`,
      taskDefinitionArn: to
    }
  }
  if (!request.policy.enabled) {
    const d = outcome.deployment
    const sd = outcome.serviceDeployment
    const state = sd
      ? `service deployment ${revision(sd.serviceDeploymentArn)} is ${sd.status ?? 'in an unknown state'}${sd.lifecycleStage ? ` (stage ${sd.lifecycleStage})` : ''}`
      : d
        ? `deployment ${d.id} is ${d.rolloutState ?? d.status}, ${d.runningCount ?? 0}/${d.desiredCount ?? 0} tasks running, ${d.failedTasks ?? 0} failed`
        : 'its deployment state is unknown'
    return {
      status: 'skipped',
      message: `Rollback is off (rollback: false): the service is left on ${failed}; ${state}.`,
      taskDefinitionArn: request.failedTaskDefinitionArn
    }
  }
  const native = outcome.serviceDeployment?.serviceDeploymentArn
  if (native && watchesServiceDeployment(request.strategy) && STOPPABLE.has(outcome.status)) {
    return stopAndRollBack(request, native)
  }
  const target = request.policy.taskDefinitionArn
  if (!target || target === request.failedTaskDefinitionArn) {
    return {
      status: 'skipped',
      message: `Nothing to roll back to: the service ran no other task definition before ${failed}.`
    }
  }

  core.info(inert(`Rolling back ${request.service} to ${revision(target)}`))
  let deploymentId: string
  try {
    request.meter?.record()
    const update = await updateService(request.ecs, {
      cluster: request.cluster,
      service: request.service,
      taskDefinitionArn: target
    })
    deploymentId = update.deployment.id as string
    if (request.cancelled || request.noWait) {
      const why = request.cancelled ? 'the run was cancelled' : request.noWait
      return {
        status: 'started',
        message: `Rollback to ${revision(target)} started (deployment ${deploymentId}); ${why}, so it was not waited for.`,
        taskDefinitionArn: target,
        startedAt: update.at
      }
    }
    const settled = await watchDeployment({
      knownEventIds: [
        ...outcome.events.flatMap(e => (e.id ? [e.id] : [])),
        ...(update.service.events ?? []).flatMap(e => (e.id ? [e.id] : []))
      ],
      ecs: request.ecs,
      cluster: request.cluster,
      service: request.service,
      deploymentId,
      taskDefinitionArn: target,
      since: update.at,
      timeoutMs: request.waitMs ?? 10 * 60_000,
      // The old revision ran before; let ECS retry it rather than give up early.
      maxFailedTasks: Number.MAX_SAFE_INTEGER,
      onEvent: event => core.info(inert(logEvent(event))),
      sleep: request.sleep,
      now: request.now,
      meter: request.meter
    })
    if (settled.status === 'completed') {
      return {
        status: 'completed',
        message: `Rolled back to ${revision(target)}: deployment ${deploymentId} completed.`,
        taskDefinitionArn: target,
        startedAt: update.at,
        events: settled.events
      }
    }
    return {
      status: 'failed',
      message: `Rollback to ${revision(target)} did not complete: ${settled.message}`,
      taskDefinitionArn: target,
      startedAt: update.at,
      events: settled.events
    }
  } catch (error) {
    return {
      status: 'failed',
      message: `Rollback to ${revision(target)} failed: ${errorMessage(error)}`,
      taskDefinitionArn: target
    }
  }
}

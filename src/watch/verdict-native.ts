/**
 * The verdict for the native traffic-shifting strategies (BLUE_GREEN, LINEAR, CANARY): PURE. Their progress
 * lives in the service deployment (DescribeServiceDeployments), not in DescribeServices' counts: a
 * deployment is over when its status says so, and only SUCCESSFUL (after the bake) is green. A rollback
 * that succeeded is red, never "completed".
 *
 * AWS documentation: ServiceDeployment (status, lifecycleStage, alarms, deploymentCircuitBreaker,
 * lifecycleHookDetails, rollback): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeployment.html
 * and the lifecycle stages of blue/green deployments:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/blue-green-deployment-how-it-works.html
 */
import type { DeploymentLifecycleHookDetail, ServiceDeployment } from '@aws-sdk/client-ecs'
import { arnTail, functionName } from '../arn.js'

export interface NativeSnapshot {
  /** Our service deployment as last described; undefined while ECS has not listed it yet. */
  deployment?: ServiceDeployment
  now: number
  /** When the wait gives up (epoch ms). */
  deadline: number
  cancelled: boolean
}

/** Final outcomes, named as the rolling verdict names them. */
export type NativeStatus = 'completed' | 'failed' | 'rolled-back' | 'timeout' | 'cancelled'

export type NativeVerdict =
  | {
      status: 'pending'
      /** ECS is rolling our deployment back: red once it ends, whichever way. */
      rollingBack: boolean
      /** A PAUSE hook (or a Lambda hook) waiting for ContinueServiceDeployment. */
      awaiting?: DeploymentLifecycleHookDetail
    }
  | { status: NativeStatus; message: string; cause?: string }

/** Why ECS stopped or rolled back our deployment, most specific first: alarm, hook, breaker, ECS's words. */
export function nativeCause(d: ServiceDeployment): string | undefined {
  const alarms = d.alarms?.triggeredAlarmNames?.filter(n => n.trim() !== '') ?? []
  if (alarms.length > 0) {
    return `alarm ${alarms.map(n => `"${n}"`).join(', ')} went into ALARM`
  }
  const hook = (d.lifecycleHookDetails ?? []).find(h => h.status === 'FAILED' || h.status === 'TIMED_OUT')
  if (hook) {
    // A Lambda hook by its function (the name a person gave it; the hook id goes in the details), a
    // PAUSE hook by its id: the only name it has.
    const how = hook.status === 'FAILED' ? 'failed' : 'timed out'
    const named =
      hook.targetType !== 'PAUSE' && hook.targetArn
        ? `Lambda hook ${functionName(hook.targetArn)}`
        : `${hook.targetType === 'PAUSE' ? 'pause hook' : 'lifecycle hook'} ${hook.hookId ?? ''}`
    return `${named} ${how}`.replace(/\s+/g, ' ')
  }
  const breaker = d.deploymentCircuitBreaker
  if (breaker?.status === 'TRIGGERED') {
    const counts =
      breaker.failureCount !== undefined
        ? ` after ${breaker.failureCount} failed tasks${breaker.threshold !== undefined ? ` (threshold ${breaker.threshold})` : ''}`
        : ''
    return `the circuit breaker triggered${counts}`
  }
  return d.statusReason?.trim() || d.rollback?.reason?.trim() || undefined
}

function name(d: ServiceDeployment | undefined): string {
  return d?.serviceDeploymentArn ? arnTail(d.serviceDeploymentArn) : 'the service deployment'
}

export function nativeVerdict(s: NativeSnapshot): NativeVerdict {
  const d = s.deployment
  const status = d?.status
  const cause = d ? nativeCause(d) : undefined
  const because = cause ? `: ${cause}` : ''
  switch (status) {
    case 'SUCCESSFUL':
      return { status: 'completed', message: `Service deployment ${name(d)} succeeded` }
    case 'ROLLBACK_SUCCESSFUL':
      return {
        status: 'rolled-back',
        message: `ECS rolled back service deployment ${name(d)}${because}`,
        cause
      }
    case 'ROLLBACK_FAILED':
      return {
        status: 'failed',
        message: `Service deployment ${name(d)} failed and ECS could not roll it back${because}`,
        cause
      }
    case 'STOPPED':
      return { status: 'failed', message: `Service deployment ${name(d)} was stopped${because}`, cause }
  }
  if (s.cancelled)
    return { status: 'cancelled', message: `The run was cancelled while ${name(d)} was in progress` }
  if (s.now >= s.deadline) {
    const stage = d?.lifecycleStage ? ` in stage ${d.lifecycleStage}` : ''
    return { status: 'timeout', message: `Timed out waiting for service deployment ${name(d)}${stage}` }
  }
  const rollingBack = status === 'ROLLBACK_REQUESTED' || status === 'ROLLBACK_IN_PROGRESS'
  const awaiting = (d?.lifecycleHookDetails ?? []).find(h => h.status === 'AWAITING_ACTION')
  return awaiting ? { status: 'pending', rollingBack, awaiting } : { status: 'pending', rollingBack }
}

/** Weights as a person reads them: "production 10 % new / 90 % old, test 100 % new". */
export function trafficText(d: ServiceDeployment): string | undefined {
  const target = d.targetServiceRevision
  const production = target?.requestedProductionTrafficWeight
  const test = target?.requestedTestTrafficWeight
  const parts: string[] = []
  if (production !== undefined)
    parts.push(`production ${round(production)}% new / ${round(100 - production)}% old`)
  if (test !== undefined) parts.push(`test ${round(test)}% new`)
  return parts.length > 0 ? parts.join(', ') : undefined
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1)
}

/**
 * One line for what changed since the last look: status, stage and weights; undefined when nothing did.
 * The watch prints each as it happens, so a person sees the stages and the traffic shift in order.
 */
export function progressLine(
  previous: ServiceDeployment | undefined,
  current: ServiceDeployment
): string | undefined {
  const now = [current.status, current.lifecycleStage, trafficText(current)]
  const before = previous ? [previous.status, previous.lifecycleStage, trafficText(previous)] : []
  if (now.every((v, i) => v === before[i])) return undefined
  const [status, stage, traffic] = now
  return [`${name(current)}: ${status ?? 'PENDING'}`, stage ? `stage ${stage}` : undefined, traffic]
    .filter(Boolean)
    .join(' · ')
}

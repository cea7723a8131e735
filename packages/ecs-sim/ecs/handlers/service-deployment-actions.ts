/**
 * StopServiceDeployment (stopType ROLLBACK, the default, or ABORT) and ContinueServiceDeployment (a
 * PAUSE hook's answer: CONTINUE or ROLLBACK), refused as ECS refuses them.
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html
 */
import { AwsError, Json, str } from '../../util.js'
import { addEvent } from '../core.js'
import { trip } from '../reconcile.js'
import { findServiceDeployment, sdStatus } from '../service-deployment-view.js'
import type { EcsRegion } from '../state.js'
import { EcsCall, Handler } from './call.js'

/** The states StopServiceDeployment accepts (the developer guide's list). */
const STOPPABLE = ['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']

function requireServiceDeployment(r: EcsRegion, arn: string | undefined) {
  if (!arn) throw new AwsError('InvalidParameterException', 'serviceDeploymentArn must not be empty.')
  const hit = findServiceDeployment(r, arn)
  if (!hit)
    throw new AwsError('ServiceDeploymentNotFoundException', `The service deployment ${arn} was not found.`)
  return hit
}

function stopServiceDeployment({ ctx, r, input }: EcsCall): Json {
  const arn = str(input, 'serviceDeploymentArn')
  const stopType = str(input, 'stopType') ?? 'ROLLBACK'
  if (stopType !== 'ROLLBACK' && stopType !== 'ABORT')
    throw new AwsError(
      'InvalidParameterException',
      `Invalid stopType '${stopType}'. Valid values are ABORT and ROLLBACK.`
    )
  const { s, d } = requireServiceDeployment(r, arn)
  const status = sdStatus(s, d).status
  if (!STOPPABLE.includes(status))
    throw new AwsError(
      'ConflictException',
      `The service deployment is in ${status} status and cannot be stopped.`
    )
  const n = d.native
  if (n) {
    if (n.status === 'IN_PROGRESS') {
      if (stopType === 'ROLLBACK') {
        n.status = 'ROLLBACK_REQUESTED'
        n.rollbackReason = 'Service deployment rolled back by StopServiceDeployment.'
      } else n.status = 'STOP_REQUESTED'
      d.updatedAt = ctx.clock.now()
    }
    return { serviceDeploymentArn: arn }
  }
  // A rolling deployment: ROLLBACK is a rollback deployment to the last completed one; ABORT leaves it be.
  if (status === 'IN_PROGRESS' && d.rolloutState === 'IN_PROGRESS') {
    if (stopType === 'ROLLBACK' && s.lastCompleted && s.lastCompleted.id !== d.id)
      trip(ctx, r, s, d, {
        reason: 'Service deployment rolled back by StopServiceDeployment.',
        event: 'stopped by StopServiceDeployment.',
        rollback: true,
        by: 'StopServiceDeployment'
      })
    else {
      const now = ctx.clock.now()
      d.aborted = true
      d.rolloutState = 'FAILED'
      d.rolloutStateReason = 'Service deployment stopped by StopServiceDeployment (ABORT).'
      d.finishedAt = now
      d.updatedAt = now
      addEvent(ctx, s, `(service ${s.name}) (deployment ${d.id}) deployment stopped.`)
      const tl = ctx.timelineEntry(d.id)
      if (tl && tl.outcome === null)
        Object.assign(tl, { outcome: 'FAILED', decidableAt: now, reason: d.rolloutStateReason })
    }
  }
  return { serviceDeploymentArn: arn }
}

function continueServiceDeployment({ ctx, r, input }: EcsCall): Json {
  const arn = str(input, 'serviceDeploymentArn')
  const hookId = str(input, 'hookId')
  const action = str(input, 'action') ?? 'CONTINUE'
  if (!hookId) throw new AwsError('InvalidParameterException', 'hookId must not be empty.')
  if (action !== 'CONTINUE' && action !== 'ROLLBACK')
    throw new AwsError(
      'InvalidParameterException',
      `Invalid action '${action}'. Valid values are CONTINUE and ROLLBACK.`
    )
  const { d } = requireServiceDeployment(r, arn)
  const run = d.native?.hooks.find(h => h.hookId === hookId)
  if (!run)
    throw new AwsError(
      'InvalidParameterException',
      `The lifecycle hook ${hookId} was not found in the service deployment.`
    )
  if (run.targetType !== 'PAUSE')
    throw new AwsError('InvalidParameterException', `The lifecycle hook ${hookId} is not a PAUSE hook.`)
  if (run.status !== 'AWAITING_ACTION' || d.native?.status !== 'IN_PROGRESS')
    throw new AwsError(
      'ClientException',
      `The lifecycle hook ${hookId} is in ${run.status} status; only a hook in AWAITING_ACTION status can be continued.`
    )
  run.status = action === 'CONTINUE' ? 'SUCCEEDED' : 'FAILED'
  run.endedAt = ctx.clock.now()
  return { serviceDeploymentArn: arn }
}

export const SERVICE_DEPLOYMENT_ACTIONS: Record<string, Handler> = {
  StopServiceDeployment: stopServiceDeployment,
  ContinueServiceDeployment: continueServiceDeployment
}

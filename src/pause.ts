/**
 * PAUSE lifecycle hooks (native strategies): what `on-pause` does when one waits for us, and the `resume`
 * step that continues one. The decisions are pure (`pauseResponse`, `pauseText`); the calls are in
 * src/watch/service-deployment.ts.
 *
 * AWS documentation: ContinueServiceDeployment (serviceDeploymentArn, hookId, action CONTINUE | ROLLBACK):
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContinueServiceDeployment.html
 */
import * as core from '@actions/core'
import type { DeploymentLifecycleHookDetail, ECSClient, ServiceDeployment } from '@aws-sdk/client-ecs'
import { arnTail } from './arn.js'
import { DeployError } from './errors.js'
import type { OnPause, ResumeAction } from './inputs.js'
import { inert } from './untrusted.js'
import type { WatchOptions } from './watch/options.js'
import { continueServiceDeployment, describeServiceDeployments, direct } from './watch/service-deployment.js'

export interface PauseResponse {
  /** The answer to send with ContinueServiceDeployment; undefined: send none. */
  answer?: 'CONTINUE' | 'ROLLBACK'
  /** End the step at the pause (green, with the outputs to resume it). */
  end: boolean
}

/** What each `on-pause` value does. Pure. */
export function pauseResponse(onPause: OnPause): PauseResponse {
  switch (onPause) {
    case 'continue':
      return { answer: 'CONTINUE', end: false }
    case 'rollback':
      return { answer: 'ROLLBACK', end: false }
    case 'return':
      return { end: true }
    case 'wait':
      return { end: false }
  }
}

/** The notice for a pause. Pure. */
export function pauseText(
  hook: DeploymentLifecycleHookDetail,
  deployment: ServiceDeployment,
  onPause: OnPause,
  consoleUrl?: string
): string {
  const arn = deployment.serviceDeploymentArn ?? ''
  const stage = deployment.lifecycleStage ? ` in stage ${deployment.lifecycleStage}` : ''
  const head = `Service deployment ${arnTail(arn)} is paused at hook ${hook.hookId ?? ''}${stage}.`
  const timeout = hook.expiresAt
    ? ` Unless it is continued, ECS will ${(hook.timeoutAction ?? 'CONTINUE').toLowerCase()} at ${hook.expiresAt.toISOString()}.`
    : ''
  const where = consoleUrl ? ` Console: ${consoleUrl}` : ''
  switch (onPause) {
    case 'wait':
      return `${head} Waiting until it is continued elsewhere (ContinueServiceDeployment).${timeout}${where}`
    case 'return':
      return `${head} The step ends here (on-pause: return); continue it with a step that has resume: ${arn}${where}`
    case 'continue':
      return `${head} Continuing it (on-pause: continue).`
    case 'rollback':
      return `${head} Rolling it back (on-pause: rollback).`
  }
}

/** The watch's onPause for the `on-pause` input: prints the notice and answers the hook as told. */
export function pauseHandler(
  ecs: ECSClient,
  onPause: OnPause,
  consoleUrl?: string
): NonNullable<WatchOptions['onPause']> {
  return async (hook, deployment) => {
    const response = pauseResponse(onPause)
    if (response.answer) core.info(inert(pauseText(hook, deployment, onPause, consoleUrl)))
    else core.notice(inert(pauseText(hook, deployment, onPause, consoleUrl)), { title: 'Deployment paused' })
    if (response.answer && deployment.serviceDeploymentArn && hook.hookId) {
      await continueServiceDeployment(ecs, deployment.serviceDeploymentArn, hook.hookId, response.answer)
    }
    return response.end ? 'return' : 'watch'
  }
}

/**
 * The `resume` step: the hook the service deployment waits at is answered with `resume-action`. Throws
 * when the deployment waits at no hook (it went on, ended, or is not this service's).
 */
export async function resumeServiceDeployment(
  ecs: ECSClient,
  serviceDeploymentArn: string,
  action: ResumeAction
): Promise<ServiceDeployment> {
  const [deployment] = await describeServiceDeployments(ecs, [serviceDeploymentArn], direct)
  if (!deployment) {
    throw new DeployError(
      'Service deployment not found',
      `Input "resume": ECS does not know service deployment ${serviceDeploymentArn}.`
    )
  }
  const hook = (deployment.lifecycleHookDetails ?? []).find(h => h.status === 'AWAITING_ACTION')
  if (!hook?.hookId) {
    throw new DeployError(
      'Nothing to resume',
      `Input "resume": service deployment ${arnTail(serviceDeploymentArn)} is ${deployment.status ?? 'in an unknown state'}${deployment.lifecycleStage ? ` (stage ${deployment.lifecycleStage})` : ''} and waits at no lifecycle hook.`
    )
  }
  core.info(
    inert(`Answering hook ${hook.hookId} of ${arnTail(serviceDeploymentArn)} with ${action.toUpperCase()}`)
  )
  await continueServiceDeployment(
    ecs,
    serviceDeploymentArn,
    hook.hookId,
    action === 'rollback' ? 'ROLLBACK' : 'CONTINUE'
  )
  return deployment
}

/**
 * The plan's watch decisions (pure): how a service's deployment is watched, from its strategy and the
 * inputs, and the plan of a resume step.
 */
import type { Service } from '@aws-sdk/client-ecs'
import { DeployError } from './errors.js'
import type { ActionInputs } from './inputs.js'
import type { Plan, ServiceTarget, WatchPolicy } from './plan.js'
import {
  NATIVE_TRAFFIC_STRATEGIES,
  breakerThreshold,
  defaultWaitMinutes,
  deploymentAlarms,
  strategyOf
} from './strategy.js'

/**
 * How to watch: the service's strategy, its circuit breaker's threshold as the failed-task limit and
 * the strategy's worst case as the wait, unless the inputs say otherwise; the alarms ECS watches.
 */
export function watchPolicy(
  inputs: ActionInputs,
  service: Service | undefined,
  desiredCount: number
): WatchPolicy {
  const strategy = service ? strategyOf(service) : 'ROLLING'
  const config = service?.deploymentConfiguration
  const minutes = inputs.waitForMinutes ?? defaultWaitMinutes(strategy, config)
  return {
    wait: inputs.waitForServiceStability,
    timeoutMs: minutes * 60_000,
    maxFailedTasks: inputs.maxFailedTasks ?? breakerThreshold(config, desiredCount),
    strategy,
    alarms: deploymentAlarms(config).names,
    onPause: inputs.onPause
  }
}

/** A resume step: nothing to register or update, the paused deployment of a native service to continue. */
export function resumePlan(
  inputs: ActionInputs,
  resume: { serviceDeploymentArn: string; service: string },
  service: Service | undefined,
  target: ServiceTarget,
  sha: string
): Plan {
  const strategy = service ? strategyOf(service) : 'ROLLING'
  if (!NATIVE_TRAFFIC_STRATEGIES.has(strategy)) {
    throw new DeployError(
      'Invalid input: resume',
      `Input "resume": service ${resume.service} deploys with ${strategy}; only BLUE_GREEN, LINEAR and CANARY deployments pause at lifecycle hooks.`
    )
  }
  return {
    targets: [],
    resume: {
      cluster: inputs.cluster,
      service: target,
      serviceDeploymentArn: resume.serviceDeploymentArn,
      action: inputs.resumeAction
    },
    image: { kind: 'keep' },
    sha
  }
}

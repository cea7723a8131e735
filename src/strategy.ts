/**
 * How ECS deploys a service, read from the service itself: which strategy, how many failed tasks its
 * circuit breaker tolerates, and how long a deployment of it may take at worst. Pure: service in, facts out.
 *
 * AWS documentation these follow:
 * - DeploymentConfiguration (strategy, bakeTimeInMinutes, linearConfiguration, canaryConfiguration,
 *   lifecycleHooks, alarms): https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
 * - ThresholdConfiguration (BOUNDED_PERCENT default 50, clamped 3–200; UNBOUNDED_PERCENT; COUNT):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html
 * - LinearConfiguration (stepPercent default 10, stepBakeTimeInMinutes default 6):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html
 * - CanaryConfiguration (canaryPercent default 5, canaryBakeTimeInMinutes default 10):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html
 * - DeploymentLifecycleHookTimeoutConfiguration (timeoutInMinutes default 1440):
 *   https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHookTimeoutConfiguration.html
 */
import type { DeploymentConfiguration, Service } from '@aws-sdk/client-ecs'

/** ROLLING, the three native traffic-shifting strategies, and the two controllers ECS does not drive itself. */
export type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY' | 'CODE_DEPLOY' | 'EXTERNAL'

/** The strategies whose progress lives in the service-deployments API (stages, traffic weights, bake). */
export const NATIVE_TRAFFIC_STRATEGIES: ReadonlySet<Strategy> = new Set(['BLUE_GREEN', 'LINEAR', 'CANARY'])

/** The strategy a new deployment of this service will use. */
export function strategyOf(
  service: Pick<Service, 'deploymentController' | 'deploymentConfiguration'>
): Strategy {
  const controller = service.deploymentController?.type
  if (controller === 'CODE_DEPLOY' || controller === 'EXTERNAL') return controller
  const strategy = service.deploymentConfiguration?.strategy
  return strategy === 'BLUE_GREEN' || strategy === 'LINEAR' || strategy === 'CANARY' ? strategy : 'ROLLING'
}

const DEFAULT_THRESHOLD_PERCENT = 50
const BOUNDED_MIN = 3
const BOUNDED_MAX = 200

/**
 * The number of failed tasks at which the service's circuit breaker fails a deployment: its own
 * `thresholdConfiguration` when it has one, else ECS's default (50 % of the desired count, at least 3, at
 * most 200). The percentage types multiply `value` (a percentage) by the desired count.
 */
export function breakerThreshold(config: DeploymentConfiguration | undefined, desiredCount: number): number {
  const threshold = config?.deploymentCircuitBreaker?.thresholdConfiguration
  const type = threshold?.type ?? 'BOUNDED_PERCENT'
  const value = threshold?.value ?? DEFAULT_THRESHOLD_PERCENT
  if (type === 'COUNT') return Math.max(1, Math.floor(value))
  const fromPercent = Math.ceil((value / 100) * desiredCount)
  if (type === 'UNBOUNDED_PERCENT') return Math.max(1, fromPercent)
  return Math.max(BOUNDED_MIN, Math.min(BOUNDED_MAX, fromPercent))
}

/** True when the service's circuit breaker is on: ECS itself fails the deployment at its threshold. */
export function breakerEnabled(config: DeploymentConfiguration | undefined): boolean {
  return config?.deploymentCircuitBreaker?.enable === true
}

/** The alarms ECS watches during a deployment of this service (and rolls back on when `rollback`). */
export function deploymentAlarms(config: DeploymentConfiguration | undefined): {
  names: string[]
  rollback: boolean
} {
  const alarms = config?.alarms
  if (!alarms?.enable) return { names: [], rollback: false }
  return { names: (alarms.alarmNames ?? []).filter(n => n.trim() !== ''), rollback: alarms.rollback === true }
}

const LINEAR_STEP_PERCENT = 10
const LINEAR_STEP_BAKE_MINUTES = 6
const CANARY_BAKE_MINUTES = 10
const HOOK_TIMEOUT_MINUTES = 1440
/** Starting the new tasks and shifting test traffic: the part of a deployment no setting bounds. */
export const SCALE_UP_ALLOWANCE_MINUTES = 15

/**
 * The longest a deployment of this strategy can take by its own settings: scale-up, every lifecycle hook's
 * timeout, the traffic-shift bakes (LINEAR: one per step; CANARY: the canary's) and the final bake.
 * undefined for ROLLING (no bake: it is over when the tasks are) and for controllers ECS does not drive.
 */
export function worstCaseMinutes(
  strategy: Strategy,
  config: DeploymentConfiguration | undefined
): number | undefined {
  if (!NATIVE_TRAFFIC_STRATEGIES.has(strategy)) return undefined
  let minutes = SCALE_UP_ALLOWANCE_MINUTES + (config?.bakeTimeInMinutes ?? 0)
  if (strategy === 'LINEAR') {
    const step = config?.linearConfiguration?.stepPercent ?? LINEAR_STEP_PERCENT
    const steps = Math.ceil(100 / Math.max(step, 0.1))
    minutes += steps * (config?.linearConfiguration?.stepBakeTimeInMinutes ?? LINEAR_STEP_BAKE_MINUTES)
  }
  if (strategy === 'CANARY') {
    minutes += config?.canaryConfiguration?.canaryBakeTimeInMinutes ?? CANARY_BAKE_MINUTES
  }
  for (const hook of config?.lifecycleHooks ?? []) {
    const stages = Math.max(1, hook.lifecycleStages?.length ?? 1)
    minutes += stages * (hook.timeoutConfiguration?.timeoutInMinutes ?? HOOK_TIMEOUT_MINUTES)
  }
  return minutes
}

/** A GitHub-hosted job runs at most 6 hours: no wait is planned past it. */
export const MAX_WAIT_MINUTES = 360
/** The `wait-for-minutes` default for a rolling update. */
export const DEFAULT_WAIT_MINUTES = 30

/**
 * `wait-for-minutes` when the input is not set: the strategy's worst case when it has one (never less than
 * the rolling default, never past a job's 6 hours), else 30 minutes.
 */
export function defaultWaitMinutes(strategy: Strategy, config: DeploymentConfiguration | undefined): number {
  const worst = worstCaseMinutes(strategy, config)
  if (worst === undefined) return DEFAULT_WAIT_MINUTES
  return Math.min(MAX_WAIT_MINUTES, Math.max(DEFAULT_WAIT_MINUTES, Math.ceil(worst)))
}

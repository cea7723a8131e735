/**
 * A service's deploymentConfiguration: parsed and checked as ECS checks it (CreateService, UpdateService),
 * and rendered back as ECS answers it. Strategies, bake time, linear/canary configuration, lifecycle hooks,
 * alarms and the circuit breaker's threshold; what the simulator does not model is kept in `extra`.
 */
import { AwsError, Json } from '../util.js'
import type { DeploymentConfig, HookAction, LifecycleHook, Strategy } from './state.js'

const STRATEGIES: Strategy[] = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY']
export const HOOK_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT'
]
/** A PAUSE hook cannot hold a traffic shift while it happens. */
const NO_PAUSE_STAGES = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT']
const THRESHOLD_TYPES = ['BOUNDED_PERCENT', 'UNBOUNDED_PERCENT', 'COUNT'] as const

/** Documented defaults (DeploymentConfiguration, LinearConfiguration, CanaryConfiguration, hooks). */
export const DEFAULTS = {
  stepPercent: 10,
  stepBakeTimeInMinutes: 6,
  canaryPercent: 5,
  canaryBakeTimeInMinutes: 10,
  hookTimeoutInMinutes: 1440,
  hookTimeoutAction: 'ROLLBACK' as HookAction,
  thresholdPercent: 50
}

function invalid(message: string): never {
  throw new AwsError('InvalidParameterException', message)
}

function minutes(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1440)
    invalid(`${name} must be an integer from 0 to 1440.`)
  return v
}

/** A percentage in steps of 0.1 within [min, max]. */
function tenths(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || v < min || v > max || Math.abs(v * 10 - Math.round(v * 10)) > 1e-9)
    invalid(`${name} must be a multiple of 0.1 from ${min} to ${max}.`)
  return v
}

function parseHook(raw: unknown): LifecycleHook {
  const h = (raw ?? {}) as Json
  const targetType = h.targetType ?? 'AWS_LAMBDA'
  if (targetType !== 'AWS_LAMBDA' && targetType !== 'PAUSE')
    invalid(
      `Invalid lifecycle hook targetType '${String(targetType)}'. Valid values are AWS_LAMBDA and PAUSE.`
    )
  const stages = h.lifecycleStages
  if (!Array.isArray(stages) || stages.length === 0)
    invalid('A lifecycle hook must have at least one lifecycle stage.')
  for (const st of stages)
    if (typeof st !== 'string' || !HOOK_STAGES.includes(st))
      invalid(`Invalid lifecycle stage '${String(st)}'. Valid values are ${HOOK_STAGES.join(', ')}.`)
  if (targetType === 'PAUSE') {
    const bad = (stages as string[]).find(st => NO_PAUSE_STAGES.includes(st))
    if (bad) invalid(`PAUSE lifecycle hooks are not supported for the ${bad} lifecycle stage.`)
    if (h.hookTargetArn !== undefined) invalid('hookTargetArn is not supported for PAUSE lifecycle hooks.')
  } else {
    if (typeof h.hookTargetArn !== 'string' || h.hookTargetArn === '')
      invalid('hookTargetArn is required for AWS_LAMBDA lifecycle hooks.')
    if (typeof h.roleArn !== 'string' || h.roleArn === '')
      invalid('roleArn is required for AWS_LAMBDA lifecycle hooks.')
  }
  let timeout: LifecycleHook['timeoutConfiguration']
  if (h.timeoutConfiguration !== undefined) {
    const t = h.timeoutConfiguration as Json
    if (t.timeoutInMinutes !== undefined) {
      const m = t.timeoutInMinutes
      if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 1440)
        invalid('timeoutInMinutes must be an integer from 1 to 1440.')
    }
    if (t.action !== undefined && t.action !== 'CONTINUE' && t.action !== 'ROLLBACK')
      invalid(`Invalid timeout action '${String(t.action)}'. Valid values are CONTINUE and ROLLBACK.`)
    timeout = { timeoutInMinutes: t.timeoutInMinutes as number, action: t.action as HookAction }
  }
  return {
    targetType,
    hookTargetArn: h.hookTargetArn as string | undefined,
    roleArn: h.roleArn as string | undefined,
    lifecycleStages: stages as string[],
    hookDetails: h.hookDetails,
    timeoutConfiguration: timeout
  }
}

export function hookTimeout(h: LifecycleHook): { minutes: number; action: HookAction } {
  return {
    minutes: h.timeoutConfiguration?.timeoutInMinutes ?? DEFAULTS.hookTimeoutInMinutes,
    action: h.timeoutConfiguration?.action ?? DEFAULTS.hookTimeoutAction
  }
}

function parseBreaker(raw: unknown): DeploymentConfig['circuitBreaker'] {
  const cb = raw as Json
  if (typeof cb.enable !== 'boolean' || typeof cb.rollback !== 'boolean')
    invalid('deploymentCircuitBreaker requires enable and rollback.')
  const out: DeploymentConfig['circuitBreaker'] = { enable: cb.enable, rollback: cb.rollback }
  if (cb.resetOnHealthyTask !== undefined) {
    if (typeof cb.resetOnHealthyTask !== 'boolean') invalid('resetOnHealthyTask must be a boolean.')
    out.resetOnHealthyTask = cb.resetOnHealthyTask
  }
  if (cb.thresholdConfiguration !== undefined) {
    const tc = cb.thresholdConfiguration as Json
    const type = tc.type ?? 'BOUNDED_PERCENT'
    if (!THRESHOLD_TYPES.includes(type as never))
      invalid(`Invalid threshold type '${String(type)}'. Valid values are ${THRESHOLD_TYPES.join(', ')}.`)
    const value = tc.value ?? DEFAULTS.thresholdPercent
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      invalid('The threshold value must be a positive integer.')
    out.thresholdConfiguration = { type: type as 'COUNT', value }
  }
  return out
}

function parseAlarms(raw: unknown): DeploymentConfig['alarms'] {
  const a = raw as Json
  if (!Array.isArray(a.alarmNames) || a.alarmNames.some(n => typeof n !== 'string'))
    invalid('alarms.alarmNames must be a list of alarm names.')
  if (typeof a.enable !== 'boolean' || typeof a.rollback !== 'boolean')
    invalid('alarms requires enable and rollback.')
  return { alarmNames: a.alarmNames as string[], enable: a.enable, rollback: a.rollback }
}

/** `raw` over `base` (UpdateService changes only what it names), checked as a whole. */
export function parseDeploymentConfig(raw: Json | undefined, base?: DeploymentConfig): DeploymentConfig {
  const cfg: DeploymentConfig = base
    ? structuredClone(base)
    : {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        circuitBreaker: { enable: false, rollback: false },
        extra: {}
      }
  if (!raw) return cfg
  const {
    minimumHealthyPercent,
    maximumPercent,
    deploymentCircuitBreaker,
    strategy,
    bakeTimeInMinutes,
    linearConfiguration,
    canaryConfiguration,
    lifecycleHooks,
    alarms,
    ...extra
  } = raw
  if (minimumHealthyPercent !== undefined) {
    if (typeof minimumHealthyPercent !== 'number' || minimumHealthyPercent < 0 || minimumHealthyPercent > 100)
      invalid('minimumHealthyPercent must be between 0 and 100.')
    cfg.minimumHealthyPercent = minimumHealthyPercent
  }
  if (maximumPercent !== undefined) {
    if (typeof maximumPercent !== 'number' || maximumPercent < 100 || maximumPercent > 200)
      invalid('maximumPercent must be between 100 and 200.')
    cfg.maximumPercent = maximumPercent
  }
  if (deploymentCircuitBreaker !== undefined) cfg.circuitBreaker = parseBreaker(deploymentCircuitBreaker)
  if (strategy !== undefined) {
    if (!STRATEGIES.includes(strategy as Strategy))
      invalid(`Invalid deployment strategy '${String(strategy)}'. Valid values are ${STRATEGIES.join(', ')}.`)
    cfg.strategy = strategy as Strategy
    // A new strategy drops the other strategy's configuration unless it is given again.
    if (strategy !== 'LINEAR' && linearConfiguration === undefined) delete cfg.linearConfiguration
    if (strategy !== 'CANARY' && canaryConfiguration === undefined) delete cfg.canaryConfiguration
  }
  if (bakeTimeInMinutes !== undefined) cfg.bakeTimeInMinutes = minutes(bakeTimeInMinutes, 'bakeTimeInMinutes')
  if (linearConfiguration !== undefined) {
    const l = linearConfiguration as Json
    cfg.linearConfiguration = {
      stepPercent: l.stepPercent === undefined ? undefined : tenths(l.stepPercent, 'stepPercent', 3, 100),
      stepBakeTimeInMinutes:
        l.stepBakeTimeInMinutes === undefined
          ? undefined
          : minutes(l.stepBakeTimeInMinutes, 'stepBakeTimeInMinutes')
    }
  }
  if (canaryConfiguration !== undefined) {
    const c = canaryConfiguration as Json
    cfg.canaryConfiguration = {
      canaryPercent:
        c.canaryPercent === undefined ? undefined : tenths(c.canaryPercent, 'canaryPercent', 0.1, 100),
      canaryBakeTimeInMinutes:
        c.canaryBakeTimeInMinutes === undefined
          ? undefined
          : minutes(c.canaryBakeTimeInMinutes, 'canaryBakeTimeInMinutes')
    }
  }
  if (lifecycleHooks !== undefined) {
    if (!Array.isArray(lifecycleHooks)) invalid('lifecycleHooks must be a list.')
    cfg.lifecycleHooks = lifecycleHooks.map(parseHook)
  }
  if (alarms !== undefined) cfg.alarms = parseAlarms(alarms)
  cfg.extra = { ...cfg.extra, ...extra }
  const strat = cfg.strategy ?? 'ROLLING'
  if (cfg.linearConfiguration && strat !== 'LINEAR')
    invalid('linearConfiguration is only supported with the LINEAR deployment strategy.')
  if (cfg.canaryConfiguration && strat !== 'CANARY')
    invalid('canaryConfiguration is only supported with the CANARY deployment strategy.')
  if (strat === 'ROLLING' && cfg.lifecycleHooks && cfg.lifecycleHooks.length > 0)
    invalid('lifecycleHooks are only supported with the BLUE_GREEN, LINEAR and CANARY deployment strategies.')
  if (strat !== 'ROLLING' && cfg.extra.earlySuccessCriteria !== undefined)
    invalid('earlySuccessCriteria is only supported with the ROLLING deployment strategy.')
  if (cfg.minimumHealthyPercent >= cfg.maximumPercent)
    invalid(
      'The minimumHealthyPercent must be lower than the maximumPercent, or no task could ever be replaced.'
    )
  return cfg
}

/** The load balancers of a BLUE_GREEN, LINEAR or CANARY service need their advancedConfiguration. */
export function checkLoadBalancers(strategy: Strategy | undefined, lbs: Json[]): void {
  if (!strategy || strategy === 'ROLLING') return
  for (const lb of lbs) {
    if (lb.targetGroupArn === undefined) continue
    const adv = lb.advancedConfiguration as Json | undefined
    if (!adv || typeof adv.alternateTargetGroupArn !== 'string' || typeof adv.roleArn !== 'string')
      invalid(
        `advancedConfiguration with alternateTargetGroupArn and roleArn is required for a load balancer of a ${strategy} deployment.`
      )
    if (typeof adv.productionListenerRule !== 'string')
      invalid('advancedConfiguration.productionListenerRule is required for an Application Load Balancer.')
  }
}

export function renderDeploymentConfig(c: DeploymentConfig): Json {
  const cb = c.circuitBreaker
  const out: Json = {
    ...c.extra,
    deploymentCircuitBreaker: {
      enable: cb.enable,
      rollback: cb.rollback,
      ...(cb.resetOnHealthyTask !== undefined ? { resetOnHealthyTask: cb.resetOnHealthyTask } : {}),
      ...(cb.thresholdConfiguration ? { thresholdConfiguration: { ...cb.thresholdConfiguration } } : {})
    },
    maximumPercent: c.maximumPercent,
    minimumHealthyPercent: c.minimumHealthyPercent
  }
  if (c.strategy) out.strategy = c.strategy
  if (c.bakeTimeInMinutes !== undefined) out.bakeTimeInMinutes = c.bakeTimeInMinutes
  if (c.linearConfiguration)
    out.linearConfiguration = {
      stepPercent: c.linearConfiguration.stepPercent ?? DEFAULTS.stepPercent,
      stepBakeTimeInMinutes: c.linearConfiguration.stepBakeTimeInMinutes ?? DEFAULTS.stepBakeTimeInMinutes
    }
  if (c.canaryConfiguration)
    out.canaryConfiguration = {
      canaryPercent: c.canaryConfiguration.canaryPercent ?? DEFAULTS.canaryPercent,
      canaryBakeTimeInMinutes:
        c.canaryConfiguration.canaryBakeTimeInMinutes ?? DEFAULTS.canaryBakeTimeInMinutes
    }
  if (c.lifecycleHooks)
    out.lifecycleHooks = c.lifecycleHooks.map(h =>
      JSON.parse(JSON.stringify({ ...h, timeoutConfiguration: h.timeoutConfiguration }))
    )
  if (c.alarms) out.alarms = { ...c.alarms, alarmNames: [...c.alarms.alarmNames] }
  return out
}

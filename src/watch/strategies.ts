/**
 * Which verdict judges a deployment, by the service's deployment strategy
 * (`deploymentConfiguration.strategy`). A new strategy is a `verdict-*.ts` beside ./verdict.ts and one
 * entry here; the loop asks only `verdictFor` and `watchesServiceDeployment`. BLUE_GREEN, LINEAR and
 * CANARY are judged by `nativeVerdict` (./verdict-native.ts) over their service deployment, read by
 * ./native.ts (the snapshot source DescribeServices cannot be for them).
 */
import type { DeploymentStrategy } from '@aws-sdk/client-ecs'
import { NATIVE_TRAFFIC_STRATEGIES, type Strategy } from '../strategy.js'
import { rollingVerdict, type VerdictFn } from './verdict.js'

const VERDICTS: { readonly [S in DeploymentStrategy]?: VerdictFn } = {
  ROLLING: rollingVerdict
}

/**
 * The verdict for a strategy. A strategy without its own verdict yet (BLUE_GREEN, LINEAR, CANARY) is
 * judged as a rolling update, as before this table existed: by its deployment in DescribeServices.
 */
export function verdictFor(strategy: DeploymentStrategy | string | undefined): VerdictFn {
  return VERDICTS[(strategy ?? 'ROLLING') as DeploymentStrategy] ?? rollingVerdict
}

/** True for the strategies whose progress is a service deployment (stages, weights, bake, hooks). */
export function watchesServiceDeployment(strategy: Strategy | undefined): boolean {
  return strategy !== undefined && NATIVE_TRAFFIC_STRATEGIES.has(strategy)
}

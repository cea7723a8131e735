/**
 * CANARY: canaryPercent (default 5) of production traffic moves first, then, after
 * canaryBakeTimeInMinutes (default 10), the rest at once; the deployment's bake follows.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/canary-deployment.html
 */
import { DEFAULTS } from '../deployment-config.js'
import type { DeploymentConfig } from '../state.js'
import { MINUTE, type ShiftStep, weight } from './steps.js'

export function canarySteps(cfg: DeploymentConfig): ShiftStep[] {
  const pct = weight(cfg.canaryConfiguration?.canaryPercent ?? DEFAULTS.canaryPercent)
  const bake = (cfg.canaryConfiguration?.canaryBakeTimeInMinutes ?? DEFAULTS.canaryBakeTimeInMinutes) * MINUTE
  return pct >= 100
    ? [{ weight: 100, bakeMs: 0 }]
    : [
        { weight: pct, bakeMs: bake },
        { weight: 100, bakeMs: 0 }
      ]
}

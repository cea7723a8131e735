/**
 * LINEAR: production traffic moves in equal steps of stepPercent (default 10), waiting
 * stepBakeTimeInMinutes (default 6) after each step but the last; the deployment's bake follows.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-linear.html
 */
import { DEFAULTS } from '../deployment-config.js'
import type { DeploymentConfig } from '../state.js'
import { MINUTE, type ShiftStep, weight } from './steps.js'

export function linearSteps(cfg: DeploymentConfig): ShiftStep[] {
  const step = cfg.linearConfiguration?.stepPercent ?? DEFAULTS.stepPercent
  const bake = (cfg.linearConfiguration?.stepBakeTimeInMinutes ?? DEFAULTS.stepBakeTimeInMinutes) * MINUTE
  const out: ShiftStep[] = []
  for (let i = 1; weight(step * i) < 100; i++) out.push({ weight: weight(step * i), bakeMs: bake })
  out.push({ weight: 100, bakeMs: 0 })
  return out
}

/**
 * BLUE_GREEN: all production traffic moves to green in one shift; the bake (BAKE_TIME) follows.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
 */
import type { DeploymentConfig } from '../state.js'
import type { ShiftStep } from './steps.js'

export function blueGreenSteps(_cfg: DeploymentConfig): ShiftStep[] {
  return [{ weight: 100, bakeMs: 0 }]
}

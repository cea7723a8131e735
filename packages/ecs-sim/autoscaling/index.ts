/**
 * Application Auto Scaling for ECS services (AWS JSON 1.1, X-Amz-Target `AnyScaleFrontendService.<name>`,
 * signing name `application-autoscaling`), one module per resource.
 */
import type { Json } from '../util.js'
import { ACTIVITY_HANDLERS } from './activities.js'
import { POLICY_HANDLERS } from './policies.js'
import { TARGET_HANDLERS } from './targets.js'
import type { AasCall } from './validate.js'

export type { AasCall } from './validate.js'
export { evaluateScaling } from './loop.js'

export const AAS_HANDLERS: Record<string, (call: AasCall) => Json | Promise<Json>> = {
  ...TARGET_HANDLERS,
  ...POLICY_HANDLERS,
  ...ACTIVITY_HANDLERS
}

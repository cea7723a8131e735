/** The ECS operations (X-Amz-Target `AmazonEC2ContainerServiceV20141113.<name>`), one module per resource. */
import type { Handler } from './call.js'
import { CLUSTER_HANDLERS } from './clusters.js'
import { SERVICE_DEPLOYMENT_HANDLERS } from './service-deployments.js'
import { SERVICE_HANDLERS } from './services.js'
import { TAG_HANDLERS } from './tags.js'
import { TASK_DEFINITION_HANDLERS } from './task-definitions.js'
import { TASK_HANDLERS } from './tasks.js'
import { CAPACITY_HANDLERS } from '../capacity/handlers.js'

export type { EcsCall, Handler } from './call.js'

export const ECS_HANDLERS: Record<string, Handler> = {
  ...CLUSTER_HANDLERS,
  ...TASK_DEFINITION_HANDLERS,
  ...SERVICE_HANDLERS,
  ...TASK_HANDLERS,
  ...SERVICE_DEPLOYMENT_HANDLERS,
  ...TAG_HANDLERS,
  ...CAPACITY_HANDLERS
}

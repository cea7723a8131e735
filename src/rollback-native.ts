/**
 * Rollback of a native traffic-shifting deployment (BLUE_GREEN, LINEAR, CANARY): StopServiceDeployment
 * with stopType ROLLBACK, which shifts traffic back to the source revision while it still runs, then a
 * bounded wait for ROLLBACK_SUCCESSFUL. Not an UpdateService to the old revision: that would be a whole
 * new deployment.
 *
 * AWS documentation: StopServiceDeployment:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html
 */
import * as core from '@actions/core'
import { arnTail } from './arn.js'
import { errorMessage } from './errors.js'
import type { RollbackRequest, RollbackResult } from './rollback.js'
import { inert } from './untrusted.js'
import { watchServiceDeployment } from './watch/native.js'
import { stopServiceDeployment } from './watch/service-deployment.js'

const ROLLBACK_WAIT_MS = 10 * 60_000

export async function stopAndRollBack(
  request: RollbackRequest,
  serviceDeploymentArn: string
): Promise<RollbackResult> {
  const name = arnTail(serviceDeploymentArn)
  const to = request.policy.taskDefinitionArn
  core.info(inert(`Rolling back service deployment ${name} (StopServiceDeployment, stopType ROLLBACK)`))
  try {
    request.meter?.record()
    await stopServiceDeployment(request.ecs, serviceDeploymentArn, 'ROLLBACK')
    if (request.cancelled) {
      return {
        status: 'started',
        message: `Rollback of service deployment ${name} started (StopServiceDeployment ROLLBACK); the run was cancelled, so it was not waited for.`,
        taskDefinitionArn: to
      }
    }
    const settled = await watchServiceDeployment({
      ecs: request.ecs,
      cluster: request.cluster,
      service: request.service,
      deploymentId: '',
      taskDefinitionArn: request.failedTaskDefinitionArn ?? '',
      serviceDeploymentArn,
      since: new Date(),
      timeoutMs: request.waitMs ?? ROLLBACK_WAIT_MS,
      maxFailedTasks: Number.MAX_SAFE_INTEGER,
      onProgress: line => core.info(inert(line)),
      sleep: request.sleep,
      now: request.now,
      meter: request.meter
    })
    const status = settled.serviceDeployment?.status
    if (status === 'ROLLBACK_SUCCESSFUL') {
      return {
        status: 'completed',
        message: `Rolled back service deployment ${name}: traffic is back on the source revision (ROLLBACK_SUCCESSFUL).`,
        taskDefinitionArn: to
      }
    }
    return {
      status: 'failed',
      message: `Rollback of service deployment ${name} did not succeed: ${settled.message}`,
      taskDefinitionArn: to
    }
  } catch (error) {
    return {
      status: 'failed',
      message: `Rollback of service deployment ${name} failed: ${errorMessage(error)}`,
      taskDefinitionArn: to
    }
  }
}

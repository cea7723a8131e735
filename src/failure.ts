/**
 * After a failed, timed-out or cancelled deployment: diagnose the causes, attach the logs of the tasks that
 * stopped, roll back as the plan's policy says, and end the run with one DeployError saying all of it.
 */
import * as core from '@actions/core'
import type { Deployment, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import type { AwsClients } from './aws.js'
import { diagnose } from './diagnose/causes.js'
import { DeployError } from './errors.js'
import { attachLogTails } from './logs.js'
import type { ServiceTarget } from './plan.js'
import { annotateCauses, failureMessage, otherCauses } from './report/annotations.js'
import { printCauses } from './report/log.js'
import type { DeployReport } from './report/types.js'
import { rollBack } from './rollback.js'
import { inert } from './untrusted.js'
import type { CallMeter } from './watch/call-meter.js'
import type { WatchOutcome } from './watch/loop.js'

export interface FailedDeployment {
  clients: AwsClients
  target: ServiceTarget
  outcome: WatchOutcome
  /** The task definition as registered: the causes point into it (undefined for a resume step). */
  rendered?: RegisterTaskDefinitionCommandInput
  /** The deployment our update started (undefined for a resume step). */
  ours?: Deployment
  report: DeployReport
  signal: AbortSignal
  /** The run's ECS call meter, shared with the main wait. */
  meter: CallMeter
  /** The rollback wait's sleep (a test's clock); by default a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
}

/** Ends a message with a full stop, so two can follow each other. */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`
}

/** Always throws: the run failed. What was found and done is in `report` first. */
export async function handleFailedDeployment(failed: FailedDeployment): Promise<never> {
  const { clients, target, outcome, report } = failed
  const causes = diagnose(outcome, failed.rendered)
  report.causes = causes
  for (const note of outcome.notes) core.info(inert(note))
  report.notes.push(...(await attachLogTails(clients.logs, causes)))
  printCauses(causes)
  report.rollback = await rollBack({
    ecs: clients.ecs,
    cluster: target.update.cluster,
    service: target.name,
    policy: target.rollback,
    failedTaskDefinitionArn: failed.ours?.taskDefinition,
    outcome,
    cancelled: failed.signal.aborted,
    meter: failed.meter,
    sleep: failed.sleep,
    strategy: target.watch.strategy,
    // No room for our tasks: the rollback's new tasks need room too, and no instance will be added.
    noWait:
      outcome.capacity?.action === 'fail'
        ? `its tasks need room on the cluster's container instances too (${outcome.capacity.title.toLowerCase()})`
        : undefined
  })
  report.headline = `${sentence(outcome.message)} ${report.rollback.message}`
  // The first cause travels in the run's one "Deployment failed" error, with the verdict folded in.
  annotateCauses(otherCauses(causes))
  throw new DeployError('Deployment failed', failureMessage(report))
}

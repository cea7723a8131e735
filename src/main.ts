/**
 * The main step: inputs → plan → image → render → register → update → watch → (rollback) → report.
 * Each phase runs in a log group; every failure travels up as one DeployError to the single catch below.
 */
import * as core from '@actions/core'
import type { Deployment } from '@aws-sdk/client-ecs'
import { createClients, type AwsClients } from './aws.js'
import { commitSha, resolveImage } from './build.js'
import { DeployError, inPhase, type Phase } from './errors.js'
import { exec as realExec, type Exec } from './exec.js'
import { readInputs, type ActionInputs } from './inputs.js'
import { makePlan, relativeToWorkspace, type Plan } from './plan.js'
import { registerTaskDefinition, updateService } from './service.js'
import { markPost } from './state.js'
import { renderTaskDefinition } from './task-definition.js'
import { CallMeter, watchDeployment, type WatchOutcome } from './watch.js'
import { diagnose } from './diagnose.js'
import { attachLogTails } from './logs.js'
import {
  annotateCauses,
  consoleUrl,
  failureMessage,
  flushWarnings,
  otherCauses,
  printCauses,
  setOutputs,
  writeSummary,
  type DeployReport
} from './report.js'
import { previousImage } from './report/previous.js'
import { rollBack } from './rollback.js'
import { inert, toStdout } from './untrusted.js'

export interface Dependencies {
  clients?: AwsClients
  exec?: Exec
  workspace?: string
  /** Aborted on cancellation; by default SIGINT/SIGTERM abort it. */
  signal?: AbortSignal
}

/** One phase in its log group: timed, and any error passing through is stamped with the phase. */
async function phase<T>(id: Phase, name: string, report: DeployReport, fn: () => Promise<T>): Promise<T> {
  const started = Date.now()
  try {
    return await core.group(name, fn)
  } catch (error) {
    throw inPhase(error, id)
  } finally {
    report.timings?.push({ phase: name, id, ms: Date.now() - started, at: new Date(started) })
  }
}

/** Secrets the runner's environment may hold: masked before anything is printed. */
function maskEnvironmentCredentials(): void {
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']) {
    const value = process.env[name]
    if (value) core.setSecret(value)
  }
}

/** A run cancelled before the service was touched stops there: nothing to roll back. */
function stopIfCancelled(signal: AbortSignal, when: string, before: Phase): void {
  if (signal.aborted) {
    throw inPhase(
      new DeployError('Cancelled', `The run was cancelled ${when}; the service was not changed.`),
      before
    )
  }
}

/** Ends a message with a full stop, so two can follow each other. */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`
}

function describeRevision(arn: string | undefined): string {
  return arn ? (arn.split('/').pop() ?? arn) : 'unknown'
}

export async function run(deps: Dependencies = {}): Promise<void> {
  markPost()
  maskEnvironmentCredentials()
  const report: DeployReport = { ok: false, headline: '', causes: [], notes: [], timings: [] }
  const controller = new AbortController()
  const signal = deps.signal ?? controller.signal
  const onSignal = (name: string) => () => {
    core.warning(`Received ${name}: the run was cancelled; stopping the wait.`)
    controller.abort()
  }
  const onInt = onSignal('SIGINT')
  const onTerm = onSignal('SIGTERM')
  if (!deps.signal) {
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
  }
  const exec = deps.exec ?? realExec
  const workspace = deps.workspace ?? process.env.GITHUB_WORKSPACE ?? process.cwd()
  let inputs: ActionInputs | undefined
  try {
    try {
      inputs = readInputs()
    } catch (error) {
      throw inPhase(error, 'inputs')
    }
    const clients = deps.clients ?? createClients({ region: inputs.awsRegion })
    report.cluster = inputs.cluster
    report.service = inputs.service
    if (inputs.service) report.consoleUrl = consoleUrl(inputs.awsRegion, inputs.cluster, inputs.service)

    const plan = await phase('plan', 'Plan', report, async () => {
      const given = inputs as ActionInputs
      // The commit names the built image's tag: read only when something is built.
      const sha = given.repository && !given.image ? await commitSha(exec, workspace) : ''
      return makePlan(given, clients, workspace, sha)
    })
    report.previousTaskDefinitionArn = plan.previousTaskDefinitionArn
    report.previousImage = await previousImage(
      clients.ecs,
      plan.previousTaskDefinitionArn,
      plan.containerName
    )

    const image = await phase('image', 'Image', report, () =>
      resolveImage(plan.image, { clients, exec, sha: plan.sha, workspace }, toStdout)
    )
    if (image) {
      report.image = image.image
      report.imageDigest = image.digest
      report.imageTags = image.tags
      core.info(inert(`Image: ${image.image} (${image.source})`))
    }

    stopIfCancelled(signal, 'before registering a task definition', 'register')
    const rendered =
      image && plan.containerName
        ? renderTaskDefinition(plan.base.input, plan.containerName, image.image)
        : plan.base.input
    const registered = await phase('register', 'Register task definition', report, () =>
      registerTaskDefinition(clients.ecs, rendered, plan.base.tags)
    )
    const taskDefinitionArn = registered.taskDefinitionArn as string
    report.taskDefinitionArn = taskDefinitionArn
    core.info(inert(`Registered ${describeRevision(taskDefinitionArn)}`))
    setOutputs(report)

    if (!plan.inputs.service) {
      report.ok = true
      report.headline = `Registered ${describeRevision(taskDefinitionArn)} (no service to update)`
      return
    }
    stopIfCancelled(signal, 'before updating the service', 'update')
    const update = await phase('update', 'Update service', report, () =>
      updateService(clients.ecs, {
        cluster: plan.inputs.cluster,
        service: plan.inputs.service as string,
        taskDefinitionArn,
        desiredCount: plan.inputs.desiredCount,
        forceNewDeployment: plan.inputs.forceNewDeployment,
        propagateTags: plan.inputs.propagateTags,
        enableEcsManagedTags: plan.inputs.enableEcsManagedTags
      })
    )
    const deploymentId = update.deployment.id as string
    report.deploymentId = deploymentId
    report.updatedAt = update.at
    setOutputs(report)
    core.info(
      inert(
        `Service ${plan.inputs.service} is deploying ${describeRevision(taskDefinitionArn)} as ${deploymentId}`
      )
    )

    if (!plan.inputs.waitForServiceStability) {
      report.ok = true
      report.headline = `Started deployment ${deploymentId} of ${describeRevision(taskDefinitionArn)} (not waiting)`
      return
    }

    // One ECS call budget for the whole wait, a rollback included.
    const meter = new CallMeter()
    const outcome = await phase('watch', 'Wait for the deployment', report, () =>
      watchDeployment({
        ecs: clients.ecs,
        cluster: plan.inputs.cluster,
        service: plan.inputs.service as string,
        deploymentId,
        taskDefinitionArn,
        since: update.at,
        knownEventIds: (update.service.events ?? []).flatMap(e => (e.id ? [e.id] : [])),
        timeoutMs: plan.inputs.waitForMinutes * 60_000,
        maxFailedTasks: plan.maxFailedTasks,
        signal,
        meter,
        onEvent: event => core.info(inert(`${event.createdAt?.toISOString() ?? ''} ${event.message ?? ''}`))
      })
    )
    report.outcome = outcome
    if (outcome.status === 'completed') {
      report.ok = true
      report.headline = outcome.message
      core.info(inert(outcome.message))
      return
    }
    try {
      await handleFailedDeployment(plan, clients, outcome, rendered, report, signal, update.deployment, meter)
    } catch (error) {
      throw inPhase(error, 'watch')
    }
  } catch (error) {
    fail(error, report, workspace)
  } finally {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
    setOutputs(report)
    flushWarnings()
    // Outside a runner (a local run without GITHUB_STEP_SUMMARY) there is nowhere to write it.
    if (process.env.GITHUB_STEP_SUMMARY) await writeSummary(report)
  }
}

async function handleFailedDeployment(
  plan: Plan,
  clients: AwsClients,
  outcome: WatchOutcome,
  rendered: Parameters<typeof diagnose>[1],
  report: DeployReport,
  signal: AbortSignal,
  ours: Deployment,
  meter: CallMeter
): Promise<void> {
  const causes = diagnose(outcome, rendered)
  report.causes = causes
  for (const note of outcome.notes) core.info(inert(note))
  report.notes.push(...(await attachLogTails(clients.logs, causes)))
  printCauses(causes)
  report.rollback = await rollBack({
    ecs: clients.ecs,
    cluster: plan.inputs.cluster,
    service: plan.inputs.service as string,
    enabled: plan.inputs.rollback,
    previousTaskDefinitionArn: plan.previousTaskDefinitionArn,
    failedTaskDefinitionArn: ours.taskDefinition,
    outcome,
    cancelled: signal.aborted,
    meter
  })
  report.headline = `${sentence(outcome.message)} ${report.rollback.message}`
  // The first cause travels in the run's one "Deployment failed" error, with the verdict folded in.
  annotateCauses(otherCauses(causes))
  throw new DeployError('Deployment failed', failureMessage(report))
}

/** What the runner reads as a failed step (the value of @actions/core's ExitCode.Failure). */
const EXIT_FAILURE = 1

/**
 * The one error path: a single failure annotation, with the file and line when there is one. It uses only
 * what every @actions/core has (`error` with annotation properties, no `ExitCode`): @github/local-action
 * runs this file with its own stub of @actions/core, which lacks `ExitCode`. `core.setFailed` would do,
 * but cannot carry the title, file and line.
 */
function fail(error: unknown, report: DeployReport, workspace: string): void {
  const deployError = inPhase(error, 'report')
  report.failedPhase = deployError.phase
  if (!report.headline) report.headline = deployError.message
  report.ok = false
  const message = deployError.hint ? `${deployError.message}\nHint: ${deployError.hint}` : deployError.message
  core.error(message, {
    title: deployError.title,
    file: deployError.file ? relativeToWorkspace(deployError.file, workspace) : undefined,
    startLine: deployError.line,
    startColumn: deployError.column
  })
  process.exitCode = EXIT_FAILURE
  if (!(error instanceof DeployError) && error instanceof Error && error.stack) core.debug(inert(error.stack))
}

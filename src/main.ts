/**
 * The main step: inputs → plan → image → render → register → update → watch → (rollback) → report.
 * Each phase runs in a log group; every failure travels up as one DeployError to the single catch below.
 */
import * as core from '@actions/core'
import { arnTail } from './arn.js'
import { createClients, type AwsClients } from './aws.js'
import { commitSha, imageLine, resolveImage } from './image.js'
import { DeployError, inPhase } from './errors.js'
import { phase, stopIfCancelled } from './phase.js'
import { chartMetrics, watch, watchAfter } from './after-update.js'
import { exec as realExec, type Exec } from './exec.js'
import { handleFailedDeployment, type FailedDeployment } from './failure.js'
import { readInputs, type ActionInputs } from './inputs.js'
import { decide, gatherFacts, relativeToWorkspace, type PlanNotice } from './plan.js'
import { resumeServiceDeployment } from './pause.js'
import { updateService } from './service.js'
import { markPost } from './state.js'
import { applyScaling } from './scaling.js'
import { changesAnything } from './scaling-plan.js'
import { registerTaskDefinition } from './task-definition/register.js'
import { renderTaskDefinition } from './task-definition/render.js'
import type { Sleep } from './watch/call.js'
import { CallMeter } from './watch/call-meter.js'
import { capacityWatcher } from './watch/capacity.js'
import { capacityCause, taskNeeds } from './diagnose/placement.js'
import type { WatchOutcome } from './watch/loop.js'
import { flushWarnings, warning } from './report/annotations.js'
import { consoleUrl, setOutputs } from './report/outputs.js'
import { writeSummary } from './report/summary.js'
import type { DeployReport } from './report/types.js'
import { previousImage } from './report/previous.js'
import { inert, toStdout } from './untrusted.js'

export interface Dependencies {
  clients?: AwsClients
  exec?: Exec
  workspace?: string
  /** Aborted on cancellation; by default SIGINT/SIGTERM abort it. */
  signal?: AbortSignal
  /** The waits' sleep between polls (a test's clock); by default a timer the signal ends. */
  sleep?: Sleep
}

/** Secrets the runner's environment may hold: masked before anything is printed. */
function maskEnvironmentCredentials(): void {
  for (const name of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']) {
    const value = process.env[name]
    if (value) core.setSecret(value)
  }
}

/** The plan phase's warnings and notices, as annotations pointing into the workspace's files. */
function announce(notices: PlanNotice[], workspace: string): void {
  for (const n of notices) {
    // Warnings count against the step's annotation limit (report/annotations.ts); notices do not.
    const print = n.level === 'warning' ? warning : core.notice
    print(n.message, {
      title: n.title,
      file: n.file ? relativeToWorkspace(n.file, workspace) : undefined,
      startLine: n.line,
      startColumn: n.column
    })
  }
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
  // Set once the service was updated and watched: the CPU and memory read for the summary (best effort).
  let readMetrics: (() => Promise<void>) | undefined
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
      // What reading finds is printed as soon as it is read, whatever fails after.
      const facts = await gatherFacts(given, clients, workspace, {
        onNotices: notices => announce(notices, workspace)
      })
      const decided = decide(given, facts, sha)
      announce(
        decided.targets.flatMap(t => t.service?.notices ?? []),
        workspace
      )
      return decided
    })
    if (plan.resume) {
      const { resume } = plan
      report.serviceDeploymentArn = resume.serviceDeploymentArn
      const resumed = await phase('watch', 'Resume the paused deployment', report, () =>
        resumeServiceDeployment(clients.ecs, resume.serviceDeploymentArn, resume.action)
      )
      // One ECS call budget for the whole wait, a rollback included.
      const meter = new CallMeter()
      const outcome = await watch(
        clients,
        resume.service,
        report,
        signal,
        meter,
        {
          deploymentId: '',
          taskDefinitionArn: '',
          since: resumed.createdAt ?? new Date(),
          serviceDeploymentArn: resume.serviceDeploymentArn
        },
        deps.sleep
      )
      await conclude(outcome, { clients, target: resume.service, report, signal, meter, sleep: deps.sleep })
      return
    }
    // Everything the run will do is decided; from here on it is done. Today a run has one target.
    const [target] = plan.targets
    report.previousTaskDefinitionArn = target.service?.previousTaskDefinitionArn
    report.previousImage = await previousImage(
      clients.ecs,
      target.service?.previousTaskDefinitionArn,
      target.containers[0]
    )

    const image = await phase('image', 'Image', report, () =>
      resolveImage(plan.image, { clients, exec, sha: plan.sha, workspace }, toStdout)
    )
    if (image) {
      report.image = image.image
      report.imageDigest = image.digest
      report.imageTags = image.tags
      core.info(inert(imageLine(image)))
    }

    stopIfCancelled(signal, 'before registering a task definition', 'register')
    const base = target.taskDefinition
    const rendered = image
      ? target.containers.reduce((td, name) => renderTaskDefinition(td, name, image.image), base.input)
      : base.input
    const registered = await phase('register', 'Register task definition', report, () =>
      registerTaskDefinition(clients.ecs, rendered, base.tags)
    )
    const taskDefinitionArn = registered.taskDefinitionArn as string
    const revision = arnTail(taskDefinitionArn)
    report.taskDefinitionArn = taskDefinitionArn
    core.info(inert(`Registered ${revision}`))
    setOutputs(report)

    const service = target.service
    if (!service) {
      report.ok = true
      report.headline = `Registered ${revision} (no service to update)`
      return
    }
    stopIfCancelled(signal, 'before updating the service', 'update')
    const { scaling } = service
    if (scaling) {
      const changed = changesAnything(scaling)
      if (changed)
        await phase('update', 'Apply auto scaling', report, () => applyScaling(clients.scaling, scaling))
      // In the summary once it is so (a failed apply is the run's error instead).
      report.scaling = { ...scaling, changed }
      core.info(inert(`Auto scaling of ${scaling.resourceId}: ${changed ? 'applied' : 'unchanged'}`))
    }
    const update = await phase('update', 'Update service', report, () =>
      updateService(clients.ecs, { ...service.update, taskDefinitionArn })
    )
    const deploymentId = update.deployment.id as string
    report.deploymentId = deploymentId
    report.updatedAt = update.at
    setOutputs(report)
    core.info(inert(`Service ${service.name} is deploying ${revision} as ${deploymentId}`))

    if (!service.watch.wait) {
      report.ok = true
      report.headline = `Started deployment ${deploymentId} of ${revision} (not waiting)`
      return
    }

    readMetrics = () => chartMetrics(clients, service, update.at, report, signal)
    // One ECS call budget for the whole wait, a rollback included.
    const meter = new CallMeter()
    const outcome = await watch(
      clients,
      service,
      report,
      signal,
      meter,
      {
        deploymentId,
        taskDefinitionArn,
        since: update.at,
        knownEventIds: (update.service.events ?? []).flatMap(e => (e.id ? [e.id] : [])),
        onUnplaced: capacityWatcher(clients.ecs, service.update.cluster, taskNeeds(rendered), f =>
          core.notice(inert(f.detail), { title: f.title })
        )
      },
      deps.sleep
    )
    const final =
      outcome.status === 'completed' && service.watch.after
        ? await watchAfter(clients, service.watch.after, outcome, report, signal, deps.sleep)
        : outcome
    await conclude(final, {
      clients,
      target: service,
      rendered,
      ours: update.deployment,
      report,
      signal,
      meter,
      sleep: deps.sleep
    })
  } catch (error) {
    fail(error, report, workspace)
  } finally {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
    await readMetrics?.()
    setOutputs(report)
    flushWarnings()
    // Outside a runner (a local run without GITHUB_STEP_SUMMARY) there is nowhere to write it.
    if (process.env.GITHUB_STEP_SUMMARY) await writeSummary(report)
  }
}

/** Green at the end (or at a pause the run returns at), else the failure path: causes, rollback, red. */
async function conclude(outcome: WatchOutcome, failed: Omit<FailedDeployment, 'outcome'>): Promise<void> {
  const { report } = failed
  if (outcome.status === 'completed' || outcome.status === 'paused') {
    report.ok = true
    report.headline = outcome.message
    report.hookId = outcome.hookId
    // Green after waiting for capacity: the summary still says which resource ran out.
    if (outcome.capacity) report.causes.push(capacityCause(outcome.capacity))
    core.info(inert(outcome.message))
    return
  }
  try {
    await handleFailedDeployment({ ...failed, outcome })
  } catch (error) {
    throw inPhase(error, 'watch')
  }
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

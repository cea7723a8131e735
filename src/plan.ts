/**
 * The plan: everything a run will do, known before the first mutating call.
 * - `gatherFacts` reads: the task definition file, the build paths, the cluster and service, the revision
 *   to start from when no file is given. Paths are checked before any AWS call.
 * - `decide` is pure (no client, no `core`, no fs): inputs + facts → Plan. The Plan holds decisions only:
 *   the targets (service, base task definition, containers that get the image), the image decision, the
 *   update request, the watch settings and the rollback policy. A dry run is "stop after decide".
 * What reading finds worth an annotation (the file's warnings, what was left out so ECS takes it) is
 * handed to the caller as soon as it is read (`GatherHooks.onNotices`), so a failure after it, in
 * gatherFacts or decide, does not swallow it; decide prints nothing and adds no annotation of its own.
 * A bad input fails in one of the two, so no task definition is registered and no service is touched.
 */
import path from 'node:path'
import type { Service, Tag, TaskDefinition } from '@aws-sdk/client-ecs'
import { arnTail } from './arn.js'
import type { AwsClients } from './aws.js'
import { DeployError } from './errors.js'
import type { ActionInputs, OnPause, ResumeAction } from './inputs.js'
import { resumePlan, watchPolicy } from './plan-watch.js'
import { gatherScalingFacts, scalingDecision, type ScalingFacts } from './plan-scaling.js'
import type { ScalingChange } from './scaling-plan.js'
import type { Strategy } from './strategy.js'
import { defaultTag, parseImageReference, parseRepositoryInput, type BuildInputs } from './image-ref.js'
import {
  fromDescribedTaskDefinition,
  loadTaskDefinitionFile,
  type LoadedTaskDefinition
} from './task-definition/load.js'
import { assertRegistrable } from './task-definition/registrable.js'
import { selectContainer } from './task-definition/render.js'
import {
  currentTaskDefinition,
  describeTaskDefinition,
  findCluster,
  findService,
  type UpdateRequest
} from './service.js'
import { baseNotices, fileWarnings, type PlanNotice } from './plan-notices.js'
import { resolveBuildPaths, type BuildPaths } from './build-paths.js'

export type { BuildPaths }

/** The `repository` input, parsed: an ECR repository name, with the registry when the input named one. */
export type RepositoryInput = ReturnType<typeof parseRepositoryInput>

/**
 * What the image phase does (decided in the plan, done in src/image.ts):
 * - keep: no image input; the task definition's images stay as they are;
 * - given: deploy the `image` input (pinned by digest when ECR knows the tag);
 * - build: build and push to `repository` (or reuse the image already pushed for this commit and these
 *   build inputs when `reuseExisting`), tagged `tags` (the first is the commit's own tag).
 */
export type ImageDecision =
  | { kind: 'keep' }
  | { kind: 'given'; image: string; ref: ReturnType<typeof parseImageReference> }
  | {
      kind: 'build'
      /** The input as the user wrote it, for messages. */
      repositoryText: string
      repository: RepositoryInput
      createRepository: boolean
      reuseExisting: boolean
      build: BuildInputs
      /** The build's context and Dockerfile as real paths inside the workspace. */
      paths: BuildPaths
      /** The commit's tag first, then the `tags` input's. */
      tags: string[]
    }

/** How long and how strictly to watch the deployment an update starts. */
export interface WatchPolicy {
  /** wait-for-service-stability: false ends the run once ECS accepted the update. */
  wait: boolean
  timeoutMs: number
  /** Failed tasks of our deployment that end the wait (the service's circuit-breaker threshold by default). */
  maxFailedTasks: number
  /** How ECS deploys the service: ROLLING is watched in DescribeServices, the others as service deployments. */
  strategy: Strategy
  /** The CloudWatch alarms ECS watches during the deployment (the service's deploymentConfiguration.alarms). */
  alarms: string[]
  /** What to do when a PAUSE lifecycle hook waits (native strategies only). */
  onPause: OnPause
  /** The post-deploy watch (watch-minutes): how long, and the alarms to poll; undefined: none. */
  after?: { ms: number; alarms: string[] }
}

/** What to do when the deployment fails, times out or is cancelled. */
export interface RollbackPolicy {
  enabled: boolean
  /** The revision to go back to: what the service ran before; undefined when it ran none. */
  taskDefinitionArn?: string
}

/** A service the run moves onto the new revision. */
export interface ServiceTarget {
  name: string
  /** The UpdateService request, all but the revision (known once it is registered). */
  update: Omit<UpdateRequest, 'taskDefinitionArn'>
  /** What the service ran before this deploy (shown in the summary). */
  previousTaskDefinitionArn?: string
  watch: WatchPolicy
  rollback: RollbackPolicy
  /** Auto scaling to apply before the update (scaling inputs); undefined: none asked for. */
  scaling?: ScalingChange
  /** What the plan decided that the user should hear (a desired-count ignored or clamped). */
  notices: PlanNotice[]
}

/**
 * One task definition to register, the containers in it that get the image, and the service (if any) to
 * update to it. Today a run has exactly one target; several services, or several containers per task
 * definition, are more entries and more names, not a new shape.
 */
export interface Target {
  cluster: string
  /** The task definition the new revision starts from (checked: ECS would register it). */
  taskDefinition: LoadedTaskDefinition
  /** Containers that get the image of `Plan.image`; empty when the images stay as they are. */
  containers: string[]
  /** Undefined: register only. */
  service?: ServiceTarget
}

/** A second step continuing a deployment a PAUSE hook holds: nothing is built, registered or updated. */
export interface ResumePlan {
  cluster: string
  service: ServiceTarget
  serviceDeploymentArn: string
  action: ResumeAction
}

export interface Plan {
  /** Empty when resuming. */
  targets: Target[]
  resume?: ResumePlan
  image: ImageDecision
  /** The commit being deployed; empty when nothing is built. */
  sha: string
}

/** What gatherFacts found: plain data, so decide can be fed it from a table. */
export type { PlanNotice }
export { baseNotices, fileWarnings }

export interface Facts extends ScalingFacts {
  /** The `context` and `dockerfile` inputs confined to the workspace; only when something is built. */
  buildPaths?: BuildPaths
  /** The service as ECS described it (in a cluster that exists); undefined when no service is given. */
  service?: Service
  /**
   * The task definition to start from: the file, else the revision read from ECS (the family's latest
   * ACTIVE one, else the service's current one); undefined when there is none.
   */
  base?: LoadedTaskDefinition
}

/** The `repository` and `image` inputs parsed (pure; each throws naming its input). */
function parseReferences(inputs: ActionInputs): {
  repository?: RepositoryInput
  image?: ReturnType<typeof parseImageReference>
} {
  return {
    repository: inputs.repository ? parseRepositoryInput(inputs.repository) : undefined,
    image: inputs.image ? parseImageReference(inputs.image) : undefined
  }
}

export interface GatherHooks {
  /**
   * What reading found, to print now: the file's warnings once it is read (before any AWS call), then
   * the base's notices once it is known.
   */
  onNotices?: (notices: PlanNotice[]) => void
}

/**
 * The I/O of the plan. Cheapest first: the references are parsed (no I/O), then every path must lie
 * inside the workspace (nothing is read otherwise, and no AWS call is made), then ECS is asked.
 */
export async function gatherFacts(
  inputs: ActionInputs,
  clients: AwsClients,
  workspace: string,
  hooks: GatherHooks = {}
): Promise<Facts> {
  const { repository } = parseReferences(inputs)
  const file = inputs.taskDefinition
    ? await loadTaskDefinitionFile(inputs.taskDefinition, workspace)
    : undefined
  const buildPaths = repository ? await resolveBuildPaths(inputs, workspace) : undefined
  if (file) hooks.onNotices?.(fileWarnings(file))

  let service: Service | undefined
  if (inputs.service) {
    await findCluster(clients.ecs, inputs.cluster)
    service = await findService(clients.ecs, inputs.cluster, inputs.service)
  }
  let base = file
  const source =
    file || inputs.resume
      ? undefined
      : (inputs.taskDefinitionFamily ?? (service && currentTaskDefinition(service)))
  if (source) {
    const described = await describeTaskDefinition(
      clients.ecs,
      source,
      inputs.taskDefinitionFamily
        ? { input: 'task-definition-family' }
        : { input: 'service', service: inputs.service ?? '' }
    )
    base = describedBase(inputs, source, described.taskDefinition, described.tags)
  }
  if (base) hooks.onNotices?.(baseNotices(base))
  const scalingNotices: PlanNotice[] = []
  const scaling = await gatherScalingFacts(inputs, clients, service, scalingNotices)
  if (scalingNotices.length > 0) hooks.onNotices?.(scalingNotices)
  return { base, buildPaths, service, ...scaling }
}

/**
 * A revision read from ECS as the base, named for messages by where it came from. `source` is what was
 * described: the `task-definition-family` input, else the service's current revision's ARN.
 */
export function describedBase(
  inputs: ActionInputs,
  source: string,
  taskDefinition: TaskDefinition,
  tags?: Tag[]
): LoadedTaskDefinition {
  const label = inputs.taskDefinitionFamily
    ? `family ${inputs.taskDefinitionFamily} (latest ACTIVE revision)`
    : `service ${inputs.service} (current task definition ${arnTail(source)})`
  return fromDescribedTaskDefinition(taskDefinition, tags, label)
}

function imageDecision(
  inputs: ActionInputs,
  refs: ReturnType<typeof parseReferences>,
  facts: Facts,
  sha: string
): ImageDecision {
  if (refs.image) return { kind: 'given', image: inputs.image as string, ref: refs.image }
  if (!refs.repository) return { kind: 'keep' }
  if (!facts.buildPaths) throw new Error('decide: a build needs facts.buildPaths (gatherFacts resolves them)')
  const build: BuildInputs = {
    context: inputs.context,
    dockerfile: inputs.dockerfile,
    buildArgs: inputs.buildArgs,
    target: inputs.target,
    platforms: inputs.platforms,
    network: inputs.network
  }
  const mainTag = defaultTag(sha, build)
  return {
    kind: 'build',
    repositoryText: inputs.repository as string,
    repository: refs.repository,
    createRepository: inputs.createRepository,
    reuseExisting: inputs.skipExisting,
    build,
    paths: facts.buildPaths,
    tags: [mainTag, ...inputs.tags.filter(t => t !== mainTag)]
  }
}

function serviceTarget(inputs: ActionInputs, name: string, facts: Facts): ServiceTarget {
  const { service } = facts
  const previous = service ? currentTaskDefinition(service) : undefined
  const scaling = scalingDecision(inputs, service, facts)
  const desiredCount = scaling.desired.desiredCount ?? service?.desiredCount ?? 1
  const watch = watchPolicy(inputs, service, desiredCount)
  if (inputs.watchMinutes > 0) watch.after = { ms: inputs.watchMinutes * 60_000, alarms: scaling.afterAlarms }
  return {
    name,
    update: {
      cluster: inputs.cluster,
      service: name,
      desiredCount: scaling.desired.desiredCount,
      forceNewDeployment: inputs.forceNewDeployment,
      propagateTags: inputs.propagateTags,
      enableEcsManagedTags: inputs.enableEcsManagedTags
    },
    previousTaskDefinitionArn: previous,
    watch,
    rollback: { enabled: inputs.rollback, taskDefinitionArn: previous },
    scaling: scaling.change,
    notices: scaling.notices
  }
}

/**
 * The decisions, from the inputs and what gatherFacts found. Pure. Throws the DeployError a bad
 * combination deserves: no base to start from, a container that is not there (or is needed and not
 * named), a task definition ECS would refuse.
 * `sha`: the commit being deployed (names the built image's tag); empty when nothing is built.
 */
export function decide(inputs: ActionInputs, facts: Facts, sha: string): Plan {
  const refs = parseReferences(inputs)
  const { base } = facts
  if (inputs.resume && inputs.service) {
    return resumePlan(
      inputs,
      { serviceDeploymentArn: inputs.resume, service: inputs.service },
      facts.service,
      serviceTarget(inputs, inputs.service, facts),
      sha
    )
  }
  if (!base) {
    throw new DeployError('No task definition', 'No task definition to start from (input "task-definition").')
  }
  const deploysImage = refs.repository !== undefined || refs.image !== undefined
  let containers: string[] = []
  if (deploysImage) {
    const name = selectContainer(base, inputs.containerName).name
    containers = name === undefined ? [] : [name]
  } else if (inputs.containerName) {
    // Named with nothing to deploy into it: still checked, so a typo fails here.
    selectContainer(base, inputs.containerName)
  }
  // What ECS's RegisterTaskDefinition would refuse fails here, before any login, build or push.
  assertRegistrable(base, containers[0])
  return {
    targets: [
      {
        cluster: inputs.cluster,
        taskDefinition: base,
        containers,
        service: inputs.service ? serviceTarget(inputs, inputs.service, facts) : undefined
      }
    ],
    image: imageDecision(inputs, refs, facts, sha),
    sha
  }
}

/** Annotations want paths relative to the repository root. */
export function relativeToWorkspace(file: string, workspace: string): string {
  const rel = path.relative(workspace, path.resolve(workspace, file))
  return rel.startsWith('..') ? file : rel
}

/**
 * Plan: everything decided before the first mutating call. Inputs are checked, the task definition is
 * parsed and its container found, the cluster and service are found. A bad input fails here, so no
 * task definition is registered and no service is touched.
 */
import * as core from '@actions/core'
import { lstat } from 'node:fs/promises'
import path from 'node:path'
import type { Service } from '@aws-sdk/client-ecs'
import type { AwsClients } from './aws.js'
import { DeployError } from './errors.js'
import { circuitBreakerThreshold, type ActionInputs } from './inputs.js'
import { parseRepositoryInput } from './ecr.js'
import { defaultTag, parseImageReference, type BuildInputs } from './image.js'
import {
  assertRegistrable,
  fromDescribedTaskDefinition,
  loadTaskDefinitionFile,
  selectContainer,
  type LoadedTaskDefinition
} from './task-definition.js'
import { currentTaskDefinition, describeTaskDefinition, findCluster, findService } from './service.js'
import { boundMessage } from './untrusted.js'
import { warning } from './report/annotations.js'
import { resolveInWorkspace } from './workspace.js'

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

export interface Plan {
  inputs: ActionInputs
  base: LoadedTaskDefinition
  /** The container that gets the new image; undefined when no image changes. */
  containerName?: string
  service?: Service
  /** What the service ran before this deploy: the rollback target. */
  previousTaskDefinitionArn?: string
  image: ImageDecision
  /** The commit being deployed; empty when nothing is built. */
  sha: string
  desiredCount: number
  maxFailedTasks: number
}

export interface BuildPaths {
  /** The real path of the `context` input. */
  context: string
  /** The real path of the `dockerfile` input; undefined: docker's default in the context. */
  dockerfile?: string
}

/**
 * The `context` and `dockerfile` inputs, confined to the workspace. With no `dockerfile`, docker reads
 * `Dockerfile` in the context, so that one is checked too (when it is there: docker reports it missing).
 */
export async function resolveBuildPaths(inputs: ActionInputs, workspace: string): Promise<BuildPaths> {
  const context = await resolveInWorkspace('context', inputs.context, workspace, { kind: 'directory' })
  if (inputs.dockerfile !== undefined) {
    const dockerfile = await resolveInWorkspace('dockerfile', inputs.dockerfile, workspace, { kind: 'file' })
    return { context: context.real, dockerfile: dockerfile.real }
  }
  // The classic builder falls back to `dockerfile`; both are checked, as docker may read either.
  for (const name of ['Dockerfile', 'dockerfile']) {
    const implicit = path.join(context.real, name)
    // Named as the input it stands in for: the file docker reads when `dockerfile` is not set.
    if (await exists(implicit)) await resolveInWorkspace('dockerfile', implicit, workspace, { kind: 'file' })
  }
  return { context: context.real }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file)
    return true
  } catch {
    return false
  }
}

/** Warnings quote the file; however long a value in it, one warning stays readable. */
const MAX_WARNING_CHARS = 1000

/**
 * `sha`: the commit being deployed (names the built image's tag); empty when nothing is built.
 */
export async function makePlan(
  inputs: ActionInputs,
  clients: AwsClients,
  workspace: string,
  sha: string
): Promise<Plan> {
  // Pure checks first: they cost nothing and need no AWS.
  const repository = inputs.repository ? parseRepositoryInput(inputs.repository) : undefined
  const image = inputs.image ? parseImageReference(inputs.image) : undefined

  // Paths next: each must lie inside the workspace, or nothing is read (and no AWS call is made).
  let base: LoadedTaskDefinition | undefined
  if (inputs.taskDefinition) {
    base = await loadTaskDefinitionFile(inputs.taskDefinition, workspace)
  }
  const buildPaths = repository ? await resolveBuildPaths(inputs, workspace) : undefined
  if (base) {
    for (const w of base.warnings) {
      warning(boundMessage(w.message, MAX_WARNING_CHARS), {
        title: 'Task definition',
        file: w.file ? relativeToWorkspace(w.file, workspace) : undefined,
        startLine: w.line,
        startColumn: w.column
      })
    }
  }

  let service: Service | undefined
  if (inputs.service) {
    await findCluster(clients.ecs, inputs.cluster)
    service = await findService(clients.ecs, inputs.cluster, inputs.service)
  }
  const previousTaskDefinitionArn = service ? currentTaskDefinition(service) : undefined

  if (!base) {
    const source = inputs.taskDefinitionFamily ?? previousTaskDefinitionArn
    if (!source) {
      throw new DeployError(
        'No task definition',
        'No task definition to start from (input "task-definition").'
      )
    }
    const described = await describeTaskDefinition(
      clients.ecs,
      source,
      inputs.taskDefinitionFamily
        ? { input: 'task-definition-family' }
        : { input: 'service', service: inputs.service ?? '' }
    )
    const label = inputs.taskDefinitionFamily
      ? `family ${inputs.taskDefinitionFamily} (latest ACTIVE revision)`
      : `service ${inputs.service} (current task definition ${source.split('/').pop()})`
    base = fromDescribedTaskDefinition(described.taskDefinition, described.tags, label)
  }

  for (const n of base.notices) {
    core.notice(n.message, {
      title: 'Task definition',
      file: n.file ? relativeToWorkspace(n.file, workspace) : undefined,
      startLine: n.line,
      startColumn: n.column
    })
  }

  let containerName: string | undefined
  if (repository || image) {
    containerName = selectContainer(base, inputs.containerName).name
  } else if (inputs.containerName) {
    selectContainer(base, inputs.containerName)
    containerName = inputs.containerName
  }
  // What ECS's RegisterTaskDefinition would refuse fails here, before any login, build or push.
  assertRegistrable(base, repository || image ? containerName : undefined)

  const desiredCount = inputs.desiredCount ?? service?.desiredCount ?? 1
  let decision: ImageDecision = { kind: 'keep' }
  if (image) decision = { kind: 'given', image: inputs.image as string, ref: image }
  else if (repository && buildPaths) {
    const build: BuildInputs = {
      context: inputs.context,
      dockerfile: inputs.dockerfile,
      buildArgs: inputs.buildArgs,
      target: inputs.target,
      platforms: inputs.platforms,
      network: inputs.network
    }
    const mainTag = defaultTag(sha, build)
    decision = {
      kind: 'build',
      repositoryText: inputs.repository as string,
      repository,
      createRepository: inputs.createRepository,
      reuseExisting: inputs.skipExisting,
      build,
      paths: buildPaths,
      tags: [mainTag, ...inputs.tags.filter(t => t !== mainTag)]
    }
  }
  return {
    inputs,
    base,
    containerName,
    service,
    previousTaskDefinitionArn,
    image: decision,
    sha,
    desiredCount,
    maxFailedTasks: inputs.maxFailedTasks ?? circuitBreakerThreshold(desiredCount)
  }
}

/** Annotations want paths relative to the repository root. */
export function relativeToWorkspace(file: string, workspace: string): string {
  const rel = path.relative(workspace, path.resolve(workspace, file))
  return rel.startsWith('..') ? file : rel
}

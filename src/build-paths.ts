/** The build's paths from the inputs, confined to the workspace (part of the plan's facts). */
import { lstat } from 'node:fs/promises'
import path from 'node:path'
import type { ActionInputs } from './inputs.js'
import { resolveInWorkspace } from './workspace.js'

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

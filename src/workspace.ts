/**
 * Paths from inputs (task definition, Dockerfile, build context) are confined to the workspace: resolved
 * with realpath, symlinks followed, they must lie inside GITHUB_WORKSPACE (itself realpath'd). A path that
 * leads outside, is missing, or is the wrong kind of thing fails with one error naming the input and the
 * resolved path, before anything reads it. The file system is the only I/O; the decision is `insideOf`.
 */
import { lstat, readlink, realpath, stat } from 'node:fs/promises'
import nodePath from 'node:path'
import { DeployError } from './errors.js'
import { boundMessage, quote } from './untrusted.js'

export type PathKind = 'file' | 'directory'

export interface WorkspacePath {
  /** The real path (absolute, symlinks resolved): what is read or handed to docker. */
  real: string
  /** The real path relative to the real workspace, with `/` separators ('' for the workspace itself). */
  relative: string
  /** The real workspace. */
  workspace: string
}

export interface ResolveOptions {
  /** What the input must name. */
  kind: PathKind
  /** Refuse files larger than this many bytes (files only). */
  maxBytes?: number
}

/** Whether `real` is `root` or inside it (both absolute and already real). Pure. */
export function insideOf(root: string, real: string): boolean {
  const rel = nodePath.relative(root, real)
  if (rel === '') return true
  if (nodePath.isAbsolute(rel)) return false // another drive on Windows
  return rel !== '..' && !rel.startsWith(`..${nodePath.sep}`)
}

function refused(input: string, message: string, hint?: string, cause?: unknown): DeployError {
  return new DeployError(`Invalid input: ${input}`, `Input "${input}": ${message}`, { hint, cause })
}

/** A path for a message: bounded and defanged, but whole when it is short. */
function shown(path: string): string {
  return boundMessage(path, 200)
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

const MAX_LINKS = 40

/**
 * realpath of the absolute `path`, or, when it (or part of it) does not exist, where it would be: the real
 * path of its deepest existing part with the rest appended, dangling symlinks followed by hand (a link to
 * a missing file outside the workspace leads outside). `exists` says which.
 */
async function whereItLeads(path: string, links = 0): Promise<{ real: string; exists: boolean }> {
  try {
    return { real: await realpath(path), exists: true }
  } catch (error) {
    if (code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') throw error
  }
  if (links > MAX_LINKS) throw Object.assign(new Error('too many symbolic links'), { code: 'ELOOP' })
  // The deepest part of the path that is there (as a name: a dangling link counts).
  const rest: string[] = []
  let existing = path
  for (;;) {
    try {
      await lstat(existing)
      break
    } catch (error) {
      if (code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') throw error
    }
    const parent = nodePath.dirname(existing)
    if (parent === existing) return { real: path, exists: false }
    rest.unshift(nodePath.basename(existing))
    existing = parent
  }
  try {
    return { real: nodePath.join(await realpath(existing), ...rest), exists: false }
  } catch (error) {
    if (code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR') throw error
  }
  // `existing` is a dangling symlink: go where it points.
  const target = await readlink(existing)
  const parent = await whereItLeads(nodePath.dirname(existing), links + 1)
  const next = await whereItLeads(nodePath.resolve(parent.real, target, ...rest), links + 1)
  return { real: next.real, exists: false }
}

/**
 * Resolves the path input `input` (its value `value`, relative to the workspace unless absolute) and
 * checks it: inside the workspace after symlinks, present, and a file or a directory as `options.kind` says.
 */
export async function resolveInWorkspace(
  input: string,
  value: string,
  workspace: string,
  options: ResolveOptions
): Promise<WorkspacePath> {
  const hint = `${input} is a path inside the repository (the workspace, GITHUB_WORKSPACE), relative to its root`
  if (value.trim() === '') throw refused(input, 'is empty', hint)
  if (value.includes('\0')) throw refused(input, `${quote(value)} contains a NUL character`, hint)

  let root: string
  try {
    root = await realpath(workspace)
  } catch (error) {
    throw new DeployError(
      'No workspace',
      `The workspace ${shown(workspace)} cannot be read (${code(error) ?? 'error'}), so input "${input}" cannot be checked.`,
      { hint: 'GITHUB_WORKSPACE should name the checkout; run actions/checkout first', cause: error }
    )
  }

  const lexical = nodePath.resolve(root, value)
  let where: { real: string; exists: boolean }
  try {
    where = await whereItLeads(lexical)
  } catch (error) {
    throw refused(input, `${shown(value)} cannot be resolved (${code(error) ?? 'error'})`, hint, error)
  }
  const resolvedNote = where.real === lexical ? '' : ` (resolves to ${shown(where.real)})`

  if (!insideOf(root, where.real)) {
    throw refused(
      input,
      `${shown(value)} resolves to ${shown(where.real)}, outside the workspace ${shown(root)}; it is not read`,
      hint
    )
  }
  const relative = nodePath.relative(root, where.real).split(nodePath.sep).join('/')
  if (!where.exists) {
    throw refused(input, `${shown(value)} does not exist${resolvedNote}`, hint)
  }

  let info
  try {
    info = await stat(where.real)
  } catch (error) {
    throw refused(
      input,
      `${shown(value)} cannot be read (${code(error) ?? 'error'})${resolvedNote}`,
      hint,
      error
    )
  }
  if (options.kind === 'file' && !info.isFile()) {
    const what = info.isDirectory()
      ? 'a directory, not a file'
      : 'not a regular file (a device, pipe or socket)'
    throw refused(input, `${shown(value)} is ${what}${resolvedNote}`, hint)
  }
  if (options.kind === 'directory' && !info.isDirectory()) {
    throw refused(input, `${shown(value)} is not a directory${resolvedNote}`, hint)
  }
  if (options.kind === 'file' && options.maxBytes !== undefined && info.size > options.maxBytes) {
    throw refused(
      input,
      `${shown(value)} is ${info.size} bytes, more than the ${options.maxBytes} this input takes${resolvedNote}`,
      hint
    )
  }
  return { real: where.real, relative, workspace: root }
}

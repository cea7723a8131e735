/**
 * Loading a task definition (JSON, YAML, or `aws ecs describe-task-definition` output) from a file or from a
 * described revision: unwrap, strip the read-only keys, clean (clean.ts), and check what every task
 * definition needs (a family, containers with names and images), with the line of each finding.
 */
import { readFile } from 'node:fs/promises'
import nodePath from 'node:path'
import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs'
import { DeployError, errorMessage } from '../errors.js'
import { boundMessage, quote } from '../untrusted.js'
import { resolveInWorkspace } from '../workspace.js'
import {
  clean,
  dropWhatEcsRefuses,
  isPlainObject,
  kindOf,
  setMember,
  warn,
  type CleanContext
} from './clean.js'
import { readJson } from './json-reader.js'
import { list, READ_ONLY_KEYS, REGISTER_TASK_DEFINITION, TAG } from './schema.js'
import {
  pathKey,
  READER_LIMITS,
  SyntaxProblem,
  type Path,
  type Position,
  type SourceTree,
  type SourceWarning
} from './source.js'
import { readYaml } from './yaml-reader.js'

export interface LoadedTaskDefinition {
  /** What RegisterTaskDefinition gets: read-only describe keys stripped, nulls removed. */
  input: RegisterTaskDefinitionCommandInput
  /** Tags found in describe output (`tags` beside `taskDefinition`), if any (never an empty list). */
  tags?: Tag[]
  /** Where it came from: a file path (as the user gave it) or a description like 'service web (current task definition)'. */
  source: string
  file?: string
  warnings: SourceWarning[]
  /**
   * What was changed so that ECS takes it (e.g. an empty `tags` list left out), one notice each, with the
   * position of what was left out.
   */
  notices: SourceWarning[]
  /**
   * Line/column of a path of `input` in the file, e.g. ['containerDefinitions', 1, 'image'], when known.
   * Object members point at their key, list items at the item. Paths are those of `input`: for a file with
   * the `{"taskDefinition": ...}` wrapper they still start at `containerDefinitions`.
   */
  locate(path: Array<string | number>): { line: number; column: number } | undefined
}

type Format = 'json' | 'yaml'

function readSource(text: string, file: string): { tree: SourceTree; format: Format } {
  const size = Buffer.byteLength(text, 'utf8')
  if (size > READER_LIMITS.size) {
    throw new SyntaxProblem(
      `The file is ${(size / 1024 / 1024).toFixed(1)} MiB (${size} bytes); a task definition file may be at most ` +
        `${READER_LIMITS.size / 1024 / 1024} MiB (ECS takes at most 64 KiB of task definition JSON)`,
      { line: 1, column: 1 }
    )
  }
  const ext = nodePath.extname(file).toLowerCase()
  if (ext === '.json') return { tree: readJson(text), format: 'json' }
  if (ext === '.yml' || ext === '.yaml') return { tree: readYaml(text), format: 'yaml' }
  try {
    return { tree: readJson(text), format: 'json' }
  } catch (jsonError) {
    try {
      return { tree: readYaml(text), format: 'yaml' }
    } catch (yamlError) {
      // Report the error of the format it looks like.
      throw /^\s*[{[]/.test(text) ? jsonError : yamlError
    }
  }
}

function invalid(
  message: string,
  file: string | undefined,
  position: Position | undefined,
  hint?: string
): DeployError {
  const prefix = file ? `${file}${position ? `:${position.line}:${position.column}` : ''}: ` : ''
  return new DeployError('Invalid task definition', prefix + message, {
    file,
    line: position?.line,
    column: position?.column,
    hint
  })
}

/** Unwrap, strip, clean and check a parsed task definition. `tree` is absent for SDK objects. */
function build(
  value: unknown,
  ctx: CleanContext,
  source: string
): Omit<LoadedTaskDefinition, 'locate'> & { positions: Map<string, Position> } {
  const at = (path: Path): Position | undefined => ctx.tree?.positions.get(pathKey(path))
  if (!isPlainObject(value)) {
    throw invalid(
      `A task definition must be an object with "family" and "containerDefinitions", not ${kindOf(value)}`,
      ctx.file,
      at([])
    )
  }
  let root: Record<string, unknown> = value
  let base: Path = []
  let tags: Tag[] | undefined
  if (Object.hasOwn(value, 'taskDefinition') && isPlainObject(value.taskDefinition)) {
    // `aws ecs describe-task-definition` output: {"taskDefinition": {...}, "tags": [...]}
    root = value.taskDefinition
    base = ['taskDefinition']
    for (const key of Object.keys(value)) {
      if (key !== 'taskDefinition' && key !== 'tags' && value[key] !== null && ctx.strict) {
        warn(ctx, `Unknown key "${key}" beside "taskDefinition"; it is ignored`, [key])
      }
    }
    const cleanedTags = clean(value.tags, list(TAG), ['tags'], ['#wrapper', 'tags'], ctx)
    if (Array.isArray(cleanedTags) && cleanedTags.length > 0) tags = cleanedTags as Tag[]
  }
  const stripped: Record<string, unknown> = {}
  for (const [key, member] of Object.entries(root))
    if (!READ_ONLY_KEYS.has(key)) setMember(stripped, key, member)

  const input = clean(stripped, REGISTER_TASK_DEFINITION, base, [], ctx) as Record<string, unknown>
  ctx.positions.set(pathKey([]), at(base) ?? at([]) ?? { line: 1, column: 1 })

  const top = at(base)
  if (typeof input.family !== 'string' || input.family.trim() === '') {
    throw invalid(
      input.family === undefined
        ? 'The task definition has no "family"'
        : '"family" must be a non-empty string',
      ctx.file,
      at([...base, 'family']) ?? top,
      'Every task definition needs a family: the name its revisions are registered under.'
    )
  }
  const containers = input.containerDefinitions
  if (!Array.isArray(containers) || containers.length === 0) {
    throw invalid(
      containers === undefined
        ? 'The task definition has no "containerDefinitions"'
        : '"containerDefinitions" must be a list with at least one container',
      ctx.file,
      at([...base, 'containerDefinitions']) ?? top
    )
  }
  const names = new Map<string, number>()
  containers.forEach((container: unknown, index) => {
    const where = ctx.positions.get(pathKey(['containerDefinitions', index]))
    const memberAt = (key: string): Position | undefined =>
      ctx.positions.get(pathKey(['containerDefinitions', index, key])) ?? where
    if (!isPlainObject(container)) {
      throw invalid(
        `containerDefinitions[${index}] must be an object, not ${kindOf(container)}`,
        ctx.file,
        where
      )
    }
    const { name, image } = container
    if (typeof name !== 'string' || name.trim() === '') {
      throw invalid(
        name === undefined
          ? `containerDefinitions[${index}] has no "name"`
          : `containerDefinitions[${index}].name must be a non-empty string`,
        ctx.file,
        memberAt('name')
      )
    }
    const first = names.get(name)
    if (first !== undefined) {
      throw invalid(
        `Two containers are named ${quote(name)} (containerDefinitions[${first}] and [${index}]); names must be unique`,
        ctx.file,
        memberAt('name')
      )
    }
    names.set(name, index)
    if (typeof image !== 'string') {
      throw invalid(
        image === undefined
          ? `Container ${quote(name)} has no "image"`
          : `The image of container ${quote(name)} must be a string, not ${kindOf(image)}`,
        ctx.file,
        memberAt('image'),
        'An empty string ("image": "") is fine for the container that gets the new image.'
      )
    }
  })

  const fixed = dropWhatEcsRefuses(input, ctx)
  return {
    input: fixed.input as unknown as RegisterTaskDefinitionCommandInput,
    tags,
    source,
    file: ctx.file,
    warnings: ctx.warnings,
    notices: fixed.notices,
    positions: ctx.positions
  }
}

/** Parse a task definition file's text. `file` names it in messages and picks the format by extension. */
export function parseTaskDefinition(text: string, file: string): LoadedTaskDefinition {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  let tree: SourceTree
  try {
    tree = readSource(body, file).tree
  } catch (error) {
    if (error instanceof SyntaxProblem) throw invalid(error.message, file, error.position)
    throw invalid(boundMessage(errorMessage(error)), file, undefined)
  }
  const ctx: CleanContext = { tree, file, strict: true, warnings: [], positions: new Map() }
  for (const w of tree.warnings) {
    ctx.warnings.push({ message: w.message, file, line: w.position?.line, column: w.position?.column })
  }
  const { positions, ...loaded } = build(tree.value, ctx, file)
  return {
    ...loaded,
    locate: path => {
      const position = positions.get(pathKey(path))
      return position ? { ...position } : undefined
    }
  }
}

/** The largest task definition file read. RegisterTaskDefinition itself takes at most 64 KiB of JSON. */
export const MAX_TASK_DEFINITION_FILE_BYTES = 1024 * 1024

/**
 * Read and parse the task definition file named by the `task-definition` input. `path` is as the user gave
 * it, relative to `workspace`; it must lead (symlinks followed) to a regular file inside the workspace, else
 * nothing is read. `file` in the result is the real file relative to the workspace, for annotations.
 * Every error names the input.
 */
export async function loadTaskDefinitionFile(
  path: string,
  workspace: string = process.cwd()
): Promise<LoadedTaskDefinition> {
  const where = await resolveInWorkspace(INPUT, path, workspace, {
    kind: 'file',
    maxBytes: MAX_TASK_DEFINITION_FILE_BYTES
  })
  let text: string
  try {
    text = await readFile(where.real, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new DeployError(
      'Task definition not found',
      `Input "${INPUT}": cannot read ${boundMessage(path, 200)} (${code ?? errorMessage(error)}).`,
      {
        hint: 'The task-definition input is a path relative to the repository root (the workspace).',
        cause: error
      }
    )
  }
  let loaded: LoadedTaskDefinition
  try {
    loaded = parseTaskDefinition(text, where.relative)
  } catch (error) {
    if (error instanceof DeployError) throw namingInput(error)
    throw error
  }
  return { ...loaded, source: path }
}

const INPUT = 'task-definition'

/** The same error, its message starting with the input it came from. */
function namingInput(error: DeployError): DeployError {
  return new DeployError(error.title, `Input "${INPUT}": ${error.message}`, {
    file: error.file,
    line: error.line,
    column: error.column,
    hint: error.hint,
    cause: error
  })
}

/** A LoadedTaskDefinition from the SDK's TaskDefinition (e.g. the service's current one). */
export function fromDescribedTaskDefinition(
  td: TaskDefinition,
  tags: Tag[] | undefined,
  source: string
): LoadedTaskDefinition {
  const ctx: CleanContext = { strict: false, warnings: [], positions: new Map() }
  const value = tags && tags.length > 0 ? { taskDefinition: td, tags } : td
  const { positions: _positions, ...loaded } = build(value, ctx, source)
  return { ...loaded, locate: () => undefined }
}

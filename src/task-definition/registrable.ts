/** Whether ECS would register a loaded task definition (the rules/ table), checked in the plan. */
import { DeployError } from '../errors.js'
import type { LoadedTaskDefinition } from './load.js'
import { checkRegisterInput, formatRulePath, registerRule } from './rules/index.js'
import type { Violation } from './rules/types.js'
import type { Path } from './source.js'

/** The longest image reference the image phase can put in: registry host, "/", ECR name, "@sha256:" digest. */
const LONGEST_IMAGE_REFERENCE = 255 + 1 + 256 + '@sha256:'.length + 64

/**
 * Fails with one DeployError (phase plan, title naming the rule, file:line:column of the first finding) when
 * ECS would refuse to register the task definition. Runs in the plan, before any login, build or push.
 *
 * `newImageFor` is the container that gets the new image, when one is deployed: its image is counted as
 * the longest reference the image phase can produce. That makes this check final: rendering only puts an
 * image into that one container, so it cannot turn a task definition ECS takes into one it refuses (an
 * empty new image is refused by renderTaskDefinition itself), and the rendered definition is not checked
 * again.
 */
export function assertRegistrable(loaded: LoadedTaskDefinition, newImageFor?: string): void {
  const preview = structuredClone(loaded.input) as unknown as Record<string, unknown>
  if (loaded.tags?.length && preview.tags === undefined) preview.tags = loaded.tags
  if (newImageFor !== undefined) {
    const containers = (preview.containerDefinitions ?? []) as Array<Record<string, unknown>>
    const target = containers.find(c => c.name === newImageFor)
    if (target) target.image = 'x'.repeat(LONGEST_IMAGE_REFERENCE)
  }
  const violations = checkRegisterInput(preview).filter(v => v.fix === undefined)
  if (violations.length === 0) return
  throw refusedError(loaded, violations, newImageFor !== undefined)
}

function refusedError(
  loaded: LoadedTaskDefinition,
  violations: Violation[],
  imageCounted: boolean
): DeployError {
  const locate = (path: Path): { line: number; column: number } | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const position = loaded.locate(path.slice(0, n))
      if (position) return position
    }
    return undefined
  }
  const [first] = violations
  const rule = registerRule(first.rule)
  const where = (v: Violation): string => {
    const position = loaded.file ? locate(v.path) : undefined
    const at = loaded.file ? `${loaded.file}${position ? `:${position.line}:${position.column}` : ''}: ` : ''
    return `${at}${formatRulePath(v.path)}: ${v.exception}: ${v.message}`
  }
  const position = loaded.file ? locate(first.path) : undefined
  const lines = violations.slice(0, 5).map(where)
  if (violations.length > 5) lines.push(`… and ${violations.length - 5} more`)
  const origin = loaded.file
    ? ''
    : `Task definition ${loaded.source} (read from ECS, no file) would be refused by RegisterTaskDefinition. `
  const size = first.rule === 'size-limit' && imageCounted ? ' (the new image counted at its longest)' : ''
  const hint = [
    rule
      ? `ECS refuses this (rule ${rule.id}, see ${rule.doc}); nothing was built, pushed or registered.`
      : '',
    loaded.file
      ? ''
      : 'It comes from a revision registered before: register a corrected revision, or give the task-definition input a file.'
  ]
    .filter(Boolean)
    .join(' ')
  return new DeployError(
    `ECS would refuse the task definition: ${rule?.title ?? first.rule}`,
    origin + lines.join('\n') + size,
    { file: loaded.file, line: position?.line, column: position?.column, hint }
  )
}

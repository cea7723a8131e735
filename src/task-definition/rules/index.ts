/**
 * What ECS's RegisterTaskDefinition refuses: one table, used by the local ECS (which refuses the request the
 * way ECS does) and by the action's plan (which fixes what has a clear intent and fails on the rest, before
 * anything is built or pushed).
 *
 * Pure and self-contained: the checks read a RegisterTaskDefinition request as it goes on the wire (the
 * shape the AWS SDK sends, as plain JSON), so they also see values of the wrong type that the SDK's types
 * would not allow but its serializer sends anyway. Each rule names the AWS documentation page it comes
 * from; `message` is ECS's own text where it is known (packages/ecs-sim/README.md says which ones are ours). The rules
 * live by subject in this folder; the table's order (the order of the findings) is here.
 */
import { awsvpcHostname, awsvpcHostPort } from './awsvpc.js'
import {
  containerImageRequired,
  containerNameFormat,
  containerNameRequired,
  containerNameUnique,
  containersMax,
  containersRequired,
  credentialsParameterEmpty,
  essentialContainer
} from './containers.js'
import { enumValue } from './enums.js'
import { fargateAwsvpc, fargateIpcMode, fargateSize } from './fargate.js'
import { containerMemoryRequired, memoryLimits, memoryPositive } from './memory.js'
import { isObj, jsonKind, valuesAt } from './plain-json.js'
import { familyFormat, familyRequired, sizeLimit, tagsEmpty } from './task.js'
import { v, type RegisterRule, type RulePath, type Violation } from './types.js'
import { serializationMessage, valueType } from './value-types.js'

export const REGISTER_RULES: readonly RegisterRule[] = [
  familyRequired,
  familyFormat,
  containersRequired,
  containersMax,
  containerNameRequired,
  containerNameFormat,
  containerNameUnique,
  containerImageRequired,
  essentialContainer,
  tagsEmpty,
  enumValue,
  credentialsParameterEmpty,
  fargateAwsvpc,
  fargateIpcMode,
  awsvpcHostname,
  fargateSize,
  containerMemoryRequired,
  memoryPositive,
  memoryLimits,
  awsvpcHostPort,
  valueType,
  sizeLimit
]

const RULES_BY_ID = new Map(REGISTER_RULES.map(r => [r.id, r]))

export function registerRule(id: string): RegisterRule | undefined {
  return RULES_BY_ID.get(id)
}

/** Everything ECS would refuse in a RegisterTaskDefinition request, in table order. */
export function checkRegisterInput(input: unknown): Violation[] {
  if (!isObj(input))
    return [v('value-type', [], 'SerializationException', serializationMessage(jsonKind(input), 'String'))]
  return REGISTER_RULES.flatMap(rule => rule.check(input))
}

/** `containerDefinitions[0].image`, `tags`, or `the task definition` for the root. */
export function formatRulePath(path: RulePath): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p
  return out || 'the task definition'
}

/**
 * Where a drop really applies: an empty credentialsParameter takes its repositoryCredentials with it (an
 * empty RepositoryCredentials would be refused for its missing required member).
 */
export function dropPath(violation: Violation): RulePath {
  const path = violation.path
  if (violation.rule === 'credentials-parameter-empty') return path.slice(0, -1)
  return path
}

/**
 * The input with every `fix: 'drop'` violation applied (a deep copy), and the paths dropped (in the input's
 * numbering, last first so list indices stay valid while dropping).
 */
export function applyDrops<T>(input: T, violations: Violation[]): { input: T; dropped: RulePath[] } {
  const result = structuredClone(input)
  const paths = violations.filter(x => x.fix === 'drop').map(dropPath)
  // Later paths first: dropping a list item must not shift the items still to drop.
  const order = [...paths].sort((a, b) => comparePaths(b, a))
  const dropped: RulePath[] = []
  for (const path of order) {
    if (path.length === 0) continue
    const parent = valuesAt(result, path.slice(0, -1))[0]?.[0]
    const last = path[path.length - 1]
    if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) {
      parent.splice(last, 1)
      dropped.push(path)
    } else if (isObj(parent) && Object.hasOwn(parent, String(last))) {
      delete parent[String(last)]
      dropped.push(path)
    }
  }
  return { input: result, dropped }
}

function comparePaths(a: RulePath, b: RulePath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue
    if (typeof a[i] === 'number' && typeof b[i] === 'number') return (a[i] as number) - (b[i] as number)
    return String(a[i]) < String(b[i]) ? -1 : 1
  }
  return a.length - b.length
}

/**
 * The register rules' types: a rule (an id, a title, the AWS documentation page it comes from, a check) and
 * what a check finds (a violation: where, which exception ECS answers, its message, and whether leaving
 * the member out registers what was meant).
 */

export type RulePath = Array<string | number>

export type EcsException =
  | 'ClientException'
  | 'InvalidParameterException'
  /** Coral's answer when a value's JSON type is not the member's type; no path in the message. */
  | 'SerializationException'

export interface Violation {
  /** The id of the rule in REGISTER_RULES. */
  rule: string
  /** Where in the request, e.g. ['containerDefinitions', 0, 'memory']. */
  path: RulePath
  exception: EcsException
  message: string
  /** 'drop': leaving the member out registers what was meant (an empty value that means "not set"). */
  fix?: 'drop'
}

export interface RegisterRule {
  id: string
  /** A short name for the rule, e.g. for an error title. */
  title: string
  /** The AWS documentation page the rule comes from. */
  doc: string
  /** For rules with a fix: what leaving the member out means, for the notice. */
  fixNote?: string
  check(input: Record<string, unknown>): Violation[]
}

export const API = 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference'
export const GUIDE = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide'
export const REGISTER = `${API}/API_RegisterTaskDefinition.html`

export function v(
  rule: string,
  path: RulePath,
  exception: EcsException,
  message: string,
  fix?: 'drop'
): Violation {
  return fix ? { rule, path, exception, message, fix } : { rule, path, exception, message }
}

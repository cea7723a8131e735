/** Types on the wire: Coral, ECS's service framework, refuses a JSON value of the wrong type. */
import { jsonKind, valuesAt } from './plain-json.js'
import { REGISTER, v, type RegisterRule, type Violation } from './types.js'

/** Members that must be JSON strings. Task-level cpu and memory may also be numbers (ECS takes "256" or 256). */
const STRING_MEMBERS: ReadonlyArray<Array<string | '*'>> = [
  ['family'],
  ['taskRoleArn'],
  ['executionRoleArn'],
  ['networkMode'],
  ['pidMode'],
  ['ipcMode'],
  ['containerDefinitions', '*', 'name'],
  ['containerDefinitions', '*', 'image'],
  ['containerDefinitions', '*', 'environment', '*', 'name'],
  ['containerDefinitions', '*', 'environment', '*', 'value'],
  ['containerDefinitions', '*', 'secrets', '*', 'name'],
  ['containerDefinitions', '*', 'secrets', '*', 'valueFrom'],
  ['containerDefinitions', '*', 'repositoryCredentials', 'credentialsParameter']
]
const STRING_OR_NUMBER_MEMBERS: ReadonlyArray<Array<string | '*'>> = [['cpu'], ['memory']]
const INTEGER_MEMBERS: ReadonlyArray<Array<string | '*'>> = [
  ['containerDefinitions', '*', 'cpu'],
  ['containerDefinitions', '*', 'memory'],
  ['containerDefinitions', '*', 'memoryReservation'],
  ['containerDefinitions', '*', 'startTimeout'],
  ['containerDefinitions', '*', 'stopTimeout'],
  ['containerDefinitions', '*', 'portMappings', '*', 'containerPort'],
  ['containerDefinitions', '*', 'portMappings', '*', 'hostPort'],
  ['containerDefinitions', '*', 'healthCheck', 'interval'],
  ['containerDefinitions', '*', 'healthCheck', 'timeout'],
  ['containerDefinitions', '*', 'healthCheck', 'retries'],
  ['containerDefinitions', '*', 'healthCheck', 'startPeriod']
]

/** Members the API types as Boolean: a string such as "yes" there is a SerializationException. */
const BOOLEAN_MEMBERS: ReadonlyArray<Array<string | '*'>> = [
  ['containerDefinitions', '*', 'essential'],
  ['containerDefinitions', '*', 'disableNetworking'],
  ['containerDefinitions', '*', 'privileged'],
  ['containerDefinitions', '*', 'readonlyRootFilesystem'],
  ['containerDefinitions', '*', 'interactive'],
  ['containerDefinitions', '*', 'pseudoTerminal'],
  ['containerDefinitions', '*', 'linuxParameters', 'initProcessEnabled'],
  ['containerDefinitions', '*', 'mountPoints', '*', 'readOnly'],
  ['containerDefinitions', '*', 'volumesFrom', '*', 'readOnly'],
  ['volumes', '*', 'dockerVolumeConfiguration', 'autoprovision'],
  ['enableFaultInjection']
]

export function serializationMessage(kind: string, to: 'String' | 'Integer' | 'Boolean'): string {
  if (kind === 'object') return 'Start of structure or map found where not expected.'
  if (kind === 'list') return 'Start of list found where not expected.'
  const value =
    kind === 'number' ? 'NUMBER_VALUE' : kind === 'string' ? 'STRING_VALUE' : `${kind.toUpperCase()}_VALUE`
  return `${value} cannot be converted to ${to}`
}

export const valueType: RegisterRule = {
  id: 'value-type',
  title: 'value of the wrong type',
  doc: REGISTER,
  check: input => {
    const out: Violation[] = []
    const expect = (
      patterns: ReadonlyArray<Array<string | '*'>>,
      ok: (kind: string) => boolean,
      to: 'String' | 'Integer' | 'Boolean'
    ) => {
      for (const pattern of patterns)
        for (const [value, path] of valuesAt(input, pattern)) {
          const kind = jsonKind(value)
          if (kind !== 'null' && !ok(kind))
            out.push(v('value-type', path, 'SerializationException', serializationMessage(kind, to)))
        }
    }
    expect(STRING_MEMBERS, k => k === 'string', 'String')
    expect(STRING_OR_NUMBER_MEMBERS, k => k === 'string' || k === 'number', 'String')
    expect(INTEGER_MEMBERS, k => k === 'number', 'Integer')
    expect(BOOLEAN_MEMBERS, k => k === 'true' || k === 'false', 'Boolean')
    return out
  }
}

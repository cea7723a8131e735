/**
 * What ECS's RegisterTaskDefinition refuses: one table, used by the local ECS (which refuses the request the
 * way ECS does) and by the action's plan (which fixes what has a clear intent and fails on the rest, before
 * anything is built or pushed).
 *
 * Pure and self-contained: the checks read a RegisterTaskDefinition request as it goes on the wire (the
 * shape the AWS SDK sends, as plain JSON), so they also see values of the wrong type that the SDK's types
 * would not allow but its serializer sends anyway. Each rule names the AWS documentation page it comes
 * from; `message` is ECS's own text where it is known (sim/README.md says which ones are ours).
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

// ---------------------------------------------------------------------------------------------------------
// Reading plain JSON without trusting its shape.
// ---------------------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)
const has = (o: Obj, key: string): boolean => Object.hasOwn(o, key) && o[key] !== undefined && o[key] !== null
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

/** Each container that is an object, with its index. */
function containers(input: Obj): Array<[Obj, number]> {
  const out: Array<[Obj, number]> = []
  listOf(input.containerDefinitions).forEach((c, i) => {
    if (isObj(c)) out.push([c, i])
  })
  return out
}

/**
 * A value from the request as it appears in a message: control characters escaped (a message is printed,
 * and a newline must not start a line of its own), at most 100 characters.
 */
export function shown(value: string): string {
  // eslint-disable-next-line no-control-regex
  const escaped = value.replace(/[\u0000-\u001f\u007f]/g, c => JSON.stringify(c).slice(1, -1))
  return escaped.length > 100 ? `${escaped.slice(0, 100)}…` : escaped
}

const containerName = (c: Obj, i: number): string => (typeof c.name === 'string' ? shown(c.name) : `#${i}`)

const API = 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference'
const GUIDE = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide'
const REGISTER = `${API}/API_RegisterTaskDefinition.html`

const FAMILY_RE = /^[a-zA-Z0-9_-]{1,255}$/
const NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/

/** ECS's service quota: containers per task definition. */
export const MAX_CONTAINERS = 10
/** ECS's limit on the size of a task definition (bytes of the request's JSON). */
export const MAX_TASK_DEFINITION_BYTES = 65536

// ---------------------------------------------------------------------------------------------------------
// Enumerations (the installed SDK's enums: @aws-sdk/client-ecs dist-types/models/enums.d.ts).
// ---------------------------------------------------------------------------------------------------------

interface EnumMember {
  /** A member name for messages, e.g. pidMode. */
  field: string
  values: readonly string[]
  /** Values ECS takes that the SDK's enum does not list. */
  alsoAccepted?: readonly string[]
  /** A required member of its structure: an empty value cannot just be left out (no fix). */
  required?: true
  /** Paths of the member in a request (`*` is every item of a list). */
  at: ReadonlyArray<RulePath | Array<string | number | '*'>>
}

const ENUMS: readonly EnumMember[] = [
  // "default" is the Windows <default> (NAT) network mode of old task definitions; ECS still takes it.
  {
    field: 'networkMode',
    values: ['bridge', 'host', 'awsvpc', 'none'],
    alsoAccepted: ['default'],
    at: [['networkMode']]
  },
  { field: 'pidMode', values: ['task', 'host'], at: [['pidMode']] },
  { field: 'ipcMode', values: ['host', 'task', 'none'], at: [['ipcMode']] },
  {
    field: 'requiresCompatibilities',
    values: ['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'],
    at: [['requiresCompatibilities', '*']]
  },
  { field: 'cpuArchitecture', values: ['X86_64', 'ARM64'], at: [['runtimePlatform', 'cpuArchitecture']] },
  {
    field: 'operatingSystemFamily',
    values: [
      'LINUX',
      'WINDOWS_SERVER_2004_CORE',
      'WINDOWS_SERVER_2016_FULL',
      'WINDOWS_SERVER_2019_CORE',
      'WINDOWS_SERVER_2019_FULL',
      'WINDOWS_SERVER_2022_CORE',
      'WINDOWS_SERVER_2022_FULL',
      'WINDOWS_SERVER_2025_CORE',
      'WINDOWS_SERVER_2025_FULL',
      'WINDOWS_SERVER_20H2_CORE'
    ],
    at: [['runtimePlatform', 'operatingSystemFamily']]
  },
  { field: 'proxyConfiguration.type', values: ['APPMESH'], at: [['proxyConfiguration', 'type']] },
  { field: 'placementConstraints.type', values: ['memberOf'], at: [['placementConstraints', '*', 'type']] },
  {
    field: 'scope',
    values: ['task', 'shared'],
    at: [['volumes', '*', 'dockerVolumeConfiguration', 'scope']]
  },
  {
    field: 'transitEncryption',
    values: ['ENABLED', 'DISABLED'],
    at: [['volumes', '*', 'efsVolumeConfiguration', 'transitEncryption']]
  },
  {
    field: 'iam',
    values: ['ENABLED', 'DISABLED'],
    at: [['volumes', '*', 'efsVolumeConfiguration', 'authorizationConfig', 'iam']]
  },
  {
    field: 'protocol',
    values: ['tcp', 'udp'],
    at: [['containerDefinitions', '*', 'portMappings', '*', 'protocol']]
  },
  {
    field: 'appProtocol',
    values: ['http', 'http2', 'grpc'],
    at: [['containerDefinitions', '*', 'portMappings', '*', 'appProtocol']]
  },
  {
    field: 'condition',
    required: true,
    values: ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'],
    at: [['containerDefinitions', '*', 'dependsOn', '*', 'condition']]
  },
  {
    field: 'versionConsistency',
    values: ['enabled', 'disabled'],
    at: [['containerDefinitions', '*', 'versionConsistency']]
  },
  {
    field: 'logDriver',
    required: true,
    values: ['json-file', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'awsfirelens'],
    at: [['containerDefinitions', '*', 'logConfiguration', 'logDriver']]
  },
  {
    field: 'firelensConfiguration.type',
    required: true,
    values: ['fluentd', 'fluentbit'],
    at: [['containerDefinitions', '*', 'firelensConfiguration', 'type']]
  },
  {
    field: 'environmentFiles.type',
    required: true,
    values: ['s3'],
    at: [['containerDefinitions', '*', 'environmentFiles', '*', 'type']]
  },
  {
    field: 'resourceRequirements.type',
    required: true,
    values: ['GPU', 'InferenceAccelerator', 'NeuronDevice'],
    at: [['containerDefinitions', '*', 'resourceRequirements', '*', 'type']]
  },
  {
    field: 'ulimits.name',
    required: true,
    values: [
      'core',
      'cpu',
      'data',
      'fsize',
      'locks',
      'memlock',
      'msgqueue',
      'nice',
      'nofile',
      'nproc',
      'rss',
      'rtprio',
      'rttime',
      'sigpending',
      'stack'
    ],
    at: [['containerDefinitions', '*', 'ulimits', '*', 'name']]
  }
]

/** Every value at a path pattern, with its concrete path. */
function valuesAt(root: unknown, pattern: ReadonlyArray<string | number>): Array<[unknown, RulePath]> {
  let current: Array<[unknown, RulePath]> = [[root, []]]
  for (const step of pattern) {
    const next: Array<[unknown, RulePath]> = []
    for (const [value, path] of current) {
      if (step === '*') {
        listOf(value).forEach((item, i) => next.push([item, [...path, i]]))
      } else if (typeof step === 'number') {
        if (Array.isArray(value) && step < value.length) next.push([value[step], [...path, step]])
      } else if (isObj(value) && has(value, String(step))) {
        next.push([value[String(step)], [...path, step]])
      }
    }
    current = next
  }
  return current
}

// ---------------------------------------------------------------------------------------------------------
// Types on the wire (Coral, ECS's service framework, refuses a JSON value of the wrong type).
// ---------------------------------------------------------------------------------------------------------

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

function jsonKind(v: unknown): 'string' | 'number' | 'true' | 'false' | 'object' | 'list' | 'null' {
  if (v === null || v === undefined) return 'null'
  if (Array.isArray(v)) return 'list'
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') return 'number'
  if (typeof v === 'string') return 'string'
  return 'object'
}

function serializationMessage(kind: string, to: 'String' | 'Integer' | 'Boolean'): string {
  if (kind === 'object') return 'Start of structure or map found where not expected.'
  if (kind === 'list') return 'Start of list found where not expected.'
  const value =
    kind === 'number' ? 'NUMBER_VALUE' : kind === 'string' ? 'STRING_VALUE' : `${kind.toUpperCase()}_VALUE`
  return `${value} cannot be converted to ${to}`
}

// ---------------------------------------------------------------------------------------------------------
// Task size.
// ---------------------------------------------------------------------------------------------------------

/** Task CPU units: "256", 256, "1 vCPU", "0.25 vcpu". Undefined when it is not one of those. */
export function cpuUnits(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value !== 'string') return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value)
  if (!m) return undefined
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1])
}

/** Task memory in MiB: "512", 512, "1 GB", "0.5GB". Undefined when it is not one of those. */
export function memoryMiB(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value !== 'string') return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb)?\s*$/i.exec(value)
  if (!m) return undefined
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1])
}

const range = (from: number, to: number, step: number): number[] => {
  const out: number[] = []
  for (let v = from; v <= to; v += step) out.push(v)
  return out
}

/** Fargate's CPU → memory (MiB) table (developer guide, "Task CPU and memory"). */
export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)]
])

const requiresFargate = (input: Obj): boolean => listOf(input.requiresCompatibilities).includes('FARGATE')

// ---------------------------------------------------------------------------------------------------------
// The table.
// ---------------------------------------------------------------------------------------------------------

function v(rule: string, path: RulePath, exception: EcsException, message: string, fix?: 'drop'): Violation {
  return fix ? { rule, path, exception, message, fix } : { rule, path, exception, message }
}

export const REGISTER_RULES: readonly RegisterRule[] = [
  {
    id: 'family-required',
    title: 'family missing',
    doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-family`,
    check: input =>
      !has(input, 'family') || input.family === ''
        ? [v('family-required', ['family'], 'ClientException', 'Family can not be blank.')]
        : []
  },
  {
    id: 'family-format',
    title: 'family name',
    doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-family`,
    check: input =>
      typeof input.family === 'string' && input.family !== '' && !FAMILY_RE.test(input.family)
        ? [
            v(
              'family-format',
              ['family'],
              'ClientException',
              'Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.'
            )
          ]
        : []
  },
  {
    id: 'containers-required',
    title: 'no containers',
    doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-containerDefinitions`,
    check: input =>
      listOf(input.containerDefinitions).length === 0
        ? [
            v(
              'containers-required',
              ['containerDefinitions'],
              'ClientException',
              'Container list cannot be empty.'
            )
          ]
        : []
  },
  {
    id: 'containers-max',
    title: 'more than 10 containers',
    doc: `${GUIDE}/service-quotas.html`,
    check: input =>
      listOf(input.containerDefinitions).length > MAX_CONTAINERS
        ? [
            v(
              'containers-max',
              ['containerDefinitions', MAX_CONTAINERS],
              'ClientException',
              'Too many containers.'
            )
          ]
        : []
  },
  {
    id: 'container-name-required',
    title: 'container name missing',
    doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-name`,
    check: input =>
      listOf(input.containerDefinitions).flatMap((c, i) =>
        !isObj(c) || !has(c, 'name') || c.name === ''
          ? [
              v(
                'container-name-required',
                ['containerDefinitions', i, 'name'],
                'ClientException',
                'Container.name should not be null or empty.'
              )
            ]
          : []
      )
  },
  {
    id: 'container-name-format',
    title: 'container name',
    doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-name`,
    check: input =>
      containers(input).flatMap(([c, i]) =>
        typeof c.name === 'string' && c.name !== '' && !NAME_RE.test(c.name)
          ? [
              v(
                'container-name-format',
                ['containerDefinitions', i, 'name'],
                'ClientException',
                `Container name '${shown(c.name)}' contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`
              )
            ]
          : []
      )
  },
  {
    id: 'container-name-unique',
    title: 'duplicate container name',
    doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-name`,
    check: input => {
      const seen = new Set<string>()
      const out: Violation[] = []
      for (const [c, i] of containers(input)) {
        if (typeof c.name !== 'string' || c.name === '') continue
        if (seen.has(c.name))
          out.push(
            v(
              'container-name-unique',
              ['containerDefinitions', i, 'name'],
              'ClientException',
              `Duplicate container name '${shown(c.name)}'. Container names must be unique within a task definition.`
            )
          )
        seen.add(c.name)
      }
      return out
    }
  },
  {
    id: 'container-image-required',
    title: 'container image missing',
    doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-image`,
    check: input =>
      containers(input).flatMap(([c, i]) =>
        !has(c, 'image') || (typeof c.image === 'string' && c.image.trim() === '')
          ? [
              v(
                'container-image-required',
                ['containerDefinitions', i, 'image'],
                'ClientException',
                'Container.image should not be null or empty.'
              )
            ]
          : []
      )
  },
  {
    id: 'essential-container',
    title: 'no essential container',
    doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-essential`,
    check: input => {
      const all = containers(input)
      return all.length > 0 && all.every(([c]) => c.essential === false)
        ? [
            v(
              'essential-container',
              ['containerDefinitions'],
              'ClientException',
              'A task definition must have at least one essential container.'
            )
          ]
        : []
    }
  },
  {
    id: 'tags-empty',
    title: 'empty tags list',
    doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-tags`,
    fixNote:
      'ECS refuses an empty list of tags; without it the task definition is registered with no tags, as meant.',
    check: input =>
      Array.isArray(input.tags) && input.tags.length === 0
        ? [v('tags-empty', ['tags'], 'ClientException', 'Tags can not be empty.', 'drop')]
        : []
  },
  {
    id: 'enum-value',
    title: 'value not allowed',
    doc: `${GUIDE}/task_definition_parameters.html`,
    fixNote:
      'an empty string is not a value ECS takes here; without it ECS uses its default, as an empty value means.',
    check: input => {
      const out: Violation[] = []
      for (const member of ENUMS) {
        for (const pattern of member.at) {
          for (const [value, path] of valuesAt(input, pattern)) {
            if (typeof value !== 'string') continue
            if (member.values.includes(value) || member.alsoAccepted?.includes(value)) continue
            const message = `${shown(value)} is not a valid value for ${member.field}. The value must be one of [${member.values.join(',')}]`
            out.push(
              v(
                'enum-value',
                path,
                'ClientException',
                message,
                value === '' && !member.required ? 'drop' : undefined
              )
            )
          }
        }
      }
      return out
    }
  },
  {
    id: 'credentials-parameter-empty',
    title: 'empty repository credentials',
    doc: `${API}/API_RepositoryCredentials.html`,
    fixNote:
      'ECS refuses an empty credentialsParameter; without repositoryCredentials the image is pulled with no private-registry credentials, which is what an empty one means.',
    check: input =>
      containers(input).flatMap(([c, i]) => {
        const creds = c.repositoryCredentials
        if (!isObj(creds) || typeof creds.credentialsParameter !== 'string') return []
        if (creds.credentialsParameter.trim() !== '') return []
        return [
          v(
            'credentials-parameter-empty',
            ['containerDefinitions', i, 'repositoryCredentials', 'credentialsParameter'],
            'ClientException',
            `The repository credentials parameter specified for container '${containerName(c, i)}' is invalid.`,
            'drop'
          )
        ]
      })
  },
  {
    id: 'fargate-awsvpc',
    title: 'Fargate needs awsvpc',
    doc: `${GUIDE}/fargate-task-networking.html`,
    check: input =>
      requiresFargate(input) && input.networkMode !== 'awsvpc'
        ? [
            v(
              'fargate-awsvpc',
              has(input, 'networkMode') ? ['networkMode'] : ['requiresCompatibilities'],
              'ClientException',
              'Fargate only supports network mode ‘awsvpc’.'
            )
          ]
        : []
  },
  {
    id: 'fargate-ipc-mode',
    title: 'Fargate has no ipcMode',
    doc: `${REGISTER}#ECS-RegisterTaskDefinition-request-ipcMode`,
    check: input =>
      requiresFargate(input) && typeof input.ipcMode === 'string' && input.ipcMode !== ''
        ? [
            v(
              'fargate-ipc-mode',
              ['ipcMode'],
              'ClientException',
              'Tasks using the Fargate launch type do not support ipcMode.'
            )
          ]
        : []
  },
  {
    id: 'awsvpc-hostname',
    title: 'hostname under awsvpc',
    doc: `${API}/API_ContainerDefinition.html#ECS-Type-ContainerDefinition-hostname`,
    check: input =>
      input.networkMode !== 'awsvpc'
        ? []
        : containers(input).flatMap(([c, i]) =>
            has(c, 'hostname')
              ? [
                  v(
                    'awsvpc-hostname',
                    ['containerDefinitions', i, 'hostname'],
                    'ClientException',
                    'hostname is not supported on container when networkMode=awsvpc.'
                  )
                ]
              : []
          )
  },
  {
    id: 'fargate-size',
    title: 'Fargate CPU and memory',
    doc: `${GUIDE}/fargate-tasks-services.html#fargate-tasks-size`,
    check: input => {
      if (!requiresFargate(input)) return []
      if (!has(input, 'cpu'))
        return [
          v(
            'fargate-size',
            ['requiresCompatibilities'],
            'ClientException',
            "Fargate requires that 'cpu' be defined at the task level."
          )
        ]
      if (!has(input, 'memory'))
        return [
          v(
            'fargate-size',
            ['requiresCompatibilities'],
            'ClientException',
            "Fargate requires that 'memory' be defined at the task level."
          )
        ]
      const cpu = cpuUnits(input.cpu)
      const memory = memoryMiB(input.memory)
      if (cpu !== undefined && memory !== undefined && FARGATE_SIZES.get(cpu)?.includes(memory)) return []
      if (jsonKind(input.cpu) === 'object' || jsonKind(input.cpu) === 'list') return [] // the type rule says so
      return [
        v(
          'fargate-size',
          cpu !== undefined && FARGATE_SIZES.has(cpu) ? ['memory'] : ['cpu'],
          'ClientException',
          `No Fargate configuration exists for given values: ${String(input.cpu)} CPU, ${String(input.memory)} memory. See the Amazon ECS documentation for the valid values.`
        )
      ]
    }
  },
  {
    id: 'container-memory-required',
    title: 'container memory missing',
    doc: `${GUIDE}/task_definition_parameters.html#container_definition_memory`,
    check: input => {
      if (has(input, 'memory')) return []
      return containers(input).flatMap(([c, i]) =>
        has(c, 'memory') || has(c, 'memoryReservation')
          ? []
          : [
              v(
                'container-memory-required',
                ['containerDefinitions', i],
                'ClientException',
                `Invalid setting for container '${containerName(c, i)}'. At least one of 'memory' or 'memoryReservation' must be specified.`
              )
            ]
      )
    }
  },
  {
    id: 'memory-positive',
    title: 'memory not above 0',
    doc: `${GUIDE}/task_definition_parameters.html#container_definition_memory`,
    check: input => {
      const out: Violation[] = []
      const task = memoryMiB(input.memory)
      if (has(input, 'memory') && task !== undefined && task <= 0)
        out.push(
          v(
            'memory-positive',
            ['memory'],
            'ClientException',
            `Invalid 'memory' setting for task: ${String(input.memory)}.`
          )
        )
      for (const [c, i] of containers(input)) {
        for (const key of ['memory', 'memoryReservation'] as const) {
          const value = c[key]
          if (typeof value === 'number' && value <= 0)
            out.push(
              v(
                'memory-positive',
                ['containerDefinitions', i, key],
                'ClientException',
                `Invalid '${key}' setting for container '${containerName(c, i)}': ${value}. It must be greater than 0.`
              )
            )
        }
      }
      return out
    }
  },
  {
    id: 'memory-limits',
    title: 'container memory above its limit',
    doc: `${GUIDE}/task_definition_parameters.html#container_definition_memory`,
    check: input => {
      const out: Violation[] = []
      const task = memoryMiB(input.memory)
      for (const [c, i] of containers(input)) {
        const name = containerName(c, i)
        const { memory, memoryReservation } = c
        if (typeof memory === 'number' && memory > 0 && task !== undefined && task > 0 && memory > task)
          out.push(
            v(
              'memory-limits',
              ['containerDefinitions', i, 'memory'],
              'ClientException',
              `The 'memory' setting for container '${name}' is greater than for the task.`
            )
          )
        if (
          typeof memory === 'number' &&
          typeof memoryReservation === 'number' &&
          memory > 0 &&
          memoryReservation > memory
        )
          out.push(
            v(
              'memory-limits',
              ['containerDefinitions', i, 'memoryReservation'],
              'ClientException',
              `The 'memoryReservation' setting for container '${name}' is greater than its 'memory' setting.`
            )
          )
      }
      return out
    }
  },
  {
    id: 'awsvpc-host-port',
    title: 'host port differs under awsvpc',
    doc: `${API}/API_PortMapping.html#ECS-Type-PortMapping-hostPort`,
    check: input => {
      if (input.networkMode !== 'awsvpc') return []
      const out: Violation[] = []
      for (const [c, i] of containers(input)) {
        listOf(c.portMappings).forEach((p, j) => {
          if (!isObj(p) || !has(p, 'hostPort') || !has(p, 'containerPort')) return
          if (p.hostPort !== p.containerPort)
            out.push(
              v(
                'awsvpc-host-port',
                ['containerDefinitions', i, 'portMappings', j, 'hostPort'],
                'ClientException',
                'When networkMode=awsvpc, the host ports and container ports in port mappings must match.'
              )
            )
        })
      }
      return out
    }
  },
  {
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
  },
  {
    id: 'size-limit',
    title: 'task definition over 64 KiB',
    doc: `${GUIDE}/service-quotas.html`,
    check: input => {
      const bytes = new TextEncoder().encode(JSON.stringify(input)).length
      return bytes > MAX_TASK_DEFINITION_BYTES
        ? [
            v(
              'size-limit',
              [],
              'ClientException',
              `Actual length: '${bytes}'. Max allowed length is '${MAX_TASK_DEFINITION_BYTES}' bytes.`
            )
          ]
        : []
    }
  }
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

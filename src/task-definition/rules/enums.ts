/**
 * Members that take one of a list of values (the installed SDK's enums: @aws-sdk/client-ecs
 * dist-types/models/enums.d.ts). An empty string where the member may be left out is dropped with a notice.
 */
import { shown, valuesAt } from './plain-json.js'
import { GUIDE, v, type RegisterRule, type RulePath, type Violation } from './types.js'

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

export const enumValue: RegisterRule = {
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
}

/**
 * The shapes RegisterTaskDefinition accepts: every member of every object, with its type. The AWS SDK v3
 * silently drops keys it does not know, so a typo like `healthcheck` would vanish without a trace; the
 * cleaner (clean.ts) checks each object against these lists and reports what is not in them. The member
 * lists are copied from the installed SDK (@aws-sdk/client-ecs 3.1164, dist-types/models/models_0.d.ts and
 * models_1.d.ts), and __tests__/task-definition/schema.test.ts holds them to it. Also here: the read-only
 * members of a described task definition, and the names people use for members ECS spells differently.
 */

export type Shape = 'string' | 'integer' | 'boolean' | 'stringMap' | 'any' | ListShape | ObjectShape
export interface ListShape {
  kind: 'list'
  of: Shape
}
export interface ObjectShape {
  kind: 'object'
  name: string
  fields: Record<string, Shape>
}
export const list = (of: Shape): ListShape => ({ kind: 'list', of })
const object = (name: string, fields: Record<string, Shape>): ObjectShape => ({
  kind: 'object',
  name,
  fields
})

export const KEY_VALUE = object('KeyValuePair', { name: 'string', value: 'string' })
const SECRET = object('Secret', { name: 'string', valueFrom: 'string' })
export const TAG = object('Tag', { key: 'string', value: 'string' })

const HEALTH_CHECK = object('HealthCheck', {
  command: list('string'),
  interval: 'integer',
  timeout: 'integer',
  retries: 'integer',
  startPeriod: 'integer'
})
const LOG_CONFIGURATION = object('LogConfiguration', {
  logDriver: 'string',
  options: 'stringMap',
  secretOptions: list(SECRET)
})
const PORT_MAPPING = object('PortMapping', {
  containerPort: 'integer',
  hostPort: 'integer',
  protocol: 'string',
  name: 'string',
  appProtocol: 'string',
  containerPortRange: 'string'
})
const LINUX_PARAMETERS = object('LinuxParameters', {
  capabilities: object('KernelCapabilities', { add: list('string'), drop: list('string') }),
  devices: list(
    object('Device', { hostPath: 'string', containerPath: 'string', permissions: list('string') })
  ),
  initProcessEnabled: 'boolean',
  sharedMemorySize: 'integer',
  tmpfs: list(object('Tmpfs', { containerPath: 'string', size: 'integer', mountOptions: list('string') })),
  maxSwap: 'integer',
  swappiness: 'integer'
})

export const CONTAINER_DEFINITION = object('ContainerDefinition', {
  name: 'string',
  image: 'string',
  repositoryCredentials: object('RepositoryCredentials', { credentialsParameter: 'string' }),
  cpu: 'integer',
  memory: 'integer',
  memoryReservation: 'integer',
  links: list('string'),
  portMappings: list(PORT_MAPPING),
  essential: 'boolean',
  restartPolicy: object('ContainerRestartPolicy', {
    enabled: 'boolean',
    ignoredExitCodes: list('integer'),
    restartAttemptPeriod: 'integer'
  }),
  entryPoint: list('string'),
  command: list('string'),
  environment: list(KEY_VALUE),
  environmentFiles: list(object('EnvironmentFile', { value: 'string', type: 'string' })),
  mountPoints: list(
    object('MountPoint', { sourceVolume: 'string', containerPath: 'string', readOnly: 'boolean' })
  ),
  volumesFrom: list(object('VolumeFrom', { sourceContainer: 'string', readOnly: 'boolean' })),
  linuxParameters: LINUX_PARAMETERS,
  secrets: list(SECRET),
  dependsOn: list(object('ContainerDependency', { containerName: 'string', condition: 'string' })),
  startTimeout: 'integer',
  stopTimeout: 'integer',
  versionConsistency: 'string',
  hostname: 'string',
  user: 'string',
  workingDirectory: 'string',
  disableNetworking: 'boolean',
  privileged: 'boolean',
  readonlyRootFilesystem: 'boolean',
  dnsServers: list('string'),
  dnsSearchDomains: list('string'),
  extraHosts: list(object('HostEntry', { hostname: 'string', ipAddress: 'string' })),
  dockerSecurityOptions: list('string'),
  interactive: 'boolean',
  pseudoTerminal: 'boolean',
  dockerLabels: 'stringMap',
  ulimits: list(object('Ulimit', { name: 'string', softLimit: 'integer', hardLimit: 'integer' })),
  logConfiguration: LOG_CONFIGURATION,
  healthCheck: HEALTH_CHECK,
  systemControls: list(object('SystemControl', { namespace: 'string', value: 'string' })),
  resourceRequirements: list(
    object('ResourceRequirement', { value: 'string', type: 'string', sharingStrategy: 'string' })
  ),
  firelensConfiguration: object('FirelensConfiguration', { type: 'string', options: 'stringMap' }),
  credentialSpecs: list('string')
})

const VOLUME = object('Volume', {
  name: 'string',
  host: object('HostVolumeProperties', { sourcePath: 'string' }),
  dockerVolumeConfiguration: object('DockerVolumeConfiguration', {
    scope: 'string',
    autoprovision: 'boolean',
    driver: 'string',
    driverOpts: 'stringMap',
    labels: 'stringMap'
  }),
  efsVolumeConfiguration: object('EFSVolumeConfiguration', {
    fileSystemId: 'string',
    rootDirectory: 'string',
    transitEncryption: 'string',
    transitEncryptionPort: 'integer',
    authorizationConfig: object('EFSAuthorizationConfig', { accessPointId: 'string', iam: 'string' })
  }),
  s3filesVolumeConfiguration: object('S3FilesVolumeConfiguration', {
    fileSystemArn: 'string',
    rootDirectory: 'string',
    transitEncryptionPort: 'integer',
    accessPointArn: 'string'
  }),
  fsxWindowsFileServerVolumeConfiguration: object('FSxWindowsFileServerVolumeConfiguration', {
    fileSystemId: 'string',
    rootDirectory: 'string',
    authorizationConfig: object('FSxWindowsFileServerAuthorizationConfig', {
      credentialsParameter: 'string',
      domain: 'string'
    })
  }),
  configuredAtLaunch: 'boolean'
})

export const REGISTER_TASK_DEFINITION = object('RegisterTaskDefinitionRequest', {
  family: 'string',
  taskRoleArn: 'string',
  executionRoleArn: 'string',
  networkMode: 'string',
  containerDefinitions: list(CONTAINER_DEFINITION),
  volumes: list(VOLUME),
  placementConstraints: list(
    object('TaskDefinitionPlacementConstraint', { type: 'string', expression: 'string' })
  ),
  requiresCompatibilities: list('string'),
  cpu: 'string',
  memory: 'string',
  tags: list(TAG),
  pidMode: 'string',
  ipcMode: 'string',
  proxyConfiguration: object('ProxyConfiguration', {
    type: 'string',
    containerName: 'string',
    properties: list(KEY_VALUE)
  }),
  inferenceAccelerators: list(object('InferenceAccelerator', { deviceName: 'string', deviceType: 'string' })),
  ephemeralStorage: object('EphemeralStorage', { sizeInGiB: 'integer' }),
  runtimePlatform: object('RuntimePlatform', { cpuArchitecture: 'string', operatingSystemFamily: 'string' }),
  enableFaultInjection: 'boolean'
})

/** Members of a described TaskDefinition that RegisterTaskDefinition does not take: dropped without a word. */
export const READ_ONLY_KEYS = new Set([
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt'
])

/** Names people use for a key that ECS spells differently (lower case → ECS name). */
export const ALIASES: Record<string, string> = {
  portbindings: 'portMappings',
  ports: 'portMappings',
  env: 'environment',
  environmentvariables: 'environment',
  envfiles: 'environmentFiles',
  volumemounts: 'mountPoints',
  mounts: 'mountPoints',
  workdir: 'workingDirectory',
  workingdir: 'workingDirectory',
  labels: 'dockerLabels',
  logging: 'logConfiguration',
  depends_on: 'dependsOn',
  dependencies: 'dependsOn',
  taskrole: 'taskRoleArn',
  executionrole: 'executionRoleArn'
}

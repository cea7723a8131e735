import { describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ContainerDefinition } from '@aws-sdk/client-ecs'
import type { LoadedTaskDefinition } from '../../src/task-definition/load.js'
import { selectContainer } from '../../src/task-definition/render.js'
import {
  containerOf,
  expectKept,
  load,
  taskDefinitionFiles,
  testLoadAndRender,
  thrown,
  type KnownWarnings
} from '../setup/task-definition-files.js'

/**
 * The project's own task definitions, one per real-world shape (README.md there says which). The
 * real-world corpus, when it is beside the clone, gets the same tests in corpus.test.ts (beside this file).
 */
const fixturesDir = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'fixtures',
  'task-definitions'
)
const fixtureFiles = taskDefinitionFiles(fixturesDir)

/** Fixtures whose load is expected to warn: [line, message pattern], plus how the input differs. */
const FIXTURE_WARNINGS: KnownWarnings = {
  // "containerPort": "3000" – a string where ECS takes an integer; portBindings is Docker's word.
  'docker-style-keys.json': {
    warnings: [
      [9, /portMappings\[0\]\.containerPort should be a number, not the string "3000"; it was converted/],
      [10, /^Unknown key "portBindings" in containerDefinitions\[0\].*Did you mean "portMappings"\?$/]
    ],
    adjust: e => {
      ;(containerOf(e, 0).portMappings as Array<Record<string, unknown>>)[0].containerPort = 3000
      delete containerOf(e, 0).portBindings
    }
  },
  // An empty credentialsParameter and "tags": [] – ECS refuses both ("Tags can not be empty.").
  'empty-values.json': {
    warnings: [
      [15, /portMappings\[0\]\.containerPort should be a number, not the string "4000"; it was converted/]
    ],
    notices: [
      [22, /^containerDefinitions\[0\]\.repositoryCredentials was left out \(.*credentialsParameter is ""\)/],
      [36, /^tags was left out \(tags is \[\]\).*"Tags can not be empty\."$/]
    ],
    adjust: e => {
      ;(containerOf(e, 0).portMappings as Array<Record<string, unknown>>)[0].containerPort = 4000
      delete containerOf(e, 0).repositoryCredentials
      delete e.tags
    }
  }
}

describe('task-definition files (the fixtures)', () => {
  test('every fixture is described in the README, and every line there is a fixture', () => {
    const readme = fs.readFileSync(path.join(fixturesDir, 'README.md'), 'utf8')
    const listed = [...readme.matchAll(/^\| `([^`]+)` *\|/gm)].map(m => m[1]).sort()
    expect(listed).toEqual(fixtureFiles)
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(14)
  })

  testLoadAndRender(fixturesDir, fixtureFiles, FIXTURE_WARNINGS)

  test('two-empty-images.yaml renders neither container, and says why', async () => {
    const loaded = await load(fixturesDir, 'two-empty-images.yaml')
    const error = thrown(() => selectContainer(loaded, 'app'))
    expect(error.message).toContain('Container "nginx"')
    expect(error.message).toContain('empty image')
    expect([error.line, error.column]).toEqual([22, 5])
  })

  const container = (loaded: LoadedTaskDefinition, name: string): ContainerDefinition =>
    loaded.input.containerDefinitions!.find(c => c.name === name)!

  test.each<[string, string, (l: LoadedTaskDefinition) => unknown, unknown]>([
    [
      'describe-wrapped.json',
      'wrapper tags',
      l => l.tags,
      [
        { key: 'team', value: 'orders' },
        { key: 'cost-centre', value: '4711' }
      ]
    ],
    ['describe-wrapped.json', 'runtimePlatform', l => l.input.runtimePlatform?.cpuArchitecture, 'X86_64'],
    [
      'describe-wrapped.json',
      'empty secretOptions kept',
      l => l.input.containerDefinitions![0].logConfiguration?.secretOptions,
      []
    ],
    [
      'describe-wrapped.json',
      'named port mapping',
      l => l.input.containerDefinitions![0].portMappings![0].name,
      'orders-api-8080-tcp'
    ],
    ['windows-ec2-describe-wrapped.json', 'empty wrapper tags → none', l => l.tags, undefined],
    [
      'windows-ec2-describe-wrapped.json',
      'Windows runtimePlatform',
      l => l.input.runtimePlatform?.operatingSystemFamily,
      'WINDOWS_SERVER_2022_CORE'
    ],
    [
      'windows-ec2-describe-wrapped.json',
      'dockerSecurityOptions',
      l => l.input.containerDefinitions![0].dockerSecurityOptions,
      ['credentialspec:arn:aws:ssm:us-east-1:444455556666:parameter/gmsa/legacy-iis']
    ],
    [
      'windows-ec2-describe-wrapped.json',
      'Windows paths',
      l => [l.input.containerDefinitions![0].workingDirectory, l.input.volumes![0].host?.sourcePath],
      ['C:\\inetpub\\wwwroot', 'C:\\ecs\\iis-logs']
    ],
    ['windows-ec2-describe-wrapped.json', 'networkMode default', l => l.input.networkMode, 'default'],
    [
      'describe-nulls-ec2.json',
      'null readOnly dropped',
      l => l.input.containerDefinitions![0].mountPoints,
      [{ sourceVolume: 'spool', containerPath: '/spool' }]
    ],
    [
      'describe-nulls-ec2.json',
      'null sourcePath dropped',
      l => l.input.volumes,
      [{ name: 'spool', host: {} }]
    ],
    [
      'describe-nulls-ec2.json',
      'null memory dropped',
      l => 'memory' in l.input.containerDefinitions![0],
      false
    ],
    [
      'describe-nulls-ec2.json',
      'memoryReservation',
      l => l.input.containerDefinitions![0].memoryReservation,
      384
    ],
    [
      'describe-nulls-ec2.json',
      'null healthCheck dropped',
      l => 'healthCheck' in l.input.containerDefinitions![0],
      false
    ],
    [
      'describe-nulls-ec2.json',
      'null proxyConfiguration dropped',
      l => 'proxyConfiguration' in l.input,
      false
    ],
    [
      'describe-nulls-ec2.json',
      'null task cpu and memory dropped',
      l => [l.input.cpu, l.input.memory],
      [undefined, undefined]
    ],
    [
      'describe-nulls-ec2.json',
      'dynamic host port',
      l => l.input.containerDefinitions![0].portMappings![0].hostPort,
      0
    ],
    [
      'fargate-anchors.yaml',
      'aliased environment',
      l => l.input.containerDefinitions!.map(c => c.environment?.[1]),
      Array(3).fill({ name: 'DATABASE_POOL', value: '10' })
    ],
    [
      'fargate-anchors.yaml',
      'merged log options',
      l => l.input.containerDefinitions!.map(c => c.logConfiguration?.options),
      ['web', 'worker', 'scheduler'].map(prefix => ({
        'awslogs-group': '/ecs/billing',
        'awslogs-region': 'eu-central-1',
        'awslogs-stream-prefix': prefix
      }))
    ],
    [
      'fargate-anchors.yaml',
      'aliased image',
      l => new Set(l.input.containerDefinitions!.map(c => c.image)).size,
      1
    ],
    [
      'placeholders.json',
      'placeholder container name',
      l => l.input.containerDefinitions![0].name,
      '{{SERVICE_NAME}}'
    ],
    ['placeholders.json', 'placeholder image', l => l.input.containerDefinitions![0].image, '<IMAGE1_NAME>'],
    [
      'placeholders.json',
      'placeholders in values',
      l => l.input.containerDefinitions![0].environment,
      [
        { name: 'STAGE', value: '${STAGE}' },
        { name: 'REGION', value: '$$$TEST_REGION$$$' }
      ]
    ],
    [
      'empty-values.json',
      'empty credentialsParameter left out with its repositoryCredentials (ECS refuses it)',
      l => l.input.containerDefinitions![0].repositoryCredentials,
      undefined
    ],
    ['empty-values.json', 'empty taskRoleArn kept', l => l.input.taskRoleArn, ''],
    ['empty-values.json', 'empty inferenceAccelerators kept', l => l.input.inferenceAccelerators, []],
    ['empty-values.json', 'empty tags left out (ECS refuses them)', l => l.input.tags, undefined],
    ['empty-values.json', 'empty image loads', l => l.input.containerDefinitions![0].image, ''],
    ['empty-values.json', 'empty dockerLabels kept', l => l.input.containerDefinitions![0].dockerLabels, {}],
    [
      'sidecars-ec2-bridge.json',
      'dependsOn',
      l => container(l, 'nginx').dependsOn,
      [{ containerName: 'app', condition: 'START' }]
    ],
    ['sidecars-ec2-bridge.json', 'links', l => container(l, 'nginx').links, ['app:app']],
    [
      'sidecars-ec2-bridge.json',
      'volumesFrom',
      l => container(l, 'nginx').volumesFrom,
      [{ sourceContainer: 'app', readOnly: true }]
    ],
    ['sidecars-ec2-bridge.json', 'empty dockerLabels kept', l => container(l, 'nginx').dockerLabels, {}],
    [
      'sidecars-ec2-bridge.json',
      'host volumes',
      l => l.input.volumes,
      [
        { name: 'static', host: {} },
        { name: 'scratch', host: { sourcePath: '/var/lib/shop/scratch' } }
      ]
    ],
    [
      'sidecars-ec2-bridge.json',
      'placementConstraints',
      l => l.input.placementConstraints?.[0].expression,
      'attribute:ecs.instance-type =~ t3.*'
    ],
    ['sidecars-ec2-bridge.json', 'UDP port', l => container(l, 'statsd').portMappings?.[0].protocol, 'udp'],
    ['two-empty-images.yaml', 'healthCheck', l => container(l, 'app').healthCheck?.startPeriod, 15],
    [
      'two-empty-images.yaml',
      'dependsOn',
      l => container(l, 'nginx').dependsOn,
      [{ containerName: 'app', condition: 'HEALTHY' }]
    ],
    ['two-empty-images.yaml', 'empty image kept', l => container(l, 'app').image, ''],
    ['ten-containers.json', 'ten containers', l => l.input.containerDefinitions!.length, 10],
    [
      'ten-containers.json',
      'dependsOn',
      l => container(l, 'gateway').dependsOn?.map(d => d.condition),
      ['SUCCESS', 'HEALTHY', 'START']
    ],
    ['ten-containers.json', 'proxyConfiguration', l => l.input.proxyConfiguration?.properties?.length, 5],
    [
      'ten-containers.json',
      'secrets',
      l => container(l, 'cloudwatch-agent').secrets?.[0].name,
      'CW_CONFIG_CONTENT'
    ],
    [
      'firelens-efs-wrapped.json',
      'EFS volume',
      l => l.input.volumes![0].efsVolumeConfiguration,
      {
        fileSystemId: 'fs-0a1b2c3d4e5f60718',
        rootDirectory: '/',
        transitEncryption: 'ENABLED',
        transitEncryptionPort: 2049,
        authorizationConfig: { accessPointId: 'fsap-0123456789abcdef0', iam: 'ENABLED' }
      }
    ],
    [
      'firelens-efs-wrapped.json',
      'firelensConfiguration',
      l => container(l, 'log_router').firelensConfiguration?.options?.['config-file-value'],
      '/fluent-bit/etc/extra/parsers.conf'
    ],
    ['firelens-efs-wrapped.json', 'healthCheck', l => container(l, 'log_router').healthCheck?.retries, 5],
    [
      'firelens-efs-wrapped.json',
      'log secretOptions',
      l => container(l, 'ingest').logConfiguration?.secretOptions?.[0].name,
      'HTTP_Passwd'
    ],
    ['firelens-efs-wrapped.json', 'no wrapper tags → none', l => l.tags, undefined],
    ['secrets-healthcheck-arm64.json', 'secrets', l => l.input.containerDefinitions![0].secrets?.length, 4],
    [
      'secrets-healthcheck-arm64.json',
      'a Secrets Manager JSON key',
      l => l.input.containerDefinitions![0].secrets?.[1].valueFrom,
      'arn:aws:secretsmanager:eu-north-1:314159265358:secret:payments/db-Xy12Zq:password::'
    ],
    [
      'secrets-healthcheck-arm64.json',
      'healthCheck',
      l => l.input.containerDefinitions![0].healthCheck?.command?.[0],
      'CMD-SHELL'
    ],
    ['secrets-healthcheck-arm64.json', 'ephemeralStorage', l => l.input.ephemeralStorage, { sizeInGiB: 40 }],
    [
      'secrets-healthcheck-arm64.json',
      'ulimits',
      l => l.input.containerDefinitions![0].ulimits?.[0].softLimit,
      65536
    ],
    [
      'secrets-healthcheck-arm64.json',
      'environmentFiles',
      l => l.input.containerDefinitions![0].environmentFiles,
      [{ type: 's3', value: 'arn:aws:s3:::payments-config/prod.env' }]
    ],
    [
      'secrets-healthcheck-arm64.json',
      'log options',
      l => l.input.containerDefinitions![0].logConfiguration?.options?.mode,
      'non-blocking'
    ],
    ['secrets-healthcheck-arm64.json', 'tags stay in the input', l => l.input.tags?.length, 2],
    ['secrets-healthcheck-arm64.json', 'tags', l => l.input.tags?.[0], { key: 'service', value: 'payments' }],
    ['ec2-host-modes.json', 'pidMode and ipcMode', l => [l.input.pidMode, l.input.ipcMode], ['host', 'host']],
    ['ec2-host-modes.json', 'privileged', l => l.input.containerDefinitions![0].privileged, true],
    [
      'ec2-host-modes.json',
      'systemControls',
      l => l.input.containerDefinitions![0].systemControls,
      [{ namespace: 'net.core.somaxconn', value: '4096' }]
    ],
    [
      'ec2-host-modes.json',
      'dockerLabels',
      l => l.input.containerDefinitions![0].dockerLabels,
      { 'com.example.role': 'node-agent' }
    ],
    [
      'ec2-host-modes.json',
      'dockerVolumeConfiguration',
      l => l.input.volumes![2].dockerVolumeConfiguration?.scope,
      'shared'
    ],
    [
      'yaml-flow-trailing-commas.yml',
      'YAML flow with trailing commas',
      l => l.input.containerDefinitions![0].portMappings![0].appProtocol,
      'http'
    ]
  ])('%s keeps %s (through load and render)', (file, what, get, expected) =>
    expectKept(fixturesDir, file, what, get, expected)
  )

  test.each([
    ['describe-wrapped.json', ['containerDefinitions', 0, 'image'], { line: 7, column: 9 }],
    ['describe-wrapped.json', ['family'], { line: 40, column: 5 }],
    ['two-empty-images.yaml', ['containerDefinitions', 1, 'image'], { line: 22, column: 5 }],
    ['two-empty-images.yaml', ['containerDefinitions'], { line: 9, column: 1 }],
    ['two-empty-images.yaml', ['containerDefinitions', 1], { line: 21, column: 5 }],
    [
      'yaml-flow-trailing-commas.yml',
      ['containerDefinitions', 0, 'portMappings', 0, 'containerPort'],
      { line: 15, column: 15 }
    ],
    // Through an alias and a merge key: where the key is written in that container.
    ['fargate-anchors.yaml', ['containerDefinitions', 1, 'environment'], { line: 33, column: 5 }],
    [
      'fargate-anchors.yaml',
      ['containerDefinitions', 1, 'logConfiguration', 'options', 'awslogs-stream-prefix'],
      { line: 38, column: 9 }
    ],
    ['ten-containers.json', ['containerDefinitions', 9, 'name'], { line: 84, column: 7 }]
  ])('%s locates %j', async (file, where, position) => {
    const loaded = await load(fixturesDir, file)
    expect(loaded.locate(where)).toEqual(position)
  })
})

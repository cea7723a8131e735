import { afterAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import YAML from 'yaml'
import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs'
import { DeployError } from '../src/errors.js'
import {
  fromDescribedTaskDefinition,
  loadTaskDefinitionFile,
  parseTaskDefinition,
  renderTaskDefinition,
  selectContainer,
  type LoadedTaskDefinition
} from '../src/task-definition.js'
import {
  NEW_IMAGE,
  containerOf,
  deepFreeze,
  expectKept,
  load,
  taskDefinitionFiles,
  testLoadAndRender,
  thrown,
  type KnownWarnings
} from './setup/task-definition-files.js'

/**
 * The project's own task definitions, one per real-world shape (README.md there says which). The
 * real-world corpus, when it is beside the clone, gets the same tests in corpus.test.ts.
 */
const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'task-definitions')
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

/** A text from lines, so the line numbers in the tests are the array's (index + 1). */
const lines = (...l: string[]): string => l.join('\n') + '\n'

describe('parse errors say where, exactly', () => {
  test.each([
    [
      'missing comma',
      lines('{', '  "family": "web"', '  "containerDefinitions": []', '}'),
      3,
      3,
      `Expected ',' or '}' after the value of "family"`
    ],
    [
      'trailing comma',
      lines('{', '  "family": "web",', '  "containerDefinitions": [],', '}'),
      3,
      29,
      'Trailing comma'
    ],
    [
      'trailing comma in a list',
      lines('{', '  "family": "web",', '  "requiresCompatibilities": ["FARGATE", ]', '}'),
      3,
      40,
      'Trailing comma'
    ],
    ['unterminated string', lines('{', '  "family": "web,', '  "x": 1', '}'), 2, 13, 'Unterminated string'],
    ['single quotes', lines('{', "  'family': 'web'", '}'), 2, 3, 'double quotes'],
    ['comment', lines('{', '  // the family', '  "family": "web"', '}'), 2, 3, 'Comments are not allowed'],
    [
      'end of file',
      lines('{', '  "family": "web",', '  "containerDefinitions": ['),
      4,
      1,
      'Unexpected end of file'
    ],
    ['bad literal', lines('{', '  "family": "web",', '  "x": tru', '}'), 3, 8, 'Unexpected'],
    ['leading zero', lines('{', '  "cpu": 0256', '}'), 2, 10, 'Invalid number'],
    ['CRLF line ends', '{\r\n  "family": "web"\r\n  "x": 1\r\n}\r\n', 3, 3, `Expected ','`],
    ['tab indentation', '{\n\t"family": "web"\n\t"x": 1\n}\n', 3, 2, `Expected ','`],
    ['text after the object', lines('{ "family": "web" }', '}'), 2, 1, 'Unexpected text after'],
    ['empty', '  \n', 2, 1, 'empty']
  ])('JSON: %s', (_name, text, line, column, what) => {
    expect(() => JSON.parse(text)).toThrow() // the file really is invalid JSON
    const error = thrown(() => parseTaskDefinition(text, 'ecs/td.json'))
    expect(error.title).toBe('Invalid task definition')
    expect([error.file, error.line, error.column]).toEqual(['ecs/td.json', line, column])
    expect(error.message.startsWith(`ecs/td.json:${line}:${column}: `)).toBe(true)
    expect(error.message).toContain(what)
  })

  test.each([
    [
      'bad indentation',
      lines(
        'family: web',
        'containerDefinitions:',
        '  - name: app',
        '    image: nginx',
        '   essential: true'
      ),
      5,
      4
    ],
    [
      'duplicate key',
      lines('family: web', 'containerDefinitions:', '  - name: app', '    image: nginx', '    name: other'),
      5,
      5
    ],
    ['tab as indentation', lines('family: web', '\tcontainerDefinitions: []'), 2, 1],
    ['two documents', lines('family: web', '---', 'family: other'), 2, 1],
    [
      'unclosed flow list',
      lines('family: web', 'containerDefinitions: [', '  {name: app, image: nginx}'),
      4,
      1
    ]
  ])('YAML: %s', (_name, text, line, column) => {
    expect(() => YAML.parse(text)).toThrow() // the file really is invalid YAML
    const error = thrown(() => parseTaskDefinition(text, 'td.yaml'))
    expect([error.title, error.file, error.line, error.column]).toEqual([
      'Invalid task definition',
      'td.yaml',
      line,
      column
    ])
    expect(error.message).toMatch(new RegExp(`^td\\.yaml:${line}:${column}: \\S`))
  })

  test('a .json file with YAML in it is reported as JSON', () => {
    const error = thrown(() =>
      parseTaskDefinition(lines('family: web', 'containerDefinitions: []'), 'td.json')
    )
    expect([error.line, error.column]).toEqual([1, 1])
  })
})

describe('the format is found by content when the extension does not say', () => {
  const json = lines('{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx"}]}')
  const yaml = lines('family: web', 'containerDefinitions:', '  - name: app', '    image: nginx')
  test.each([
    ['td.txt', json],
    ['td', yaml],
    ['taskdef.template', yaml],
    ['td.yml', json], // JSON is YAML
    ['td.json', '\ufeff' + json] // a byte order mark
  ])('%s', (file, text) => {
    const loaded = parseTaskDefinition(text, file)
    expect(loaded.input).toEqual({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx' }] })
    expect(loaded.warnings).toEqual([])
  })

  test('JSON-looking text that is neither JSON nor YAML reports the JSON error', () => {
    const error = thrown(() => parseTaskDefinition(lines('{', '  "family": "web"', '  "x": 1', '}'), 'td'))
    expect([error.line, error.column]).toEqual([3, 3])
    expect(error.message).toContain(`Expected ',' or '}'`)
  })

  test('without an extension, JSON with a trailing comma is read as YAML (a flow map allows it)', () => {
    const text = lines(
      '{',
      '  "family": "web",',
      '  "containerDefinitions": [{ "name": "app", "image": "x" },],',
      '}'
    )
    expect(parseTaskDefinition(text, 'td').input.containerDefinitions).toEqual([{ name: 'app', image: 'x' }])
    expect(thrown(() => parseTaskDefinition(text, 'td.json')).message).toContain(
      'td.json:3:59: Trailing comma'
    )
  })
})

describe('unknown keys are reported with their line and left out', () => {
  const yamlText = lines(
    'family: web', // 1
    'containerDefinitions:', // 2
    '  - name: app', // 3
    '    image: nginx', // 4
    '    memoryReservaton: 256', // 5
    '    healthcheck:', // 6
    '      command: [CMD-SHELL, "true"]', // 7
    '    portMappings:', // 8
    '      - containerport: 80', // 9
    '        hostPort: 80', // 10
    '    logConfiguration:', // 11
    '      logdriver: awslogs', // 12
    'requiresCompatibility: [FARGATE]' // 13
  )
  const jsonText = lines(
    '{', // 1
    '  "family": "web",', // 2
    '  "containerDefinitions": [', // 3
    '    {', // 4
    '      "name": "app",', // 5
    '      "image": "nginx",', // 6
    '      "executionRoleArn": "arn:aws:iam::1:role/x",', // 7
    '      "healthCheck": { "command": ["CMD-SHELL", "true"], "intervall": 30 },', // 8
    '      "environment": [{ "name": "A", "valueFrom": "arn:aws:ssm:x" }]', // 9
    '    }', // 10
    '  ],', // 11
    '  "image": "nginx"', // 12
    '}' // 13
  )

  test.each([
    ['td.yml', 5, 5, 'memoryReservaton', /Did you mean "memoryReservation"\?/, yamlText],
    ['td.yml', 6, 5, 'healthcheck', /Did you mean "healthCheck"\?/, yamlText],
    [
      'td.yml',
      9,
      9,
      'containerport',
      /in containerDefinitions\[0\]\.portMappings\[0\].*Did you mean "containerPort"\?/,
      yamlText
    ],
    ['td.yml', 12, 7, 'logdriver', /Did you mean "logDriver"\?/, yamlText],
    ['td.yml', 13, 1, 'requiresCompatibility', /Did you mean "requiresCompatibilities"\?/, yamlText],
    ['td.json', 7, 7, 'executionRoleArn', /belongs to the task definition/, jsonText],
    [
      'td.json',
      8,
      58,
      'intervall',
      /in containerDefinitions\[0\]\.healthCheck: HealthCheck .*Did you mean "interval"\?/,
      jsonText
    ],
    ['td.json', 9, 38, 'valueFrom', /belongs in "secrets"/, jsonText],
    ['td.json', 12, 3, 'image', /belongs inside a container/, jsonText]
  ])('%s: line %d:%d %s', (file, line, column, key, hint, text) => {
    const loaded = parseTaskDefinition(text, file)
    const warning = loaded.warnings.find(w => w.message.startsWith(`Unknown key "${key}"`))
    expect(warning).toEqual({ message: expect.stringMatching(hint), file, line, column })
  })

  test('what is known stays, what is unknown goes', () => {
    const yaml = parseTaskDefinition(yamlText, 'td.yml')
    expect(yaml.warnings).toHaveLength(5)
    expect(yaml.input).toEqual({
      family: 'web',
      containerDefinitions: [
        { name: 'app', image: 'nginx', portMappings: [{ hostPort: 80 }], logConfiguration: {} }
      ]
    })
    const json = parseTaskDefinition(jsonText, 'td.json')
    expect(json.warnings).toHaveLength(4)
    expect(json.input.containerDefinitions![0]).toEqual({
      name: 'app',
      image: 'nginx',
      healthCheck: { command: ['CMD-SHELL', 'true'] },
      environment: [{ name: 'A' }]
    })
  })

  test('a close name that is not a typo gets no suggestion', () => {
    const loaded = parseTaskDefinition(
      lines('family: web', 'containerDefinitions:', '  - name: app', '    image: nginx', '    frobnicate: 1'),
      'td.yml'
    )
    expect(loaded.warnings[0].message).not.toContain('Did you mean')
  })

  test('duplicate JSON keys warn (the last one wins, as with JSON.parse)', () => {
    const loaded = parseTaskDefinition(
      lines(
        '{',
        '  "family": "web",',
        '  "containerDefinitions": [{ "name": "a", "image": "x" }],',
        '  "family": "api"',
        '}'
      ),
      'td.json'
    )
    expect(loaded.input.family).toBe('api')
    expect(loaded.warnings).toEqual([
      {
        message: expect.stringContaining('Duplicate key "family" (also on line 2)'),
        file: 'td.json',
        line: 4,
        column: 3
      }
    ])
  })
})

describe('scalars of the wrong type', () => {
  test('numbers where ECS wants strings become their source text; numeric strings become numbers, with a warning', () => {
    const loaded = parseTaskDefinition(
      lines(
        'family: web',
        'cpu: 256', // ECS wants "256"
        'memory: 512',
        'containerDefinitions:',
        '  - name: app',
        '    image: nginx',
        '    memory: "512"', // 7: ECS wants 512
        '    essential: "true"', // 8: ECS wants true
        '    environment:',
        '      - name: VERSION',
        '        value: 1.10', // stays "1.10", not "1.1"
        '      - name: DEBUG',
        '        value: false',
        '    dockerLabels:',
        '      port: 8080'
      ),
      'td.yaml'
    )
    expect(loaded.input).toEqual({
      family: 'web',
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: 'nginx',
          memory: 512,
          essential: true,
          environment: [
            { name: 'VERSION', value: '1.10' },
            { name: 'DEBUG', value: 'false' }
          ],
          dockerLabels: { port: '8080' }
        }
      ]
    })
    expect(loaded.warnings.map(w => [w.line, w.column, w.message])).toEqual([
      [7, 5, expect.stringContaining('containerDefinitions[0].memory should be a number')],
      [8, 5, expect.stringContaining('containerDefinitions[0].essential should be true or false')]
    ])
  })

  test('what cannot be converted is kept and reported', () => {
    const loaded = parseTaskDefinition(
      lines(
        '{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx", "command": "npm start"}]}'
      ),
      'td.json'
    )
    expect(loaded.input.containerDefinitions![0].command).toBe('npm start')
    expect(loaded.warnings[0].message).toContain('containerDefinitions[0].command should be a list')
    expect([loaded.warnings[0].line, loaded.warnings[0].column]).toEqual([1, 78])
  })
})

describe('missing required things fail with a location', () => {
  test.each([
    [
      'no family',
      lines('{', '  "containerDefinitions": [{ "name": "a", "image": "x" }]', '}'),
      1,
      1,
      'has no "family"'
    ],
    [
      'empty family',
      lines('{', '  "family": "",', '  "containerDefinitions": []', '}'),
      2,
      3,
      '"family" must be'
    ],
    ['no containerDefinitions', lines('{', '  "family": "web"', '}'), 1, 1, 'no "containerDefinitions"'],
    [
      'empty containerDefinitions',
      lines('{', '  "family": "web",', '  "containerDefinitions": []', '}'),
      3,
      3,
      'at least one'
    ],
    [
      'container without name',
      lines('{', '  "family": "web",', '  "containerDefinitions": [', '    { "image": "x" }', '  ]', '}'),
      4,
      5,
      'containerDefinitions[0] has no "name"'
    ],
    [
      'container without image',
      lines('{', '  "family": "web",', '  "containerDefinitions": [', '    { "name": "app" }', '  ]', '}'),
      4,
      5,
      'Container "app" has no "image"'
    ],
    [
      'null image',
      lines(
        '{',
        '  "family": "web",',
        '  "containerDefinitions": [',
        '    { "name": "app", "image": null }',
        '  ]',
        '}'
      ),
      4,
      22,
      'Container "app" has no "image"'
    ],
    [
      'two containers with one name',
      lines(
        '{',
        '  "family": "web",',
        '  "containerDefinitions": [',
        '    { "name": "app", "image": "x" },',
        '    { "name": "app", "image": "y" }',
        '  ]',
        '}'
      ),
      5,
      7,
      'Two containers are named "app"'
    ],
    ['not an object', lines('[]'), 1, 1, 'must be an object'],
    [
      'wrapper without family',
      lines(
        '{',
        '  "taskDefinition": {',
        '    "containerDefinitions": [{ "name": "a", "image": "x" }]',
        '  }',
        '}'
      ),
      2,
      3,
      'has no "family"'
    ]
  ])('%s', (_name, text, line, column, what) => {
    const error = thrown(() => parseTaskDefinition(text, 'td.json'))
    expect([error.title, error.file, error.line, error.column]).toEqual([
      'Invalid task definition',
      'td.json',
      line,
      column
    ])
    expect(error.message).toContain(what)
  })

  test('YAML: a container without image points at the container', () => {
    const error = thrown(() =>
      parseTaskDefinition(
        lines('family: web', 'containerDefinitions:', '  - name: app', '    image:'),
        'td.yml'
      )
    )
    expect([error.line, error.column]).toEqual([4, 5])
    expect(error.hint).toContain('empty string')
  })

  test('an empty image is fine at parse time', () => {
    const loaded = parseTaskDefinition(
      lines('family: web', 'containerDefinitions:', '  - name: app', '    image: ""'),
      'td.yml'
    )
    expect(loaded.input.containerDefinitions![0].image).toBe('')
    expect(loaded.warnings).toEqual([])
  })
})

const twoContainers = lines(
  '{', // 1
  '  "family": "web",', // 2
  '  "containerDefinitions": [', // 3
  '    { "name": "app", "image": "" },', // 4
  '    { "name": "nginx", "image": "nginx:1.27" }', // 5
  '  ]', // 6
  '}' // 7
)

describe('selectContainer', () => {
  const loaded = parseTaskDefinition(twoContainers, 'ecs/td.json')

  test('a named container (the one with the empty image)', () => {
    expect(selectContainer(loaded, 'app')).toBe(loaded.input.containerDefinitions![0])
  })

  test.each([
    [
      'worker',
      'Input "container-name": Container "worker" is not in task definition ecs/td.json. Containers: app, nginx',
      undefined
    ],
    [
      'ngnix',
      'Input "container-name": Container "ngnix" is not in task definition ecs/td.json. Containers: app, nginx',
      'Did you mean "nginx"?'
    ]
  ])('container %s not found lists the containers', (name, message, hint) => {
    const error = thrown(() => selectContainer(loaded, name))
    expect([error.title, error.message, error.file, error.line]).toEqual([
      'Container not found',
      message,
      'ecs/td.json',
      3
    ])
    if (hint) expect(error.hint).toContain(hint)
    expect(error.hint).toContain('container-name')
  })

  test('several containers and no name: asks for container-name', () => {
    const error = thrown(() => selectContainer(loaded))
    expect(error.title).toBe('Container name needed')
    expect(error.message).toContain('2 containers (app, nginx)')
    expect(error.message).toContain('container-name')
    expect(thrown(() => selectContainer(loaded, '')).title).toBe('Container name needed')
  })

  test('one container and no name: that one', () => {
    const one = parseTaskDefinition(
      lines('family: web', 'containerDefinitions:', '  - name: app', '    image: ""'),
      'td.yml'
    )
    expect(selectContainer(one).name).toBe('app')
  })

  test('another container with an empty image fails, pointing at that image', () => {
    const other = parseTaskDefinition(twoContainers.replace('nginx:1.27', ''), 'ecs/td.json')
    const error = thrown(() => selectContainer(other, 'app'))
    expect([error.title, error.line, error.column]).toEqual(['Empty image', 5, 24])
    expect(error.message).toContain('Container "nginx"')
  })
})

describe('renderTaskDefinition', () => {
  const loaded = parseTaskDefinition(twoContainers, 'ecs/td.json')

  test('sets only the chosen image, leaves its argument alone and returns a deep copy', () => {
    const input = deepFreeze(loaded.input)
    const rendered = renderTaskDefinition(input, 'app', NEW_IMAGE)
    expect(rendered).toEqual({
      family: 'web',
      containerDefinitions: [
        { name: 'app', image: NEW_IMAGE },
        { name: 'nginx', image: 'nginx:1.27' }
      ]
    })
    expect(input.containerDefinitions![0].image).toBe('')
    expect(rendered.containerDefinitions).not.toBe(input.containerDefinitions)
    expect(rendered.containerDefinitions![1]).not.toBe(input.containerDefinitions![1])
  })

  test.each([
    ['worker', NEW_IMAGE, 'Container not found', 'Containers: app, nginx'],
    ['app', ' ', 'No image', 'empty'],
    ['nginx', NEW_IMAGE, 'Empty image', 'Container "app" has an empty image']
  ])('%s with %j fails: %s', (name, image, title, what) => {
    const error = thrown(() => renderTaskDefinition(loaded.input, name, image))
    expect([error.title]).toEqual([title])
    expect(error.message).toContain(what)
  })
})

describe('describe output', () => {
  const wrapped = lines(
    '{', // 1
    '  "taskDefinition": {', // 2
    '    "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/web:7",', // 3
    '    "family": "web",', // 4
    '    "revision": 7,', // 5
    '    "containerDefinitions": [{ "name": "app", "image": "nginx", "linuxParameters": null }],', // 6
    '    "status": "ACTIVE",', // 7
    '    "compatibilities": ["EC2", "FARGATE"],', // 8
    '    "registeredAt": "2024-01-01T00:00:00Z",', // 9
    '    "deregisteredAt": "2024-02-01T00:00:00Z",', // 10
    '    "registeredBy": "arn:aws:iam::1:user/me"', // 11
    '  },', // 12
    '  "tags": [{ "key": "team", "value": "web" }]', // 13
    '}' // 14
  )

  test('the wrapper: tags come back, read-only keys go, positions are by input path', () => {
    const loaded = parseTaskDefinition(wrapped, 'td.json')
    expect(loaded.tags).toEqual([{ key: 'team', value: 'web' }])
    expect(loaded.input).toEqual({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx' }] })
    expect(loaded.warnings).toEqual([])
    expect(loaded.locate(['family'])).toEqual({ line: 4, column: 5 })
    expect(loaded.locate(['containerDefinitions', 0, 'image'])).toEqual({ line: 6, column: 47 })
    expect(loaded.locate(['taskDefinition', 'family'])).toBeUndefined()
  })

  test('the same in YAML', () => {
    const yaml = YAML.stringify(JSON.parse(wrapped))
    const loaded = parseTaskDefinition(yaml, 'td.yaml')
    expect(loaded.tags).toEqual([{ key: 'team', value: 'web' }])
    expect(loaded.input).toEqual({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx' }] })
  })

  test('unknown keys beside taskDefinition are reported', () => {
    const loaded = parseTaskDefinition(wrapped.replace('"tags"', '"tagz"'), 'td.json')
    expect(loaded.tags).toBeUndefined()
    expect(loaded.warnings).toEqual([
      { message: expect.stringContaining('Unknown key "tagz"'), file: 'td.json', line: 13, column: 3 }
    ])
  })

  test('nulls in lists go, and positions follow the list as it is after', () => {
    const loaded = parseTaskDefinition(
      lines(
        '{',
        '  "family": "web",',
        '  "containerDefinitions": [',
        '    null,',
        '    { "name": "app", "image": "x" }',
        '  ]',
        '}'
      ),
      'td.json'
    )
    expect(loaded.input.containerDefinitions).toEqual([{ name: 'app', image: 'x' }])
    expect(loaded.locate(['containerDefinitions', 0, 'name'])).toEqual({ line: 5, column: 7 })
  })
})

describe('fromDescribedTaskDefinition', () => {
  const described = (): TaskDefinition =>
    ({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/web:7',
      family: 'web',
      revision: 7,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
      registeredAt: new Date('2024-01-01T00:00:00Z'),
      registeredBy: 'arn:aws:iam::1:user/me',
      deleteRequestedAt: new Date('2024-01-02T00:00:00Z'),
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image: 'old', environment: [], secrets: [{ name: 'A', valueFrom: 'arn:a' }] },
        { name: 'sidecar', image: 'envoy', healthCheck: { command: ['CMD', 'true'], interval: 5 } }
      ],
      // A member this code does not know (a newer API): it came from the SDK, so it is kept.
      someNewMember: { on: true }
    }) as TaskDefinition

  test('strips read-only keys, keeps the rest, copies deeply', () => {
    const td = described()
    const loaded = fromDescribedTaskDefinition(
      td,
      [{ key: 'team', value: 'web' }],
      'service web (current task definition)'
    )
    expect(loaded.input).toEqual({
      family: 'web',
      cpu: '256',
      memory: '512',
      containerDefinitions: td.containerDefinitions,
      someNewMember: { on: true }
    })
    expect(loaded.tags).toEqual([{ key: 'team', value: 'web' }])
    expect(loaded.source).toBe('service web (current task definition)')
    expect(loaded.file).toBeUndefined()
    expect(loaded.warnings).toEqual([])
    expect(loaded.locate(['family'])).toBeUndefined()
    loaded.input.containerDefinitions![0].image = 'changed'
    expect(td.containerDefinitions![0].image).toBe('old')
  })

  test.each([[undefined], [[]]])('tags %j: none', tags => {
    expect(fromDescribedTaskDefinition(described(), tags, 'x').tags).toBeUndefined()
  })

  test('renders, and selectContainer names the source', () => {
    const loaded = fromDescribedTaskDefinition(
      described(),
      undefined,
      'service web (current task definition)'
    )
    expect(renderTaskDefinition(loaded.input, 'sidecar', NEW_IMAGE).containerDefinitions![1].image).toBe(
      NEW_IMAGE
    )
    const error = thrown(() => selectContainer(loaded, 'web'))
    expect(error.message).toBe(
      'Input "container-name": Container "web" is not in task definition service web (current task definition). Containers: app, sidecar'
    )
    expect(error.file).toBeUndefined()
  })
})

describe('YAML niceties', () => {
  test('anchors, aliases and merge keys', () => {
    const loaded = parseTaskDefinition(
      lines(
        'family: web',
        'containerDefinitions:',
        '  - name: app',
        '    image: nginx',
        '    logConfiguration: &log',
        '      logDriver: awslogs',
        '      options: { awslogs-group: web, awslogs-region: us-east-1 }',
        '  - name: sidecar',
        '    image: envoy',
        '    logConfiguration:',
        '      <<: *log',
        '      options: { awslogs-group: side }'
      ),
      'td.yml'
    )
    expect(loaded.warnings).toEqual([])
    expect(loaded.input.containerDefinitions![1].logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-group': 'side' }
    })
    expect(loaded.input.containerDefinitions![0].logConfiguration?.options?.['awslogs-region']).toBe(
      'us-east-1'
    )
    expect(loaded.locate(['containerDefinitions', 1, 'logConfiguration', 'options'])).toEqual({
      line: 12,
      column: 7
    })
  })
})

describe('loadTaskDefinitionFile', () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'td-test-'))
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }))
  fs.mkdirSync(path.join(workspace, 'ecs'))
  fs.writeFileSync(
    path.join(workspace, 'ecs', 'td.yml'),
    lines('family: web', 'containerDefinitions:', '  - name: app', '    image: nginx', '    healthcheck: {}')
  )

  test.each([
    ['ecs/td.yml', 'ecs/td.yml'],
    ['./ecs/td.yml', 'ecs/td.yml'],
    [path.join(workspace, 'ecs', 'td.yml'), 'ecs/td.yml']
  ])('%s: source as given, file relative to the workspace', async (given, file) => {
    const loaded = await loadTaskDefinitionFile(given, workspace)
    expect([loaded.source, loaded.file]).toEqual([given, file])
    expect(loaded.warnings).toEqual([
      { message: expect.stringContaining('"healthcheck"'), file, line: 5, column: 5 }
    ])
  })

  test('a missing file fails in plan, naming the input', async () => {
    const error = await loadTaskDefinitionFile('ecs/nope.json', workspace).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).message).toBe('Input "task-definition": ecs/nope.json does not exist')
  })

  test('parse errors name the file relative to the workspace', async () => {
    fs.writeFileSync(path.join(workspace, 'ecs', 'bad.json'), lines('{', '  "family": "web",', '}'))
    const error = await loadTaskDefinitionFile('./ecs/bad.json', workspace).catch((e: unknown) => e)
    expect((error as DeployError).message).toMatch(
      /^Input "task-definition": ecs\/bad\.json:2:18: Trailing comma/
    )
    expect((error as DeployError).file).toBe('ecs/bad.json')
  })

  test('a file outside the workspace is not read', async () => {
    const outside = path.join(path.dirname(workspace), `${path.basename(workspace)}-outside.json`)
    fs.writeFileSync(outside, '{"family": "secret-family", "containerDefinitions": []}')
    try {
      const error = await loadTaskDefinitionFile(`../${path.basename(outside)}`, workspace).catch(
        (e: unknown) => e
      )
      expect(error).toMatchObject({ title: 'Invalid input: task-definition' })
      expect((error as DeployError).message).toMatch(/^Input "task-definition": .* outside the workspace/)
      expect((error as DeployError).message).not.toContain('secret-family')
    } finally {
      fs.rmSync(outside, { force: true })
    }
  })

  test('a file over 1 MiB is not read', async () => {
    fs.writeFileSync(path.join(workspace, 'ecs', 'huge.json'), `{"family": "${'x'.repeat(1024 * 1024)}"}`)
    const error = await loadTaskDefinitionFile('ecs/huge.json', workspace).catch((e: unknown) => e)
    expect(error).toMatchObject({ title: 'Invalid input: task-definition' })
    expect((error as DeployError).message).toBe(
      'Input "task-definition": ecs/huge.json is 1048590 bytes, more than the 1048576 this input takes'
    )
  })

  test('a symlink inside the workspace points the annotation at the real file', async () => {
    fs.symlinkSync('td.yml', path.join(workspace, 'ecs', 'link.yml'))
    const loaded = await loadTaskDefinitionFile('ecs/link.yml', workspace)
    expect([loaded.source, loaded.file]).toEqual(['ecs/link.yml', 'ecs/td.yml'])
  })

  test.each<[string, string, RegExp]>([
    // What a non-JSON system file gave before: the whole file in the message.
    [
      'passwd-like.txt',
      Array.from({ length: 40 }, (_, i) => `user${i}:x:${i}:${i}:User ${i}:/home/u${i}:/bin/sh`).join('\n'),
      /^Input "task-definition": ecs\/passwd-like\.txt:1:1: A task definition must be an object .*, not the string "user0:x:0:0:User 0:\/home\/u0:\/bin\/sh user1:x:1:1:User 1:\/hom…"$/
    ],
    [
      'long-key.json',
      `{"${'k'.repeat(5000)}" 1}`,
      /^Input "task-definition": ecs\/long-key\.json:1:5005: Expected ':' after "k{59}…", found '1'$/
    ],
    ['long-number.json', `{"cpu": ${'9'.repeat(5000)}x}`, /Invalid number "9{39}…"$/],
    ['control.json', '{"family": "a"\u0007}', /found '\\u0007'$/],
    [
      'command.json',
      '"::error::x\\r\\n::add-mask::y"',
      /not the string ":\\u003aerror:\\u003ax\\r\\n:\\u003aadd-mask:\\u003ay"$/
    ],
    [
      'alias.yml',
      `family: *${'a'.repeat(500)}`,
      /^Input "task-definition": ecs\/alias\.yml:1:9: Unknown alias "\*a{58}…"$/
    ]
  ])('%s: the error quotes a short, sanitised excerpt', async (name, text, message) => {
    fs.writeFileSync(path.join(workspace, 'ecs', name), text)
    const error = (await loadTaskDefinitionFile(`ecs/${name}`, workspace).catch(
      (e: unknown) => e
    )) as DeployError
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toMatch(message)
    expect(error.message.length).toBeLessThan(400)
    expect(error.message).not.toMatch(/\p{Cc}/u)
    expect(error.message).not.toContain('::')
  })
})

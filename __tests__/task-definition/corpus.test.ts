/**
 * The real-world corpus: task definitions from public repositories, kept beside the repository in
 * ../shared/corpus/task-definitions (SOURCES.md there says where each came from). CI lays it there;
 * a clone of the repository alone does not have it, and then this suite is one skipped test that
 * says why. The project's own fixtures (__tests__/fixtures/task-definitions) cover the same shapes
 * in __tests__/task-definition/fixtures.test.ts, which never needs this folder.
 */
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

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const corpusDir = path.resolve(repoRoot, '../shared/corpus/task-definitions')

/** Corpus files whose load is expected to warn: [line, message pattern], plus how the input differs. */
const CORPUS_WARNINGS: KnownWarnings = {
  // "tags": [] – ECS answers "Tags can not be empty."
  '016-saida-describe-secrets.json': {
    warnings: [],
    notices: [[111, /^tags was left out \(tags is \[\]\).*"Tags can not be empty\."$/]],
    adjust: e => {
      delete e.tags
    }
  },
  // "containerPort": "3000" – a string where ECS takes an integer; an empty credentialsParameter; "tags": [].
  '021-repo-credentials-nulls.json': {
    warnings: [
      [12, /portMappings\[0\]\.containerPort should be a number, not the string "3000"; it was converted/]
    ],
    notices: [
      [37, /^containerDefinitions\[0\]\.repositoryCredentials was left out \(.*credentialsParameter is ""\)/],
      [51, /^tags was left out/]
    ],
    adjust: e => {
      ;(containerOf(e, 0).portMappings as Array<Record<string, unknown>>)[0].containerPort = 3000
      delete containerOf(e, 0).repositoryCredentials
      delete e.tags
    }
  },
  '039-xyo-empty-image.json': {
    warnings: [],
    notices: [[53, /^tags was left out/]],
    adjust: e => {
      delete e.tags
    }
  },
  // An ECS agent test file: inferenceDevices is not a ContainerDefinition member of the API.
  '033-agent-elastic-inference.json': {
    warnings: [
      [8, /^Unknown key "inferenceDevices" in containerDefinitions\[0\]: ContainerDefinition has no such/]
    ],
    adjust: e => {
      delete containerOf(e, 0).inferenceDevices
    }
  },
  // portBindings is Docker's word; ECS says portMappings.
  '034-agent-nginx-portbindings.json': {
    warnings: [[6, /^Unknown key "portBindings".*Did you mean "portMappings"\?$/]],
    adjust: e => {
      delete containerOf(e, 0).portBindings
    }
  }
}

/** Why the suite is skipped when the corpus is not there (a clone of the repository alone). */
const ABSENT = `the real-world corpus is not beside this clone (${path.relative(repoRoot, corpusDir)}); CI lays it there`

describe('the corpus of real task definitions', () => {
  if (!fs.existsSync(corpusDir)) {
    process.stderr.write(`corpus.test.ts: skipped: ${ABSENT}\n`)
    test.skip(`skipped: ${ABSENT}`, () => {})
    return
  }
  const corpusFiles = taskDefinitionFiles(corpusDir)

  test('has task definitions, and SOURCES.md says where each came from', () => {
    expect(corpusFiles.length).toBeGreaterThan(0)
    const sources = fs.readFileSync(path.join(corpusDir, 'SOURCES.md'), 'utf8')
    expect(corpusFiles.filter(f => !sources.includes(`| ${f} |`))).toEqual([])
  })

  testLoadAndRender(corpusDir, corpusFiles, CORPUS_WARNINGS)

  test('002 (two empty images) renders neither container, and says why', async () => {
    const loaded = await load(corpusDir, '002-fargate-two-containers.yaml')
    const error = thrown(() => selectContainer(loaded, 'app'))
    expect(error.message).toContain('Container "nginx"')
    expect(error.message).toContain('empty image')
    expect([error.line, error.column]).toEqual([44, 13])
  })

  const container = (loaded: LoadedTaskDefinition, name: string): ContainerDefinition =>
    loaded.input.containerDefinitions!.find(c => c.name === name)!

  test.each<[string, string, (l: LoadedTaskDefinition) => unknown, unknown]>([
    [
      '001-firelens-efs-wrapped.json',
      'EFS volume',
      l => l.input.volumes![0].efsVolumeConfiguration?.fileSystemId,
      'fs-c3c9bcbb'
    ],
    [
      '001-firelens-efs-wrapped.json',
      'firelensConfiguration',
      l => container(l, 'log_router').firelensConfiguration?.options?.['config-file-value'],
      '/configs/extra.conf'
    ],
    ['002-fargate-two-containers.yaml', 'healthCheck', l => container(l, 'app').healthCheck?.startPeriod, 15],
    [
      '002-fargate-two-containers.yaml',
      'dependsOn',
      l => container(l, 'nginx').dependsOn,
      [{ containerName: 'app', condition: 'HEALTHY' }]
    ],
    ['002-fargate-two-containers.yaml', 'empty image kept', l => container(l, 'app').image, ''],
    [
      '003-otel-wrapped-describe.json',
      'runtimePlatform',
      l => l.input.runtimePlatform?.cpuArchitecture,
      'X86_64'
    ],
    [
      '003-otel-wrapped-describe.json',
      'empty secretOptions kept',
      l => l.input.containerDefinitions![0].logConfiguration?.secretOptions,
      []
    ],
    ['003-otel-wrapped-describe.json', 'empty wrapper tags → none', l => l.tags, undefined],
    ['004-nginx-django-describe.json', 'secrets', l => container(l, 'app').secrets?.length, 10],
    [
      '004-nginx-django-describe.json',
      'dependsOn',
      l => container(l, 'web').dependsOn,
      [{ containerName: 'app', condition: 'START' }]
    ],
    ['004-nginx-django-describe.json', 'empty dockerLabels kept', l => container(l, 'web').dockerLabels, {}],
    ['004-nginx-django-describe.json', 'host volume', l => l.input.volumes, [{ name: 'tmp-data', host: {} }]],
    [
      '005-agent-firelens-fluentbit.json',
      'log secretOptions',
      l => container(l, 'logsender').logConfiguration?.secretOptions,
      [{ name: '$$$SECRET_OPTION_KEY$$$', valueFrom: '$$$SECRET_OPTION_PARAM$$$' }]
    ],
    [
      '005-agent-firelens-fluentbit.json',
      'healthCheck',
      l => container(l, 'firelens').healthCheck?.retries,
      5
    ],
    [
      '006-php-nginx-ec2-describe.json',
      'null readOnly dropped',
      l => container(l, 'php-app-container').mountPoints,
      [{ containerPath: '/var/www/html/', sourceVolume: 'php-code' }]
    ],
    [
      '006-php-nginx-ec2-describe.json',
      'links',
      l => container(l, 'nginx-web-container').links,
      ['app-container:app-container']
    ],
    [
      '009-cashflow-account-placeholders.json',
      'ephemeralStorage',
      l => l.input.ephemeralStorage,
      { sizeInGiB: 30 }
    ],
    [
      '009-cashflow-account-placeholders.json',
      'ulimits',
      l => l.input.containerDefinitions![0].ulimits?.[0].softLimit,
      65536
    ],
    [
      '009-cashflow-account-placeholders.json',
      'null proxyConfiguration dropped',
      l => 'proxyConfiguration' in l.input,
      false
    ],
    ['009-cashflow-account-placeholders.json', 'tags stay in the input', l => l.input.tags?.length, 3],
    [
      '010-minigame-yaml.yaml',
      'YAML flow with trailing commas',
      l => l.input.containerDefinitions![0].portMappings![0].appProtocol,
      'http'
    ],
    [
      '012-samlesiden-ec2-describe.json',
      'null memory dropped',
      l => 'memory' in l.input.containerDefinitions![0],
      false
    ],
    [
      '012-samlesiden-ec2-describe.json',
      'memoryReservation',
      l => l.input.containerDefinitions![0].memoryReservation,
      256
    ],
    [
      '013-otel-prometheus-ec2.json',
      'dependsOn',
      l => container(l, 'aws-otel-collector').dependsOn?.[0].condition,
      'START'
    ],
    [
      '014-ecs-cli-describe.json',
      'null healthCheck dropped',
      l => 'healthCheck' in l.input.containerDefinitions![0],
      false
    ],
    [
      '015-mustache-placeholders.json',
      'placeholder container name',
      l => l.input.containerDefinitions![0].name,
      '{{ECR_REPO}}'
    ],
    [
      '016-saida-describe-secrets.json',
      'log options',
      l => l.input.containerDefinitions![0].logConfiguration?.options?.mode,
      'non-blocking'
    ],
    [
      '016-saida-describe-secrets.json',
      'empty tags left out (ECS refuses them)',
      l => l.input.tags,
      undefined
    ],
    ['017-youspeak-api.json', 'secrets', l => l.input.containerDefinitions![0].secrets?.length, 13],
    [
      '017-youspeak-api.json',
      'healthCheck',
      l => l.input.containerDefinitions![0].healthCheck?.command?.[0],
      'CMD-SHELL'
    ],
    [
      '018-agent-appmesh-plugin-validator.json',
      'proxyConfiguration',
      l => l.input.proxyConfiguration?.properties?.length,
      6
    ],
    [
      '018-agent-appmesh-plugin-validator.json',
      'privileged',
      l => l.input.containerDefinitions![0].privileged,
      true
    ],
    [
      '019-cwagent-statsd-fargate.json',
      'secrets',
      l => container(l, 'cloudwatch-agent').secrets?.[0].name,
      'CW_CONFIG_CONTENT'
    ],
    [
      '021-repo-credentials-nulls.json',
      'empty credentialsParameter left out with its repositoryCredentials (ECS refuses it)',
      l => l.input.containerDefinitions![0].repositoryCredentials,
      undefined
    ],
    ['021-repo-credentials-nulls.json', 'empty taskRoleArn kept', l => l.input.taskRoleArn, ''],
    [
      '021-repo-credentials-nulls.json',
      'empty inferenceAccelerators kept',
      l => l.input.inferenceAccelerators,
      []
    ],
    ['024-zupa-production.json', 'tags', l => l.input.tags?.[0], { key: 'Environment', value: 'production' }],
    [
      '027-consul-server.json',
      'dockerLabels',
      l => l.input.containerDefinitions![0].dockerLabels,
      { Name: 'consulServer' }
    ],
    [
      '031-agent-gmsa-ssm.json',
      'dockerSecurityOptions',
      l => l.input.containerDefinitions![0].dockerSecurityOptions,
      ['credentialspec:$$$TEST_SSM_ARN$$$']
    ],
    ['032-agent-pid-host-share.json', 'pidMode', l => l.input.pidMode, 'host'],
    [
      '033-agent-elastic-inference.json',
      'inferenceAccelerators',
      l => l.input.inferenceAccelerators?.[0].deviceType,
      'eia1.medium'
    ],
    [
      '035-agent-sysctl.json',
      'systemControls',
      l => l.input.containerDefinitions![0].systemControls,
      [{ namespace: 'net.ipv4.conf.default.rp_filter', value: '0' }]
    ],
    ['039-xyo-empty-image.json', 'empty image loads', l => l.input.containerDefinitions![0].image, '']
  ])('%s keeps %s (through load and render)', (file, what, get, expected) =>
    expectKept(corpusDir, file, what, get, expected)
  )

  test.each([
    ['003-otel-wrapped-describe.json', ['containerDefinitions', 0, 'image'], { line: 7, column: 17 }],
    ['003-otel-wrapped-describe.json', ['family'], { line: 36, column: 9 }],
    ['002-fargate-two-containers.yaml', ['containerDefinitions', 1, 'image'], { line: 44, column: 13 }],
    ['002-fargate-two-containers.yaml', ['containerDefinitions'], { line: 2, column: 5 }],
    ['002-fargate-two-containers.yaml', ['containerDefinitions', 1], { line: 42, column: 9 }],
    [
      '010-minigame-yaml.yaml',
      ['containerDefinitions', 0, 'portMappings', 0, 'containerPort'],
      { line: 17, column: 15 }
    ]
  ])('%s locates %j', async (file, where, position) => {
    const loaded = await load(corpusDir, file)
    expect(loaded.locate(where)).toEqual(position)
  })
})

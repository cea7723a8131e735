/**
 * `run(deps)` end to end without Docker or a local ECS: mocked AWS clients and a fake exec, driven through
 * tables of inputs → the AWS commands sent, the annotations printed and the exit code. The integration
 * tests prove the same paths against the local ECS with real Docker; these prove them in milliseconds and
 * cover what is awkward there (every bad input changes nothing, cancellation at each point).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { mockClient } from 'aws-sdk-client-mock'
import {
  ContinueServiceDeploymentCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListContainerInstancesCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Deployment,
  type DeploymentConfiguration,
  type ServiceDeployment,
  type TaskDefinition
} from '@aws-sdk/client-ecs'
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand
} from '@aws-sdk/client-ecr'
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataResult
} from '@aws-sdk/client-cloudwatch'
import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand
} from '@aws-sdk/client-application-auto-scaling'
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import type { AwsClients } from '../src/aws.js'
import type { Exec, ExecOptions } from '../src/exec.js'

const { run } = await import('../src/main.js')

const credentials = { accessKeyId: 'AKIDMAINTEST', secretAccessKey: 'main-test-secret' }
const clients: AwsClients = {
  ecs: new ECSClient({ region: 'eu-west-1', credentials, maxAttempts: 1 }),
  ecr: new ECRClient({ region: 'eu-west-1', credentials, maxAttempts: 1 }),
  logs: new CloudWatchLogsClient({ region: 'eu-west-1', credentials, maxAttempts: 1 }),
  cloudwatch: new CloudWatchClient({ region: 'eu-west-1', credentials, maxAttempts: 1 }),
  scaling: new ApplicationAutoScalingClient({ region: 'eu-west-1', credentials, maxAttempts: 1 })
}
const ecsMock = mockClient(clients.ecs)
const ecrMock = mockClient(clients.ecr)
const logsMock = mockClient(clients.logs)
const cwMock = mockClient(clients.cloudwatch)
const scalingMock = mockClient(clients.scaling)

const ACCOUNT = '123456789012'
const REGISTRY = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`
const CLUSTER_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/prod`
const SERVICE_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/web`
const TD_OLD = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/web:4`
const TD_NEW = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/web:5`
const DIGEST = `sha256:${'a'.repeat(64)}`
const SHA = 'b'.repeat(40)
const IMAGE = `${REGISTRY}/web@${DIGEST}`

const TASK_DEFINITION: TaskDefinition = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    { name: 'web', image: 'placeholder', essential: true, portMappings: [{ containerPort: 8080 }] }
  ]
}

const MUTATING = [
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  CreateRepositoryCommand,
  RegisterScalableTargetCommand,
  PutScalingPolicyCommand,
  DeleteScalingPolicyCommand
]

let workspace: string
let tempDirs: string[] = []
let printed: string[] = []
const savedEnv = { ...process.env }
const writeSpy = jest.spyOn(process.stdout, 'write')

function deployment(d: Partial<Deployment>): Deployment {
  return {
    id: 'ecs-svc/5555',
    status: 'PRIMARY',
    taskDefinition: TD_NEW,
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'COMPLETED',
    createdAt: new Date(),
    ...d
  }
}

const currentService = {
  serviceName: 'web',
  serviceArn: SERVICE_ARN,
  clusterArn: CLUSTER_ARN,
  status: 'ACTIVE',
  desiredCount: 2,
  taskDefinition: TD_OLD,
  deployments: [deployment({ id: 'ecs-svc/4444', taskDefinition: TD_OLD })],
  events: []
}

/** A healthy account: the cluster and service exist, the image for this commit is in ECR, ECS completes. */
function healthyAws(): void {
  ecsMock
    .on(DescribeClustersCommand)
    .resolves({ clusters: [{ clusterName: 'prod', clusterArn: CLUSTER_ARN, status: 'ACTIVE' }] })
  ecsMock.on(DescribeServicesCommand).resolves({
    services: [{ ...currentService, taskDefinition: TD_NEW, deployments: [deployment({})] }]
  })
  ecsMock
    .on(DescribeTaskDefinitionCommand)
    .resolves({ taskDefinition: { ...TASK_DEFINITION, taskDefinitionArn: TD_OLD } })
  ecsMock
    .on(RegisterTaskDefinitionCommand)
    .resolves({ taskDefinition: { ...TASK_DEFINITION, taskDefinitionArn: TD_NEW } })
  ecsMock.on(UpdateServiceCommand).resolves({
    service: {
      ...currentService,
      taskDefinition: TD_NEW,
      deployments: [
        deployment({ rolloutState: 'IN_PROGRESS', runningCount: 0 }),
        ...currentService.deployments
      ]
    }
  })
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] })
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [] })
  ecrMock.on(DescribeRepositoriesCommand).resolves({
    repositories: [{ repositoryName: 'web', registryId: ACCOUNT, repositoryUri: `${REGISTRY}/web` }]
  })
  ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: DIGEST, imageTags: [] }] })
  ecrMock.on(GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      {
        authorizationToken: Buffer.from('AWS:token-for-test').toString('base64'),
        proxyEndpoint: `https://${REGISTRY}`,
        expiresAt: new Date(Date.now() + 3600_000)
      }
    ]
  })
  logsMock.on(GetLogEventsCommand).resolves({ events: [] })
  scalingMock.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] })
  scalingMock.on(DescribeScalingPoliciesCommand).resolves({ ScalingPolicies: [] })
  scalingMock.on(RegisterScalableTargetCommand).resolves({})
  scalingMock.on(PutScalingPolicyCommand).resolves({ PolicyARN: 'arn:policy' })
  scalingMock.on(DeleteScalingPolicyCommand).resolves({})
  cwMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] })
}

interface ExecCall {
  command: string
  args: string[]
}
let execCalls: ExecCall[] = []
const fakeExec: Exec = async (command: string, args: string[], _options?: ExecOptions) => {
  execCalls.push({ command, args })
  if (command === 'git') return { exitCode: 0, stdout: `${SHA}\n`, stderr: '' }
  return { exitCode: 1, stdout: '', stderr: 'docker is not available in this test' }
}

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value
}

function annotations(kind: 'error' | 'warning' | 'notice'): string[] {
  return printed
    .join('')
    .split('\n')
    .filter(line => line.startsWith(`::${kind}`))
}

function sentCommands(): string[] {
  return [
    ...ecsMock.calls(),
    ...ecrMock.calls(),
    ...logsMock.calls(),
    ...scalingMock.calls(),
    ...cwMock.calls()
  ].map(c => (c.args[0] as { constructor: { name: string } }).constructor.name)
}

function mutatingSent(): string[] {
  const names = new Set(MUTATING.map(c => c.name))
  return sentCommands().filter(name => names.has(name))
}

/** The waits' sleep: no time passes (the tests drive the answers, not the clock); cancellation ends it. */
const noSleep = async (): Promise<void> => {}

async function runAction(options: { signal?: AbortSignal } = {}): Promise<number> {
  process.exitCode = undefined
  await run({
    clients,
    exec: fakeExec,
    workspace,
    signal: options.signal ?? new AbortController().signal,
    sleep: noSleep
  })
  const code = Number(process.exitCode ?? 0)
  process.exitCode = undefined
  return code
}

const base = {
  'aws-region': 'eu-west-1',
  image: IMAGE,
  'task-definition': 'td.json',
  'container-name': 'web',
  cluster: 'prod',
  service: 'web'
}

beforeAll(() => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-main-test-'))
  tempDirs.push(workspace)
  fs.writeFileSync(path.join(workspace, 'td.json'), JSON.stringify(TASK_DEFINITION, null, 2))
})

afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true })
  tempDirs = []
  writeSpy.mockRestore()
})

beforeEach(() => {
  ecsMock.reset()
  ecrMock.reset()
  logsMock.reset()
  cwMock.reset()
  // CloudWatch has no points unless a test says so (the summary's CPU and memory read).
  cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] })
  scalingMock.reset()
  healthyAws()
  execCalls = []
  printed = []
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  for (const key of ['GITHUB_STEP_SUMMARY', 'GITHUB_OUTPUT', 'GITHUB_STATE']) delete process.env[key]
  process.env.GITHUB_SHA = SHA
  process.env.RUNNER_TEMP = workspace
  writeSpy.mockImplementation((chunk: string | Uint8Array) => {
    printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString())
    return true
  })
})

afterEach(() => {
  process.env = { ...savedEnv }
})

describe('a green deploy of a given image', () => {
  test('plans, registers with the image pinned, updates the service and waits for our deployment', async () => {
    setInputs(base)
    expect(await runAction()).toBe(0)
    expect(annotations('error')).toEqual([])
    const register = ecsMock.commandCalls(RegisterTaskDefinitionCommand)
    expect(register).toHaveLength(1)
    expect(register[0].args[0].input.containerDefinitions?.[0].image).toBe(IMAGE)
    const update = ecsMock.commandCalls(UpdateServiceCommand)
    expect(update).toHaveLength(1)
    expect(update[0].args[0].input).toMatchObject({ cluster: 'prod', service: 'web', taskDefinition: TD_NEW })
    // The plan's reads come before the first mutating call.
    const order = sentCommands()
    expect(order.indexOf('DescribeServicesCommand')).toBeLessThan(
      order.indexOf('RegisterTaskDefinitionCommand')
    )
    expect(order.indexOf('RegisterTaskDefinitionCommand')).toBeLessThan(order.indexOf('UpdateServiceCommand'))
    // No docker for a given image.
    expect(execCalls.filter(c => c.command === 'docker')).toEqual([])
  })

  test('without a service it only registers', async () => {
    setInputs({ ...base, service: '' })
    expect(await runAction()).toBe(0)
    expect(mutatingSent()).toEqual(['RegisterTaskDefinitionCommand'])
  })

  test('with wait-for-service-stability false it does not poll after the update', async () => {
    setInputs({ ...base, 'wait-for-service-stability': 'false' })
    expect(await runAction()).toBe(0)
    const order = sentCommands()
    expect(order.slice(order.indexOf('UpdateServiceCommand') + 1)).toEqual([])
  })

  test('a reused image for this commit is deployed by digest with no docker build', async () => {
    setInputs({ ...base, image: '', repository: 'web' })
    expect(await runAction()).toBe(0)
    expect(
      ecsMock.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input.containerDefinitions?.[0].image
    ).toBe(`${REGISTRY}/web@${DIGEST}`)
    expect(execCalls.filter(c => c.command === 'docker' && c.args[0] === 'build')).toEqual([])
  })
})

/** Where the revision to register starts from: the file, the family's latest revision, the service's. */
describe('the base task definition', () => {
  test.each<[string, Record<string, string>, string | undefined]>([
    ['the file', {}, undefined],
    [
      'task-definition-family: its latest revision',
      { 'task-definition': '', 'task-definition-family': 'web' },
      'web'
    ],
    ["no file, no family: the service's current revision", { 'task-definition': '' }, TD_NEW]
  ])('%s', async (_name, overrides, described) => {
    setInputs({ ...base, ...overrides })
    expect(await runAction()).toBe(0)
    // The base's own read (if any), then one best-effort read of the running revision for the summary's
    // "image before → after".
    expect(
      ecsMock.commandCalls(DescribeTaskDefinitionCommand).map(c => c.args[0].input.taskDefinition)
    ).toEqual([...(described === undefined ? [] : [described]), TD_NEW])
    const register = ecsMock.commandCalls(RegisterTaskDefinitionCommand)
    expect(register).toHaveLength(1)
    expect(register[0].args[0].input).toMatchObject({
      family: 'web',
      containerDefinitions: [{ name: 'web', image: IMAGE }]
    })
    // A described revision's read-only keys are not sent back.
    expect(register[0].args[0].input).not.toHaveProperty('taskDefinitionArn')
  })

  test('register only with a family: no cluster or service is described', async () => {
    setInputs({ ...base, 'task-definition': '', 'task-definition-family': 'web', service: '' })
    expect(await runAction()).toBe(0)
    expect(sentCommands().filter(name => name.startsWith('Describe'))).toEqual([
      'DescribeTaskDefinitionCommand'
    ])
    expect(mutatingSent()).toEqual(['RegisterTaskDefinitionCommand'])
  })
})

/** The plan's annotations are printed by main: the file's warnings as soon as it is read, whatever fails after. */
describe("the plan's warnings and notices", () => {
  test('an unknown key warns and a left-out empty list is a notice, both pointing into the file', async () => {
    fs.writeFileSync(
      path.join(workspace, 'noted.json'),
      JSON.stringify({ ...TASK_DEFINITION, healthcheck: {}, tags: [] }, null, 2)
    )
    setInputs({ ...base, 'task-definition': 'noted.json' })
    expect(await runAction()).toBe(0)
    expect(annotations('warning').filter(a => a.includes('healthcheck'))).toEqual([
      expect.stringMatching(/^::warning title=Task definition,file=noted\.json,line=\d+/)
    ])
    expect(annotations('notice')).toEqual([
      expect.stringMatching(/^::notice title=Task definition,file=noted\.json,line=\d+.*tags was left out/)
    ])
  })

  test("the base's notices are printed even when the plan then fails on the container", async () => {
    fs.writeFileSync(
      path.join(workspace, 'noted-api.json'),
      JSON.stringify({ ...TASK_DEFINITION, tags: [] }, null, 2)
    )
    setInputs({ ...base, 'task-definition': 'noted-api.json', 'container-name': 'api' })
    expect(await runAction()).toBe(1)
    expect(annotations('notice')).toEqual([expect.stringMatching(/tags was left out/)])
    expect(annotations('error')).toEqual([expect.stringMatching(/Container not found/)])
  })

  test("the file's warnings are printed even when the cluster is not found after", async () => {
    fs.writeFileSync(
      path.join(workspace, 'warned.json'),
      JSON.stringify({ ...TASK_DEFINITION, healthcheck: {} }, null, 2)
    )
    ecsMock
      .on(DescribeClustersCommand)
      .resolves({ clusters: [], failures: [{ reason: 'MISSING', arn: CLUSTER_ARN }] })
    setInputs({ ...base, 'task-definition': 'warned.json' })
    expect(await runAction()).toBe(1)
    expect(annotations('warning').filter(a => a.includes('healthcheck'))).toHaveLength(1)
    expect(annotations('error')).toEqual([expect.stringMatching(/Cluster not found/)])
  })
})

/** Inputs a user can get wrong: each ends with exit 1, one error annotation naming the input, nothing changed. */
const badInputs: Array<[string, Record<string, string>, RegExp]> = [
  ['no region', { 'aws-region': '' }, /aws-region/],
  ['a region that is not one', { 'aws-region': 'Europe' }, /aws-region/],
  ['repository and image both', { repository: 'web' }, /image/],
  ['task-definition and its family both', { 'task-definition-family': 'web' }, /task-definition-family/],
  ['desired-count not a number', { 'desired-count': 'three' }, /desired-count/],
  ['wait-for-minutes zero', { 'wait-for-minutes': '0' }, /wait-for-minutes/],
  ['max-failed-tasks zero', { 'max-failed-tasks': '0' }, /max-failed-tasks/],
  ['propagate-tags unknown', { 'propagate-tags': 'ALL' }, /propagate-tags/],
  ['a boolean that is not one', { rollback: 'maybe' }, /rollback/],
  ['a tag with a space', { tags: 'a b' }, /tags/],
  ['a platform that is not one', { image: '', repository: 'web', platforms: 'amd64' }, /platforms/],
  ['a build-args line without =', { image: '', repository: 'web', 'build-args': 'JUSTAKEY' }, /build-args/],
  ['a missing task definition file', { 'task-definition': 'missing.json' }, /missing\.json|task-definition/],
  ['an unknown container', { 'container-name': 'api' }, /api/],
  ['scaling-min above scaling-max', { 'scaling-min': '5', 'scaling-max': '2' }, /scaling-max/],
  ['scale-on-cpu above 100', { 'scale-on-cpu': '120' }, /scale-on-cpu/],
  ['a new scalable target without scaling-max', { 'scaling-min': '1', 'scale-on-cpu': '50' }, /scaling-max/],
  ['scale-on-requests without its label', { 'scale-on-requests': '500' }, /scale-on-requests-resource-label/],
  ['alarms without watch-minutes', { alarms: 'web-5xx' }, /alarms/],
  ['an alarm CloudWatch does not have', { 'watch-minutes': '5', alarms: 'web-typo' }, /web-typo/]
]

describe('bad inputs change nothing', () => {
  test.each(badInputs)('%s', async (_name, overrides, names) => {
    setInputs({ ...base, ...overrides })
    expect(await runAction()).toBe(1)
    const errors = annotations('error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(names)
    expect(mutatingSent()).toEqual([])
    expect(execCalls.filter(c => c.command === 'docker')).toEqual([])
  })

  test.each([
    [
      'the cluster',
      () =>
        ecsMock
          .on(DescribeClustersCommand)
          .resolves({ clusters: [], failures: [{ reason: 'MISSING', arn: CLUSTER_ARN }] }),
      /prod/
    ],
    [
      'the service',
      () =>
        ecsMock
          .on(DescribeServicesCommand)
          .resolves({ services: [], failures: [{ reason: 'MISSING', arn: SERVICE_ARN }] }),
      /web/
    ]
  ])('%s not found', async (_name, arrange, names) => {
    arrange()
    setInputs(base)
    expect(await runAction()).toBe(1)
    const errors = annotations('error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(names)
    expect(mutatingSent()).toEqual([])
  })

  test('a malformed task definition names the file and its line', async () => {
    fs.writeFileSync(
      path.join(workspace, 'bad.json'),
      '{\n  "family": "web",\n  "containerDefinitions": [\n    {"name": }\n  ]\n}\n'
    )
    setInputs({ ...base, 'task-definition': 'bad.json' })
    expect(await runAction()).toBe(1)
    const errors = annotations('error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/file=bad\.json,line=4/)
    expect(mutatingSent()).toEqual([])
  })
})

describe('a red deploy', () => {
  // The service is on our revision only until ECS gives up: our deployment fails with the breaker.
  const failed = {
    services: [
      {
        ...currentService,
        taskDefinition: TD_NEW,
        deployments: [
          deployment({
            rolloutState: 'FAILED',
            runningCount: 0,
            failedTasks: 3,
            rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
          }),
          ...currentService.deployments
        ]
      }
    ]
  }
  beforeEach(() => {
    ecsMock.on(DescribeServicesCommand).resolves(failed)
  })

  test('fails, rolls back to the revision the service ran before, and says so', async () => {
    setInputs(base)
    expect(await runAction()).toBe(1)
    const updates = ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.taskDefinition)
    expect(updates[0]).toBe(TD_NEW)
    expect(updates).toContain(TD_OLD)
    const errors = annotations('error')
    expect(errors.length).toBeGreaterThanOrEqual(1)
    expect(errors.at(-1)).toMatch(/Deployment failed/)
  })

  test('a service caught mid-rollout is rolled back to its last completed revision, not the one rolling out', async () => {
    const TD_MID = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/web:3`
    const TD_STABLE = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/web:2`
    // The plan's DescribeServices sees the service mid-rollout; the waits see our deployment fail.
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({
        services: [
          {
            ...currentService,
            taskDefinition: TD_MID,
            deployments: [
              deployment({ id: 'ecs-svc/3333', taskDefinition: TD_MID, rolloutState: 'IN_PROGRESS' }),
              deployment({ id: 'ecs-svc/2222', status: 'ACTIVE', taskDefinition: TD_STABLE })
            ]
          }
        ]
      })
      .resolves(failed)
    setInputs(base)
    expect(await runAction()).toBe(1)
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.taskDefinition)).toEqual([
      TD_NEW,
      TD_STABLE
    ])
  })

  test('with rollback false it leaves the service where ECS left it', async () => {
    setInputs({ ...base, rollback: 'false' })
    expect(await runAction()).toBe(1)
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.taskDefinition)).toEqual([
      TD_NEW
    ])
  })
})

describe('cancellation', () => {
  test('a run cancelled before registering changes nothing', async () => {
    setInputs(base)
    const controller = new AbortController()
    controller.abort()
    expect(await runAction({ signal: controller.signal })).toBe(1)
    expect(mutatingSent()).toEqual([])
    expect(annotations('error')[0]).toMatch(/cancelled/i)
  })

  test('a run cancelled after registering does not update the service', async () => {
    setInputs(base)
    const controller = new AbortController()
    ecsMock.on(RegisterTaskDefinitionCommand).callsFake(() => {
      controller.abort()
      return { taskDefinition: { ...TASK_DEFINITION, taskDefinitionArn: TD_NEW } }
    })
    expect(await runAction({ signal: controller.signal })).toBe(1)
    expect(mutatingSent()).toEqual(['RegisterTaskDefinitionCommand'])
  })
})

/**
 * Callees say what went wrong; main.ts's phase() says where: the summary names the phase a failed run
 * stopped in, whichever callee threw.
 */
describe('the phase a failure happened in', () => {
  const awsError = (name: string, message: string): Error => Object.assign(new Error(message), { name })
  test.each<[string, Record<string, string>, () => void, string]>([
    ['a bad input', { 'aws-region': '' }, () => {}, 'Inputs'],
    ['a missing task definition file', { 'task-definition': 'missing.json' }, () => {}, 'Plan'],
    [
      'a cluster that is not there',
      {},
      () => {
        ecsMock.on(DescribeClustersCommand).resolves({ clusters: [], failures: [{ reason: 'MISSING' }] })
      },
      'Plan'
    ],
    [
      'a build that cannot run',
      { image: '', repository: 'web' },
      () => {
        ecrMock.on(DescribeImagesCommand).resolves({ imageDetails: [] })
      },
      'Image'
    ],
    [
      'ECS refusing the task definition',
      {},
      () => {
        ecsMock
          .on(RegisterTaskDefinitionCommand)
          .rejects(awsError('ClientException', 'Invalid setting for container'))
      },
      'Register task definition'
    ],
    [
      'ECS refusing the update',
      {},
      () => {
        ecsMock.on(UpdateServiceCommand).rejects(awsError('InvalidParameterException', 'no such thing'))
      },
      'Update service'
    ],
    [
      'a deployment the circuit breaker failed',
      { rollback: 'false' },
      () => {
        ecsMock.on(DescribeServicesCommand).resolves({
          services: [
            {
              ...currentService,
              deployments: [
                deployment({ rolloutState: 'FAILED', runningCount: 0, failedTasks: 3 }),
                ...currentService.deployments
              ]
            }
          ]
        })
      },
      'Wait for the deployment'
    ]
  ])('%s', async (_name, overrides, arrange, phaseName) => {
    // @actions/core keeps the first summary path it sees: one file, emptied for each row.
    const summaryFile = path.join(workspace, 'summary.md')
    fs.writeFileSync(summaryFile, '')
    process.env.GITHUB_STEP_SUMMARY = summaryFile
    arrange()
    setInputs({ ...base, ...overrides })
    expect(await runAction()).toBe(1)
    expect(fs.readFileSync(summaryFile, 'utf8')).toContain(`**Failed in:** ${phaseName}`)
  })
})

/**
 * The native strategies (BLUE_GREEN, LINEAR, CANARY): the watch follows the service deployment our update
 * created, found by its target revision, and judges it by its status, never by DescribeServices' counts.
 */
describe('native deployment strategies', () => {
  const SD_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-deployment/prod/web/Abc123`
  const REV_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-revision/prod/web/9876`
  const OLD_REV_ARN = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service-revision/prod/web/1234`
  const blueGreen: DeploymentConfiguration = {
    strategy: 'BLUE_GREEN',
    bakeTimeInMinutes: 5,
    alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true },
    deploymentCircuitBreaker: { enable: true, rollback: true }
  }

  function sd(d: Partial<ServiceDeployment>, production?: number, test?: number): ServiceDeployment {
    return {
      serviceDeploymentArn: SD_ARN,
      status: 'IN_PROGRESS',
      sourceServiceRevisions: [{ arn: OLD_REV_ARN }],
      targetServiceRevision: {
        arn: REV_ARN,
        ...(production !== undefined ? { requestedProductionTrafficWeight: production } : {}),
        ...(test !== undefined ? { requestedTestTrafficWeight: test } : {})
      },
      ...d
    }
  }

  /** The service deploys with `config`; ECS lists our deployment and answers DescribeServiceDeployments in order. */
  function nativeAws(config: DeploymentConfiguration, answers: ServiceDeployment[]): void {
    const svc = { ...currentService, deploymentConfiguration: config }
    ecsMock.on(DescribeServicesCommand).resolves({ services: [svc] })
    ecsMock.on(UpdateServiceCommand).resolves({
      service: {
        ...svc,
        taskDefinition: TD_NEW,
        deployments: [deployment({ rolloutState: 'IN_PROGRESS', runningCount: 0 }), ...svc.deployments]
      }
    })
    ecsMock.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: SD_ARN,
          targetServiceRevisionArn: REV_ARN,
          status: 'PENDING',
          createdAt: new Date()
        }
      ]
    })
    ecsMock
      .on(DescribeServiceRevisionsCommand)
      .resolves({ serviceRevisions: [{ serviceRevisionArn: REV_ARN, taskDefinition: TD_NEW }] })
    let chain = ecsMock.on(DescribeServiceDeploymentsCommand)
    for (const a of answers.slice(0, -1)) chain = chain.resolvesOnce({ serviceDeployments: [a] })
    chain.resolves({ serviceDeployments: answers.slice(-1) })
    ecsMock.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: SD_ARN })
    ecsMock.on(ContinueServiceDeploymentCommand).resolves({ serviceDeploymentArn: SD_ARN })
  }

  const log = (): string => printed.join('')
  const updates = (): Array<string | undefined> =>
    ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.taskDefinition)

  test('BLUE_GREEN is green only at SUCCESSFUL: 100 % production weight during BAKE_TIME does not end the step', async () => {
    // @actions/core keeps the first summary path it sees: the one file the other tests use.
    const summaryFile = path.join(workspace, 'summary.md')
    fs.writeFileSync(summaryFile, '')
    process.env.GITHUB_STEP_SUMMARY = summaryFile
    nativeAws(blueGreen, [
      sd({ lifecycleStage: 'SCALE_UP' }),
      sd({ lifecycleStage: 'TEST_TRAFFIC_SHIFT' }, 0, 100),
      sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }, 100, 100),
      sd({ lifecycleStage: 'BAKE_TIME' }, 100, 100),
      sd({ lifecycleStage: 'BAKE_TIME' }, 100, 100),
      sd({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }, 100, 100)
    ])
    setInputs(base)
    expect(await runAction()).toBe(0)
    expect(annotations('error')).toEqual([])
    // Every answer was read: the bake did not end the watch.
    expect(ecsMock.commandCalls(DescribeServiceDeploymentsCommand)).toHaveLength(6)
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)[0].args[0].input).toMatchObject({
      cluster: 'prod',
      service: 'web'
    })
    const order = ['SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP'].map(
      stage => log().indexOf(`stage ${stage}`)
    )
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]))).toBe(true)
    // One line per change: the second BAKE_TIME answer printed nothing.
    expect(log().split('stage BAKE_TIME').length - 1).toBe(1)
    expect(log()).toMatch(/Service deployment Abc123 succeeded/)
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toEqual([])
    expect(updates()).toEqual([TD_NEW])
    const summary = fs.readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('### Stages')
    expect(summary).toMatch(/\| BAKE\\_TIME \| \d+ ms \|/)
    expect(summary).toMatch(/\*\*Alarms:\*\* `web-5xx`$/m)
  })

  test('an alarm during the bake: ECS rolls back, the step is red naming the alarm, and we start no rollback', async () => {
    const alarm = { status: 'TRIGGERED' as const, alarmNames: ['web-5xx'], triggeredAlarmNames: ['web-5xx'] }
    nativeAws(blueGreen, [
      sd({ lifecycleStage: 'BAKE_TIME' }, 100, 100),
      sd({ status: 'ROLLBACK_IN_PROGRESS', lifecycleStage: 'BAKE_TIME', alarms: alarm }, 0, 0),
      sd({ status: 'ROLLBACK_SUCCESSFUL', alarms: alarm, rollback: { reason: 'alarm' } }, 0, 0)
    ])
    setInputs(base)
    expect(await runAction()).toBe(1)
    const errors = annotations('error')
    // The cause travels in the run's one "Deployment failed" error, first.
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/title=Deployment failed::Rolled back: alarm "web-5xx" went into ALARM/)
    expect(errors.join('\n')).not.toMatch(/completed/)
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toEqual([])
    expect(updates()).toEqual([TD_NEW])
  })

  test('a failed Lambda hook names the hook and its function', async () => {
    nativeAws(blueGreen, [
      sd({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' }, 0, 100),
      sd({
        status: 'ROLLBACK_SUCCESSFUL',
        lifecycleHookDetails: [
          {
            hookId: 'smoke',
            targetType: 'AWS_LAMBDA',
            targetArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:smoke-test`,
            status: 'FAILED'
          }
        ]
      })
    ])
    setInputs(base)
    expect(await runAction()).toBe(1)
    expect(annotations('error')[0]).toMatch(
      /Lambda hook smoke-test failed: .*hook smoke \(target arn:aws:lambda:.*:function:smoke-test\)/
    )
  })

  const paused = (stage = 'POST_TEST_TRAFFIC_SHIFT'): ServiceDeployment =>
    sd(
      {
        lifecycleStage: stage as ServiceDeployment['lifecycleStage'],
        lifecycleHookDetails: [
          {
            hookId: 'gate',
            targetType: 'PAUSE',
            status: 'AWAITING_ACTION',
            expiresAt: new Date(Date.now() + 3600_000),
            timeoutAction: 'ROLLBACK'
          }
        ]
      },
      0,
      100
    )

  test.each<[string, string, 'CONTINUE' | 'ROLLBACK', ServiceDeployment, number]>([
    ['continue', 'continue', 'CONTINUE', sd({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }, 100), 0],
    ['rollback', 'rollback', 'ROLLBACK', sd({ status: 'ROLLBACK_SUCCESSFUL' }, 0), 1]
  ])(
    'a PAUSE hook with on-pause %s: ContinueServiceDeployment, then watched to its end',
    async (_n, onPause, action, last, code) => {
      nativeAws(blueGreen, [paused(), paused(), last])
      setInputs({ ...base, 'on-pause': onPause })
      expect(await runAction()).toBe(code)
      // Answered once, though the pause was seen twice.
      expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand).map(c => c.args[0].input)).toEqual([
        { serviceDeploymentArn: SD_ARN, hookId: 'gate', action }
      ])
      expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toEqual([])
    }
  )

  test('a PAUSE hook with on-pause return: green at the pause, with a notice and the outputs to resume it', async () => {
    nativeAws(blueGreen, [sd({ lifecycleStage: 'SCALE_UP' }), paused()])
    setInputs({ ...base, 'on-pause': 'return' })
    expect(await runAction()).toBe(0)
    expect(annotations('notice').join('\n')).toMatch(/paused at hook gate .*resume: arn:aws:ecs:/)
    expect(log()).toContain(`::set-output name=service-deployment-arn::${SD_ARN}`)
    expect(log()).toContain('::set-output name=hook-id::gate')
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)).toEqual([])
  })

  test('on-pause wait: a notice with the console link, and the watch goes on until ECS ends it', async () => {
    nativeAws(blueGreen, [
      paused(),
      paused(),
      sd({
        status: 'ROLLBACK_SUCCESSFUL',
        lifecycleHookDetails: [{ hookId: 'gate', targetType: 'PAUSE', status: 'TIMED_OUT' }]
      })
    ])
    setInputs(base)
    expect(await runAction()).toBe(1)
    expect(annotations('notice').join('\n')).toMatch(
      /paused at hook gate.*ECS will rollback at .*console\.aws\.amazon\.com/
    )
    expect(annotations('error')[0]).toMatch(/pause hook gate timed out/)
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)).toEqual([])
  })

  test('a resume step continues the hook and watches to the end: no build, no register, no update', async () => {
    nativeAws(blueGreen, [
      paused(),
      sd({ lifecycleStage: 'BAKE_TIME' }, 100, 100),
      sd({ status: 'SUCCESSFUL' }, 100, 100)
    ])
    setInputs({ 'aws-region': 'eu-west-1', cluster: 'prod', service: 'web', resume: SD_ARN })
    expect(await runAction()).toBe(0)
    expect(mutatingSent()).toEqual([])
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand).map(c => c.args[0].input)).toEqual([
      { serviceDeploymentArn: SD_ARN, hookId: 'gate', action: 'CONTINUE' }
    ])
    expect(ecsMock.commandCalls(ListServiceDeploymentsCommand)).toEqual([])
    expect(log()).toMatch(/Service deployment Abc123 succeeded/)
  })

  test('a resume step on a deployment that waits at no hook fails, changing nothing', async () => {
    nativeAws(blueGreen, [sd({ status: 'SUCCESSFUL' })])
    setInputs({ 'aws-region': 'eu-west-1', cluster: 'prod', service: 'web', resume: SD_ARN })
    expect(await runAction()).toBe(1)
    expect(annotations('error')).toEqual([expect.stringMatching(/Nothing to resume/)])
    expect(ecsMock.commandCalls(ContinueServiceDeploymentCommand)).toEqual([])
  })

  test.each<[string, DeploymentConfiguration, number[]]>([
    ['LINEAR', { strategy: 'LINEAR', linearConfiguration: { stepPercent: 25 } }, [25, 50, 75, 100]],
    ['CANARY', { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 5 } }, [5, 100]]
  ])('%s: green at SUCCESSFUL, the weights printed in order', async (_name, config, weights) => {
    nativeAws(config, [
      ...weights.map(w => sd({ lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' }, w)),
      sd({ status: 'SUCCESSFUL', lifecycleStage: 'CLEAN_UP' }, 100)
    ])
    setInputs(base)
    expect(await runAction()).toBe(0)
    const at = weights.map(w => log().indexOf(`production ${w}% new / ${100 - w}% old`))
    expect(at.every((p, i) => p >= 0 && (i === 0 || p > at[i - 1]))).toBe(true)
  })

  test('cancelled during the bake: StopServiceDeployment with ROLLBACK, not an UpdateService', async () => {
    const controller = new AbortController()
    nativeAws(blueGreen, [sd({ lifecycleStage: 'SCALE_UP' })])
    ecsMock
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce({ serviceDeployments: [sd({ lifecycleStage: 'SCALE_UP' })] })
      .callsFake(() => {
        controller.abort()
        return { serviceDeployments: [sd({ lifecycleStage: 'BAKE_TIME' }, 100, 100)] }
      })
    setInputs(base)
    expect(await runAction({ signal: controller.signal })).toBe(1)
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand).map(c => c.args[0].input)).toEqual([
      { serviceDeploymentArn: SD_ARN, stopType: 'ROLLBACK' }
    ])
    expect(updates()).toEqual([TD_NEW])
    expect(annotations('error').at(-1)).toMatch(/Rollback of service deployment Abc123 started/)
  })

  test('a timeout during the bake rolls back with StopServiceDeployment and watches it to ROLLBACK_SUCCESSFUL: red', async () => {
    nativeAws(blueGreen, [sd({ lifecycleStage: 'BAKE_TIME' }, 100, 100)])
    let stopped = false
    ecsMock.on(StopServiceDeploymentCommand).callsFake(() => {
      stopped = true
      return { serviceDeploymentArn: SD_ARN }
    })
    ecsMock.on(DescribeServiceDeploymentsCommand).callsFake(() => ({
      serviceDeployments: [
        stopped ? sd({ status: 'ROLLBACK_SUCCESSFUL' }, 0) : sd({ lifecycleStage: 'BAKE_TIME' }, 100, 100)
      ]
    }))
    setInputs({ ...base, 'wait-for-minutes': '0.001' })
    expect(await runAction()).toBe(1)
    expect(ecsMock.commandCalls(StopServiceDeploymentCommand)).toHaveLength(1)
    expect(updates()).toEqual([TD_NEW])
    const last = annotations('error').at(-1)
    expect(last).toMatch(/Rolled back service deployment Abc123/)
    expect(last).not.toMatch(/completed/)
  })

  test("a rolling service's COUNT threshold of 5: the watch stops at 5 failed tasks, not 3", async () => {
    const svc = {
      ...currentService,
      deploymentConfiguration: {
        deploymentCircuitBreaker: {
          enable: false,
          rollback: false,
          thresholdConfiguration: { type: 'COUNT' as const, value: 5 }
        }
      }
    }
    const at = (failedTasks: number) => ({
      services: [
        {
          ...svc,
          taskDefinition: TD_NEW,
          deployments: [
            deployment({ rolloutState: 'IN_PROGRESS', runningCount: 0, failedTasks }),
            ...svc.deployments
          ]
        }
      ]
    })
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [svc] })
      .resolvesOnce(at(3))
      .resolvesOnce(at(4))
      .resolves(at(5))
    setInputs({ ...base, rollback: 'false' })
    expect(await runAction()).toBe(1)
    expect(ecsMock.commandCalls(DescribeServicesCommand).length).toBeGreaterThanOrEqual(4)
    expect(annotations('error').join('\n')).toMatch(/after 5 failed tasks \(limit 5\)/)
  })
})

/**
 * After the deployment the run reads CPU and memory for the summary's charts (src/metrics.ts): one
 * GetMetricData request, best effort. Its answers, as rows: what the summary and the log then show.
 */
describe('the CPU and memory of the deploy', () => {
  /** A point a minute over the window asked for, CPU at `cpu`, memory at 50. */
  function everyMinute(cpu: number) {
    return async (input: { StartTime?: Date; EndTime?: Date }) => {
      const from = input.StartTime?.getTime() ?? 0
      const to = input.EndTime?.getTime() ?? 0
      const times = Array.from(
        { length: Math.round((to - from) / 60_000) },
        (_, i) => new Date(from + i * 60_000)
      )
      const result = (Id: string, value: number): MetricDataResult => ({
        Id,
        Timestamps: times,
        Values: times.map(() => value)
      })
      return { MetricDataResults: [result('svc_cpu', cpu), result('svc_mem', 50)] }
    }
  }

  test.each<[string, () => void, string[], string[]]>([
    [
      'metrics in CloudWatch: the summary has the xychart, the log the sparklines',
      () => cwMock.on(GetMetricDataCommand).callsFake(everyMinute(41)),
      [
        '### CPU and memory',
        '```mermaid\n%%{init',
        'xychart-beta',
        'line "Service CPU" [41, 41',
        '| Service CPU | `'
      ],
      ['No metrics yet']
    ],
    [
      'none yet: the summary says so, with no chart',
      () => undefined,
      ['### CPU and memory', 'No metrics yet: CloudWatch has no CPU or memory points'],
      ['xychart-beta']
    ],
    [
      'refused: one line, and the deploy stays green',
      () =>
        cwMock
          .on(GetMetricDataCommand)
          .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' })),
      [
        'Could not read the metrics: GetMetricData (service web): AccessDeniedException: not allowed (check permission cloudwatch:GetMetricData)'
      ],
      ['xychart-beta', 'No metrics yet']
    ]
  ])('%s', async (_name, arrange, present, absent) => {
    // @actions/core keeps the first summary path it sees: the one file the other tests use.
    const summaryFile = path.join(workspace, 'summary.md')
    fs.writeFileSync(summaryFile, '')
    process.env.GITHUB_STEP_SUMMARY = summaryFile
    arrange()
    setInputs(base)
    expect(await runAction()).toBe(0)
    expect(annotations('error')).toEqual([])
    expect(annotations('warning')).toEqual([])
    const calls = cwMock.commandCalls(GetMetricDataCommand)
    expect(calls).toHaveLength(1)
    const input = calls[0].args[0].input
    expect(input.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions).toEqual([
      { Name: 'ClusterName', Value: 'prod' },
      { Name: 'ServiceName', Value: 'web' }
    ])
    // From 30 minutes before the update to after it.
    const span = (input.EndTime?.getTime() ?? 0) - (input.StartTime?.getTime() ?? 0)
    expect(span).toBeGreaterThanOrEqual(30 * 60_000)
    expect(span).toBeLessThanOrEqual(33 * 60_000)
    const summary = fs.readFileSync(summaryFile, 'utf8')
    for (const p of present) expect(summary).toContain(p)
    for (const a of absent) expect(summary).not.toContain(a)
    const log = printed.join('')
    expect(log).toContain('::group::CPU and memory')
    if (present.includes('xychart-beta'))
      expect(log).toMatch(/Service CPU +[▁▂▃▄▅▆▇█ ]+┃[▁▂▃▄▅▆▇█ ]+ +min 41%/)
  })

  test('not waited for: nothing is read', async () => {
    setInputs({ ...base, 'wait-for-service-stability': 'false' })
    expect(await runAction()).toBe(0)
    expect(cwMock.commandCalls(GetMetricDataCommand)).toEqual([])
  })
})

/** Auto scaling as part of the deploy, and the watch after it (issue 14). */
describe('auto scaling and the post-deploy watch', () => {
  const scaling = { 'scaling-min': '1', 'scaling-max': '4', 'scale-on-cpu': '50' }
  const registered = (min: number, max: number): void => {
    scalingMock.on(DescribeScalableTargetsCommand).resolves({
      ScalableTargets: [
        {
          ServiceNamespace: 'ecs',
          ResourceId: 'service/prod/web',
          ScalableDimension: 'ecs:service:DesiredCount',
          MinCapacity: min,
          MaxCapacity: max,
          RoleARN: 'arn:role',
          CreationTime: new Date()
        }
      ]
    })
  }
  const cpuPolicy = (target: number): void => {
    scalingMock.on(DescribeScalingPoliciesCommand).resolves({
      ScalingPolicies: [
        {
          PolicyARN: 'arn:policy',
          PolicyName: 'ecs-deploy-cpu',
          ServiceNamespace: 'ecs',
          ResourceId: 'service/prod/web',
          ScalableDimension: 'ecs:service:DesiredCount',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: target,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }
          },
          CreationTime: new Date()
        }
      ]
    })
  }
  /** UpdateService calls sent before each scaling write: 0 when scaling is applied before the update. */
  let updatesBeforeScaling: number[] = []
  beforeEach(() => {
    updatesBeforeScaling = []
    const record = () => {
      updatesBeforeScaling.push(ecsMock.commandCalls(UpdateServiceCommand).length)
      return {}
    }
    scalingMock.on(RegisterScalableTargetCommand).callsFake(record)
    scalingMock.on(PutScalingPolicyCommand).callsFake(record)
  })
  /** The plan's DescribeServices sees the service on its previous revision; the waits, on ours. */
  const onPreviousRevision = (service: Record<string, unknown> = {}): void => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [{ ...currentService, ...service }] })
      .resolves({
        services: [{ ...currentService, ...service, taskDefinition: TD_NEW, deployments: [deployment({})] }]
      })
  }
  const desiredSent = (): Array<number | undefined> =>
    ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.desiredCount)

  test.each<
    [string, Record<string, string>, () => void, string[], Array<number | undefined>, RegExp | undefined]
  >([
    [
      'scaling applied: the target and the policy, before the update',
      scaling,
      () => {},
      [
        'RegisterTaskDefinitionCommand',
        'RegisterScalableTargetCommand',
        'PutScalingPolicyCommand',
        'UpdateServiceCommand'
      ],
      [undefined],
      undefined
    ],
    [
      'scaling unchanged: nothing put',
      scaling,
      () => {
        registered(1, 4)
        cpuPolicy(50)
      },
      ['RegisterTaskDefinitionCommand', 'UpdateServiceCommand'],
      [undefined],
      undefined
    ],
    [
      'a new target value: only the policy',
      scaling,
      () => {
        registered(1, 4)
        cpuPolicy(70)
      },
      ['RegisterTaskDefinitionCommand', 'PutScalingPolicyCommand', 'UpdateServiceCommand'],
      [undefined],
      undefined
    ],
    [
      'desired-count clamped into a target registered now',
      { ...scaling, 'desired-count': '9' },
      () => {},
      [
        'RegisterTaskDefinitionCommand',
        'RegisterScalableTargetCommand',
        'PutScalingPolicyCommand',
        'UpdateServiceCommand'
      ],
      [4],
      /desired-count 9 is outside scaling-min\.\.scaling-max \(1–4\)/
    ],
    [
      'a scaled-out count is kept: desired-count ignored, with a notice',
      { 'desired-count': '1' },
      () => registered(1, 4),
      ['RegisterTaskDefinitionCommand', 'UpdateServiceCommand'],
      [undefined],
      /desired-count 1 is ignored: auto scaling manages the service's count \(1–4 tasks\); the service keeps its 2 desired tasks/
    ],
    [
      'desired-count with no scalable target: taken as given',
      { 'desired-count': '3' },
      () => {},
      ['RegisterTaskDefinitionCommand', 'UpdateServiceCommand'],
      [3],
      undefined
    ]
  ])('%s', async (_name, inputs, arrange, mutating, desired, notice) => {
    arrange()
    setInputs({ ...base, ...inputs })
    expect(await runAction()).toBe(0)
    expect(annotations('error')).toEqual([])
    expect(mutatingSent().sort()).toEqual([...mutating].sort())
    expect(updatesBeforeScaling.every(n => n === 0)).toBe(true)
    expect(desiredSent()).toEqual(desired)
    const notices = annotations('notice').filter(n => n.includes('title=Desired count'))
    if (notice) expect(notices).toEqual([expect.stringMatching(notice)])
    else expect(notices).toEqual([])
    for (const call of scalingMock.commandCalls(RegisterScalableTargetCommand)) {
      expect(call.args[0].input).toEqual({
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        ResourceId: 'service/prod/web',
        MinCapacity: 1,
        MaxCapacity: 4
      })
    }
    for (const call of scalingMock.commandCalls(PutScalingPolicyCommand)) {
      expect(call.args[0].input).toMatchObject({
        PolicyName: 'ecs-deploy-cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }
        }
      })
    }
  })

  test('desired-count alone, the scalable target unreadable: warned, applied as given', async () => {
    scalingMock
      .on(DescribeScalableTargetsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }))
    setInputs({ ...base, 'desired-count': '3' })
    expect(await runAction()).toBe(0)
    expect(desiredSent()).toEqual([3])
    expect(annotations('warning')).toEqual([
      expect.stringMatching(/Auto scaling not checked.*access denied.*desired-count 3 is applied as given/)
    ])
  })

  test('scaling asked for, the scalable target unreadable: red before any change', async () => {
    scalingMock
      .on(DescribeScalableTargetsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }))
    setInputs({ ...base, ...scaling })
    expect(await runAction()).toBe(1)
    expect(mutatingSent()).toEqual([])
    expect(annotations('error')[0]).toMatch(/application-autoscaling:DescribeScalableTargets/)
  })

  test('a failing RegisterScalableTarget leaves the service untouched', async () => {
    scalingMock
      .on(RegisterScalableTargetCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }))
    setInputs({ ...base, ...scaling })
    expect(await runAction()).toBe(1)
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0)
    expect(annotations('error')[0]).toMatch(
      /RegisterScalableTarget.*application-autoscaling:RegisterScalableTarget/
    )
  })

  const alarm = (state: string, reason = 'Threshold Crossed: 3 datapoints were greater than 5') => ({
    MetricAlarms: [{ AlarmName: 'web-5xx', StateValue: state as 'OK', StateReason: reason }]
  })

  test('watch window green: the alarm polled through the window, exit 0', async () => {
    cwMock.on(DescribeAlarmsCommand).resolves(alarm('OK'))
    setInputs({ ...base, 'watch-minutes': '1', alarms: 'web-5xx' })
    expect(await runAction()).toBe(0)
    // The plan's check, then one poll at the start, one every 15 s and one at the end.
    expect(cwMock.commandCalls(DescribeAlarmsCommand)).toHaveLength(6)
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1)
  })

  test("the service's deployment alarms are watched too", async () => {
    const config: DeploymentConfiguration = {
      alarms: { enable: true, rollback: true, alarmNames: ['svc-alarm'] }
    }
    onPreviousRevision({ deploymentConfiguration: config })
    cwMock.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: 'web-5xx', StateValue: 'OK' },
        { AlarmName: 'svc-alarm', StateValue: 'OK' }
      ]
    })
    setInputs({ ...base, 'watch-minutes': '1', alarms: 'web-5xx' })
    expect(await runAction()).toBe(0)
    expect(cwMock.commandCalls(DescribeAlarmsCommand).at(-1)?.args[0].input.AlarmNames).toEqual([
      'web-5xx',
      'svc-alarm'
    ])
  })

  test('an alarm in ALARM in the window: red, naming the alarm and its reason, rolled back', async () => {
    cwMock
      .on(DescribeAlarmsCommand)
      .resolvesOnce(alarm('OK'))
      .resolvesOnce(alarm('OK'))
      .resolves(alarm('ALARM', 'Threshold Crossed ::warning::x'))
    onPreviousRevision()
    setInputs({ ...base, 'watch-minutes': '1', alarms: 'web-5xx' })
    expect(await runAction()).toBe(1)
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.taskDefinition)).toEqual([
      TD_NEW,
      TD_OLD
    ])
    const errors = annotations('error')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/alarm web-5xx in ALARM after the deployment/)
    expect(errors[0]).toMatch(/Threshold Crossed/)
    // The reason is outside text: its workflow command is defanged.
    expect(errors[0]).not.toMatch(/::warning::/)
    // The rollback to the previous revision is said (this mock's rollback wait does not see it complete).
    expect(errors[0]).toMatch(/Roll(ed back|back) to web:4/)
  })

  test('cancelled in the window: the rollback is started, as during the deployment wait', async () => {
    const controller = new AbortController()
    cwMock
      .on(DescribeAlarmsCommand)
      .resolvesOnce(alarm('OK'))
      .callsFake(() => {
        controller.abort()
        return alarm('OK')
      })
    onPreviousRevision()
    setInputs({ ...base, 'watch-minutes': '1', alarms: 'web-5xx' })
    expect(await runAction({ signal: controller.signal })).toBe(1)
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.taskDefinition)).toEqual([
      TD_NEW,
      TD_OLD
    ])
    expect(annotations('error')[0]).toMatch(/cancelled/i)
  })
})

describe('EC2 capacity: ECS cannot place the new tasks', () => {
  const UNPLACED =
    '(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 0a1b) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
  /** The plan sees the service; every wait sees our deployment unplaced, then (`then`) as it goes on. */
  function unplaced(placement: Record<string, unknown>, then: Partial<Deployment>): void {
    const event = { id: 'e-unplaced', createdAt: new Date(Date.now() + 60_000), message: UNPLACED }
    const service = (d: Partial<Deployment>) => ({
      services: [
        {
          ...currentService,
          ...placement,
          taskDefinition: TD_NEW,
          deployments: [deployment({ ...d }), ...currentService.deployments],
          events: [event]
        }
      ]
    })
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [currentService] })
      .resolvesOnce(service({ rolloutState: 'IN_PROGRESS', runningCount: 0 }))
      .resolves(service(then))
    ecsMock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: ['ci/0a1b'] })
    ecsMock.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        {
          containerInstanceArn: 'arn:aws:ecs:eu-west-1:1:container-instance/prod/0a1b',
          remainingResources: [
            { name: 'CPU', integerValue: 768 },
            { name: 'MEMORY', integerValue: 256 }
          ]
        }
      ]
    })
    ecsMock.on(DescribeCapacityProvidersCommand).resolves({
      capacityProviders: [
        {
          name: 'asg-cp',
          autoScalingGroupProvider: { autoScalingGroupArn: 'arn:asg', managedScaling: { status: 'ENABLED' } }
        }
      ]
    })
  }

  test.each([
    {
      name: 'a capacity provider with managed scaling: a notice, the wait goes on, green',
      placement: { capacityProviderStrategy: [{ capacityProvider: 'asg-cp', weight: 1 }] },
      code: 0,
      notice: /Capacity provider asg-cp has managed scaling/,
      error: undefined,
      updates: [TD_NEW]
    },
    {
      name: 'launchType EC2: red at once with the resource and the hint; the rollback is started, not waited for',
      placement: { launchType: 'EC2' },
      code: 1,
      notice: undefined,
      error:
        /Not enough memory on any container instance: ECS could not place a task: the task needs 512 MiB; the most the container instance has left is 256 MiB.*Hint: add container instances/,
      updates: [TD_NEW, TD_OLD]
    }
  ])('$name', async ({ placement, code, notice, error, updates }) => {
    unplaced(placement, { rolloutState: 'COMPLETED' })
    setInputs(base)
    expect(await runAction()).toBe(code)
    const notices = annotations('notice').filter(n => /container instance/.test(n))
    if (notice) expect(notices).toEqual([expect.stringMatching(notice)])
    else expect(notices).toEqual([])
    const failed = annotations('error').filter(e => e.startsWith('::error title=Deployment failed'))
    if (error) expect(failed).toEqual([expect.stringMatching(error)])
    else expect(annotations('error')).toEqual([])
    expect(ecsMock.commandCalls(UpdateServiceCommand).map(c => c.args[0].input.taskDefinition)).toEqual(
      updates
    )
    expect(ecsMock.commandCalls(DescribeCapacityProvidersCommand)).toHaveLength(notice ? 1 : 0)
  })
})

/**
 * `decide` is pure: inputs and plain fact objects in, a Plan out (or the DeployError a bad combination
 * deserves). No mocks, no clients, no files: the facts are what gatherFacts would have found.
 */
import { describe, expect, test } from '@jest/globals'
import type { Service, TaskDefinition } from '@aws-sdk/client-ecs'
import { DeployError } from '../src/errors.js'
import { readInputs, type ActionInputs } from '../src/inputs.js'
import { baseNotices, decide, describedBase, fileWarnings, type Facts, type Plan } from '../src/plan.js'
import { parseTaskDefinition } from '../src/task-definition/load.js'

const SHA = 'b'.repeat(40)
const ACCOUNT = '123456789012'
const TD_OLD = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/web:4`
const TD_MID = `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/web:5`
const IMAGE = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:${'a'.repeat(64)}`

/** The inputs as the action reads them: the named ones set, every other one empty. */
function inputs(given: Record<string, string>): ActionInputs {
  return readInputs(name => given[name] ?? '', { AWS_REGION: 'eu-west-1' })
}

const fargate = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512'
}
const oneContainer = {
  ...fargate,
  containerDefinitions: [{ name: 'web', image: 'placeholder', essential: true }]
}
const twoContainers = {
  ...fargate,
  containerDefinitions: [
    { name: 'web', image: 'placeholder', essential: true },
    { name: 'proxy', image: 'envoy:v1', essential: false }
  ]
}
const file = (value: unknown, name = 'td.json') => parseTaskDefinition(JSON.stringify(value, null, 2), name)

/** A service on TD_OLD: its deployment completed, 2 tasks wanted. */
const service: Service = {
  serviceName: 'web',
  status: 'ACTIVE',
  desiredCount: 2,
  taskDefinition: TD_OLD,
  deployments: [{ id: 'ecs-svc/4', status: 'PRIMARY', taskDefinition: TD_OLD, rolloutState: 'COMPLETED' }]
}
/** A revision as DescribeTaskDefinition answers it: with read-only keys, and its tags beside it. */
const revision: TaskDefinition = {
  ...(oneContainer as TaskDefinition),
  taskDefinitionArn: TD_OLD,
  revision: 4
}
const revisionTags = [{ key: 'team', value: 'shop' }]
const buildPaths = { context: '/ws', dockerfile: '/ws/Dockerfile' }

const base = { image: IMAGE, 'task-definition': 'td.json', cluster: 'prod', service: 'web' }

/** The watch settings of a rolling service with no alarms, when on-pause is not set. */
const rolling = { strategy: 'ROLLING', alarms: [], onPause: 'wait' }
/** A blue/green service: a 60-minute bake, a COUNT threshold of 5, one alarm that rolls back. */
const blueGreen: Service = {
  ...service,
  deploymentConfiguration: {
    strategy: 'BLUE_GREEN',
    bakeTimeInMinutes: 60,
    deploymentCircuitBreaker: {
      enable: true,
      rollback: true,
      thresholdConfiguration: { type: 'COUNT', value: 5 }
    },
    alarms: { alarmNames: ['web-5xx'], enable: true, rollback: true }
  }
}
const withFile: Facts = { base: file(oneContainer), service }

describe('decide: the targets', () => {
  test.each<[string, Record<string, string>, Facts, Plan['targets']]>([
    [
      'a given image into the only container of the file, for the service',
      base,
      withFile,
      [
        {
          cluster: 'prod',
          taskDefinition: withFile.base as NonNullable<Facts['base']>,
          containers: ['web'],
          service: expect.objectContaining({ name: 'web', previousTaskDefinitionArn: TD_OLD }) as never
        }
      ]
    ],
    [
      'no service: register only',
      { ...base, service: '' },
      { base: withFile.base },
      [{ cluster: 'prod', taskDefinition: withFile.base as never, containers: ['web'], service: undefined }]
    ],
    [
      'the named one of two containers',
      { ...base, 'container-name': 'web' },
      { base: file(twoContainers), service },
      [expect.objectContaining({ containers: ['web'] }) as never]
    ],
    [
      'no image: the images stay, no container gets one',
      { ...base, image: '' },
      withFile,
      [expect.objectContaining({ containers: [] }) as never]
    ],
    [
      'no image and a container named: checked, but it gets nothing',
      { ...base, image: '', 'container-name': 'proxy' },
      { base: file(twoContainers), service },
      [expect.objectContaining({ containers: [] }) as never]
    ]
  ])('%s', (_name, given, facts, targets) => {
    expect(decide(inputs(given), facts, '').targets).toEqual(targets)
  })

  test.each<[string, Record<string, string>, string, string]>([
    [
      'task-definition-family: the family latest revision',
      { ...base, 'task-definition': '', 'task-definition-family': 'web' },
      'web',
      'family web (latest ACTIVE revision)'
    ],
    [
      "no file, no family: the service's current revision",
      { ...base, 'task-definition': '' },
      TD_OLD,
      'service web (current task definition web:4)'
    ]
  ])('a base read from ECS (describedBase): %s', (_name, given, described, source) => {
    const read = describedBase(inputs(given), described, revision, revisionTags)
    expect(read.source).toBe(source)
    expect(read.tags).toEqual(revisionTags)
    // Read-only keys of a described revision are not sent back to RegisterTaskDefinition.
    expect(read.input).not.toHaveProperty('taskDefinitionArn')
    expect(read.input).not.toHaveProperty('revision')
    // It is the target's task definition as it is, with the container named in it.
    const [target] = decide(inputs(given), { base: read, service }, '').targets
    expect(target.taskDefinition).toBe(read)
    expect(target.containers).toEqual(['web'])
  })
})

describe('decide: the image', () => {
  test.each<[string, Record<string, string>, Facts, Plan['image']]>([
    [
      'image given',
      base,
      withFile,
      {
        kind: 'given',
        image: IMAGE,
        ref: {
          registry: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`,
          repository: 'web',
          tag: undefined,
          digest: `sha256:${'a'.repeat(64)}`
        }
      }
    ],
    ['no image, no repository: keep', { ...base, image: '' }, withFile, { kind: 'keep' }]
  ])('%s', (_name, given, facts, image) => {
    expect(decide(inputs(given), facts, '').image).toEqual(image)
  })

  test.each<[string, Record<string, string>, Partial<Extract<Plan['image'], { kind: 'build' }>>, string[]]>([
    [
      'repository: build, reuse what this commit pushed, the commit tag first',
      { repository: 'web' },
      { repositoryText: 'web', repository: { name: 'web' }, createRepository: false, reuseExisting: true },
      []
    ],
    [
      'the tags input follows the commit tag',
      { repository: 'team/web', tags: 'latest, v1', 'skip-existing': 'false', 'create-repository': 'true' },
      { repository: { name: 'team/web' }, createRepository: true, reuseExisting: false },
      ['latest', 'v1']
    ],
    [
      'a registry in the repository input is kept apart',
      { repository: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web` },
      {
        repository: {
          name: 'web',
          registry: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`,
          registryId: ACCOUNT
        }
      },
      []
    ]
  ])('%s', (_name, given, expected, extraTags) => {
    const plan = decide(
      inputs({ ...base, image: '', 'build-args': 'A=1', ...given }),
      { ...withFile, buildPaths },
      SHA
    )
    expect(plan.image).toMatchObject({ kind: 'build', paths: buildPaths, ...expected })
    const decision = plan.image as Extract<Plan['image'], { kind: 'build' }>
    expect(decision.build).toEqual({
      context: '.',
      dockerfile: undefined,
      buildArgs: { A: '1' },
      target: undefined,
      platforms: [],
      network: undefined
    })
    expect(decision.tags[0]).toMatch(new RegExp(`^${SHA.slice(0, 12)}-[0-9a-f]{8}$`))
    expect(decision.tags.slice(1)).toEqual(extraTags)
    expect(plan.sha).toBe(SHA)
  })
})

describe('decide: the update request, the watch and the rollback', () => {
  const serviceOf = (given: Record<string, string>, facts: Facts = withFile) =>
    decide(inputs({ ...base, ...given }), facts, '').targets[0].service

  test.each<[string, Record<string, string>, unknown]>([
    [
      'defaults: only the service and cluster',
      {},
      {
        cluster: 'prod',
        service: 'web',
        desiredCount: undefined,
        forceNewDeployment: false,
        propagateTags: undefined,
        enableEcsManagedTags: undefined
      }
    ],
    [
      'every update input',
      {
        'desired-count': '0',
        'force-new-deployment': 'true',
        'propagate-tags': 'service',
        'enable-ecs-managed-tags': 'false'
      },
      {
        cluster: 'prod',
        service: 'web',
        desiredCount: 0,
        forceNewDeployment: true,
        propagateTags: 'SERVICE',
        enableEcsManagedTags: false
      }
    ]
  ])('update: %s', (_name, given, update) => {
    expect(serviceOf(given)?.update).toEqual(update)
  })

  test.each<[string, Record<string, string>, Service | undefined, unknown]>([
    [
      'defaults: 30 minutes; the breaker threshold of the service (2 tasks → 3)',
      {},
      service,
      { wait: true, timeoutMs: 1_800_000, maxFailedTasks: 3, ...rolling }
    ],
    [
      'the desired-count input sets the threshold (100 → 50)',
      { 'desired-count': '100' },
      service,
      { wait: true, timeoutMs: 1_800_000, maxFailedTasks: 50, ...rolling }
    ],
    [
      'the service desired count sets it (1000 → 200, the cap)',
      {},
      { ...service, desiredCount: 1000 },
      { wait: true, timeoutMs: 1_800_000, maxFailedTasks: 200, ...rolling }
    ],
    [
      'max-failed-tasks wins',
      { 'max-failed-tasks': '7', 'desired-count': '100' },
      service,
      { wait: true, timeoutMs: 1_800_000, maxFailedTasks: 7, ...rolling }
    ],
    [
      'not waiting, minutes in fractions',
      { 'wait-for-service-stability': 'false', 'wait-for-minutes': '1.5' },
      service,
      { wait: false, timeoutMs: 90_000, maxFailedTasks: 3, ...rolling }
    ],
    [
      'BLUE_GREEN: its worst case as the wait (15 scale-up + 60 bake), its COUNT threshold (5, not 3), its alarms',
      {},
      blueGreen,
      {
        wait: true,
        timeoutMs: 75 * 60_000,
        maxFailedTasks: 5,
        strategy: 'BLUE_GREEN',
        alarms: ['web-5xx'],
        onPause: 'wait'
      }
    ],
    [
      'BLUE_GREEN: wait-for-minutes and max-failed-tasks still win; on-pause is read',
      { 'wait-for-minutes': '20', 'max-failed-tasks': '2', 'on-pause': 'return' },
      blueGreen,
      {
        wait: true,
        timeoutMs: 20 * 60_000,
        maxFailedTasks: 2,
        strategy: 'BLUE_GREEN',
        alarms: ['web-5xx'],
        onPause: 'return'
      }
    ],
    [
      'LINEAR: 10 steps of 6 minutes on top of the scale-up',
      {},
      { ...service, deploymentConfiguration: { strategy: 'LINEAR' } },
      {
        wait: true,
        timeoutMs: 75 * 60_000,
        maxFailedTasks: 3,
        strategy: 'LINEAR',
        alarms: [],
        onPause: 'wait'
      }
    ],
    [
      'ROLLING with alarms: they are reported; the rolling default of 30 minutes stays',
      {},
      {
        ...service,
        deploymentConfiguration: { alarms: { alarmNames: ['cpu-high'], enable: true, rollback: true } }
      },
      {
        wait: true,
        timeoutMs: 1_800_000,
        maxFailedTasks: 3,
        strategy: 'ROLLING',
        alarms: ['cpu-high'],
        onPause: 'wait'
      }
    ],
    [
      'ROLLING with a COUNT threshold of 20: 20, not 3',
      {},
      {
        ...service,
        deploymentConfiguration: {
          deploymentCircuitBreaker: {
            enable: true,
            rollback: true,
            thresholdConfiguration: { type: 'COUNT', value: 20 }
          }
        }
      },
      { wait: true, timeoutMs: 1_800_000, maxFailedTasks: 20, ...rolling }
    ]
  ])('watch: %s', (_name, given, found, watch) => {
    expect(serviceOf(given, { ...withFile, service: found })?.watch).toEqual(watch)
  })

  const midRollout: Service = {
    ...service,
    taskDefinition: TD_MID,
    deployments: [
      { id: 'ecs-svc/5', status: 'PRIMARY', taskDefinition: TD_MID, rolloutState: 'IN_PROGRESS' },
      { id: 'ecs-svc/4', status: 'ACTIVE', taskDefinition: TD_OLD, rolloutState: 'COMPLETED' }
    ]
  }
  test.each<[string, Record<string, string>, Service, unknown, string | undefined]>([
    ['on: back to what the service ran', {}, service, { enabled: true, taskDefinitionArn: TD_OLD }, TD_OLD],
    [
      'off: no rollback, the previous revision still reported',
      { rollback: 'false' },
      service,
      { enabled: false, taskDefinitionArn: TD_OLD },
      TD_OLD
    ],
    [
      'caught mid-rollout: back to the last completed revision',
      {},
      midRollout,
      { enabled: true, taskDefinitionArn: TD_OLD },
      TD_OLD
    ],
    [
      'a service that ran nothing: nothing to go back to',
      {},
      { ...service, taskDefinition: undefined, deployments: [] },
      { enabled: true, taskDefinitionArn: undefined },
      undefined
    ]
  ])('rollback: %s', (_name, given, found, rollback, previous) => {
    const target = serviceOf(given, { ...withFile, service: found })
    expect(target?.rollback).toEqual(rollback)
    expect(target?.previousTaskDefinitionArn).toBe(previous)
  })
})

describe('the plan phase annotations: what reading found, handed out as it is read', () => {
  test('what was left out so ECS takes it is a notice pointing into the file (baseNotices)', () => {
    const notices = baseNotices(file({ ...oneContainer, tags: [] }))
    expect(notices).toEqual([
      expect.objectContaining({
        level: 'notice',
        title: 'Task definition',
        file: 'td.json',
        line: expect.any(Number)
      })
    ])
    expect(notices[0].message).toMatch(/^tags was left out/)
    expect(baseNotices(file(oneContainer))).toEqual([])
  })

  test("the file's warnings are the reader's, (fileWarnings)", () => {
    const warned = file({ ...oneContainer, healthcheck: {} })
    expect(fileWarnings(warned)).toEqual([
      expect.objectContaining({ level: 'warning', title: 'Task definition', file: 'td.json', line: 16 })
    ])
    expect(fileWarnings(warned)[0].message).toMatch(/healthcheck/)
    expect(fileWarnings(file(oneContainer))).toEqual([])
    // However long what the file says, one warning stays readable.
    const long = fileWarnings(file({ ...oneContainer, ['k'.repeat(5000)]: 1 }))
    expect(long).toHaveLength(1)
    expect(long[0].message.length).toBeLessThanOrEqual(1000)
  })
})

describe('decide: a bad combination fails before anything is done', () => {
  test.each<[string, Record<string, string>, Facts, string, RegExp]>([
    [
      'no file, no family, a service that runs nothing',
      { ...base, 'task-definition': '' },
      { service: { ...service, taskDefinition: undefined, deployments: [] } },
      'No task definition',
      /input "task-definition"/
    ],
    [
      'an unknown container',
      { ...base, 'container-name': 'api' },
      withFile,
      'Container not found',
      /^Input "container-name": Container "api"/
    ],
    [
      'an unknown container with nothing to deploy into it',
      { ...base, image: '', 'container-name': 'api' },
      withFile,
      'Container not found',
      /"api"/
    ],
    [
      'two containers and none named',
      base,
      { base: file(twoContainers), service },
      'Container name needed',
      /2 containers \(web, proxy\)/
    ],
    [
      'another container with an empty image',
      { ...base, 'container-name': 'proxy' },
      {
        base: file({
          ...twoContainers,
          containerDefinitions: [
            { name: 'web', image: '' },
            { name: 'proxy', image: 'envoy' }
          ]
        }),
        service
      },
      'Empty image',
      /"web"/
    ],
    [
      'a task definition ECS would refuse',
      base,
      { base: file({ ...oneContainer, networkMode: 'bridge' }), service },
      'ECS would refuse the task definition: Fargate needs awsvpc',
      /networkMode/
    ],
    [
      'a repository that is not one',
      { ...base, image: '', repository: 'https://example.com/web' },
      { ...withFile, buildPaths },
      'Invalid input: repository',
      /URL scheme/
    ],
    [
      'an image that is not one',
      { ...base, image: 'web app' },
      withFile,
      'Invalid input: image',
      /whitespace/
    ],
    [
      'a build with no commit to tag it',
      { ...base, image: '', repository: 'web' },
      { ...withFile, buildPaths },
      'No commit to tag the image with',
      /not a git commit SHA/
    ]
  ])('%s', (_name, given, facts, title, message) => {
    let error: unknown
    try {
      decide(inputs(given), facts, '')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).title).toBe(title)
    expect((error as DeployError).message).toMatch(message)
  })
})

/** A resume step (input `resume`): no base, no target; the service's watch settings, the hook's answer. */
describe('decide: resume', () => {
  const SD_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/Abc123'
  const given = { 'aws-region': 'eu-west-1', cluster: 'prod', service: 'web', resume: SD_ARN }

  test.each<[string, Record<string, string>, 'continue' | 'rollback']>([
    ['continue by default', {}, 'continue'],
    ['resume-action rollback', { 'resume-action': 'rollback' }, 'rollback']
  ])('a blue/green service: %s', (_name, extra, action) => {
    const plan = decide(inputs({ ...given, ...extra }), { service: blueGreen }, '')
    expect(plan.targets).toEqual([])
    expect(plan.image).toEqual({ kind: 'keep' })
    expect(plan.resume).toMatchObject({ cluster: 'prod', serviceDeploymentArn: SD_ARN, action })
    expect(plan.resume?.service.watch).toMatchObject({
      strategy: 'BLUE_GREEN',
      maxFailedTasks: 5,
      alarms: ['web-5xx']
    })
  })

  test('a rolling service has no pause to resume', () => {
    expect(() => decide(inputs(given), { service }, '')).toThrow(
      /deploys with ROLLING; only BLUE_GREEN, LINEAR and CANARY/
    )
  })
})

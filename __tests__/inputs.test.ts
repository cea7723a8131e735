import { describe, expect, test } from '@jest/globals'
import {
  circuitBreakerThreshold,
  NETWORK_MODES,
  parseBoolean,
  parseBuildArgs,
  parseList,
  parseNetwork,
  readInputs
} from '../src/inputs.js'
import { DeployError } from '../src/errors.js'

/** Inputs as the runner passes them: by name, '' when not set. */
function reader(values: Record<string, string>) {
  return (name: string) => values[name] ?? ''
}

const base = { repository: 'my-app', 'task-definition': 'td.json', service: 'web', cluster: 'prod' }

/** A resume step names neither an image nor a task definition. */
const noDeploy = { repository: '', 'task-definition': '' }
const SD_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/Abc123'

describe('readInputs', () => {
  test.each<[Record<string, string>, Record<string, unknown>]>([
    [{ 'on-pause': 'return' }, { onPause: 'return', resume: undefined }],
    [{ 'on-pause': 'Continue' }, { onPause: 'continue' }],
    [
      { ...noDeploy, resume: SD_ARN },
      { resume: SD_ARN, resumeAction: 'continue' }
    ],
    [
      { ...noDeploy, resume: SD_ARN, 'resume-action': 'rollback', 'force-new-deployment': 'false' },
      { resume: SD_ARN, resumeAction: 'rollback' }
    ]
  ])('pause inputs %j', (given, expected) => {
    expect(readInputs(reader({ ...base, ...given }), { AWS_REGION: 'eu-west-1' })).toMatchObject(expected)
  })

  test('defaults', () => {
    const inputs = readInputs(reader(base), { AWS_REGION: 'eu-west-1' })
    expect(inputs).toMatchObject({
      awsRegion: 'eu-west-1',
      repository: 'my-app',
      createRepository: false,
      context: '.',
      buildArgs: {},
      platforms: [],
      tags: [],
      skipExisting: true,
      cluster: 'prod',
      service: 'web',
      forceNewDeployment: false,
      waitForServiceStability: true,
      rollback: true,
      onPause: 'wait',
      resumeAction: 'continue'
    })
    // Not set: the plan picks the strategy's default (30 minutes for a rolling update, see plan.test.ts).
    expect(inputs.waitForMinutes).toBeUndefined()
    expect(inputs.resume).toBeUndefined()
    expect(inputs.desiredCount).toBeUndefined()
    expect(inputs.maxFailedTasks).toBeUndefined()
  })

  test.each([
    [{}, { AWS_DEFAULT_REGION: 'us-east-2' }, 'us-east-2'],
    [{ 'aws-region': 'ap-southeast-1' }, { AWS_REGION: 'eu-west-1' }, 'ap-southeast-1'],
    [{}, { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-east-1' }, 'eu-central-1']
  ])('region from %j and env %j → %s', (given, env, region) => {
    expect(readInputs(reader({ ...base, ...given }), env).awsRegion).toBe(region)
  })

  test.each([
    ['aws-region', {}, {}, /aws-region.*no region/],
    ['aws-region', { 'aws-region': 'Europe' }, {}, /"Europe" is not an AWS region/],
    ['desired-count', { 'desired-count': 'two' }, {}, /desired-count.*"two" is not a whole number/],
    ['desired-count', { 'desired-count': '-1' }, {}, /not a whole number/],
    ['wait-for-minutes', { 'wait-for-minutes': 'soon' }, {}, /wait-for-minutes/],
    ['wait-for-minutes', { 'wait-for-minutes': '0' }, {}, /wait-for-minutes/],
    ['max-failed-tasks', { 'max-failed-tasks': '0' }, {}, /max-failed-tasks.*out of range/],
    ['force-new-deployment', { 'force-new-deployment': 'maybe' }, {}, /"maybe" is not a boolean/],
    [
      'network',
      { network: 'bogus' },
      {},
      /"bogus" is not a build network mode; it takes default, none, host/
    ],
    ['image', { image: 'x:1' }, {}, /either repository .* or image/],
    ['task-definition-family', { 'task-definition-family': 'web' }, {}, /either task-definition/],
    ['tags', { tags: 'ok, not ok' }, {}, /"not ok" is not a valid image tag/],
    ['platforms', { platforms: 'amd64' }, {}, /"amd64" is not a platform/],
    ['build-args', { 'build-args': 'A=1\nnovalue' }, {}, /line 2 .*KEY=value/],
    ['propagate-tags', { 'propagate-tags': 'ALL' }, {}, /not one of SERVICE/],
    ['wait-for-minutes', { 'wait-for-minutes': '361' }, {}, /between 0 and 360/],
    ['on-pause', { 'on-pause': 'skip' }, {}, /"skip" is not one of wait, continue, rollback, return/],
    ['resume-action', { 'resume-action': 'continue' }, {}, /resume-action.*only used with resume/],
    ['resume', { repository: '', resume: 'ecs-svc/123' }, {}, /not a service deployment ARN/],
    ['resume', { resume: SD_ARN }, {}, /starts none: remove "repository"/],
    [
      'resume',
      { repository: '', resume: SD_ARN, 'task-definition': 'td.json', 'desired-count': '3' },
      {},
      /remove "task-definition", "desired-count"/
    ],
    ['resume', { repository: '', service: '', resume: SD_ARN }, {}, /needs the service/],
    [
      'resume-action',
      { ...noDeploy, resume: SD_ARN, 'resume-action': 'skip' },
      {},
      /not one of continue, rollback/
    ]
  ])('invalid %s is reported by name', (name, given, env, message) => {
    const attempt = () =>
      readInputs(reader({ ...base, ...given }), {
        AWS_REGION: 'eu-west-1',
        ...env,
        ...(name === 'aws-region' ? { AWS_REGION: undefined } : {})
      })
    expect(attempt).toThrow(DeployError)
    expect(attempt).toThrow(message)
    try {
      attempt()
    } catch (error) {
      expect((error as DeployError).title).toBe(`Invalid input: ${name}`)
    }
  })

  test('no service and no task definition source', () => {
    expect(() => readInputs(reader({ repository: 'x' }), { AWS_REGION: 'eu-west-1' })).toThrow(
      /task definition file or family/
    )
  })

  test('register only with a family', () => {
    const inputs = readInputs(reader({ image: 'nginx:1', 'task-definition-family': 'web' }), {
      AWS_REGION: 'eu-west-1'
    })
    expect(inputs.service).toBeUndefined()
    expect(inputs.taskDefinitionFamily).toBe('web')
  })

  test('values are parsed', () => {
    const inputs = readInputs(
      reader({
        ...base,
        'build-args': 'A=1\n# comment\n\nB = x=y\n',
        platforms: 'linux/amd64, linux/arm64/v8',
        tags: 'latest\nv1.2.3',
        'desired-count': '4',
        'wait-for-minutes': '2.5',
        'max-failed-tasks': '2',
        rollback: 'False',
        'skip-existing': 'FALSE',
        'propagate-tags': 'service',
        'enable-ecs-managed-tags': 'true'
      }),
      { AWS_REGION: 'eu-west-1' }
    )
    expect(inputs).toMatchObject({
      buildArgs: { A: '1', B: 'x=y' },
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      tags: ['latest', 'v1.2.3'],
      desiredCount: 4,
      waitForMinutes: 2.5,
      maxFailedTasks: 2,
      rollback: false,
      skipExisting: false,
      propagateTags: 'SERVICE',
      enableEcsManagedTags: true
    })
  })
})

describe('helpers', () => {
  test.each([
    [undefined, []],
    ['', []],
    ['a,b', ['a', 'b']],
    [' a ,\n b ,, ', ['a', 'b']]
  ])('parseList(%j)', (value, expected) => {
    expect(parseList(value)).toEqual(expected)
  })

  test('build args keep = in values', () => {
    expect(parseBuildArgs('URL=https://x/?a=b')).toEqual({ URL: 'https://x/?a=b' })
  })

  test.each([
    [1, 3],
    [6, 3],
    [7, 4],
    [10, 5],
    [400, 200],
    [1000, 200]
  ])('circuit breaker threshold for desired %i is %i', (desired, threshold) => {
    expect(circuitBreakerThreshold(desired)).toBe(threshold)
  })
})

/** The DeployError `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): DeployError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(DeployError)
    return error as DeployError
  }
  throw new Error('expected an error')
}

const BOOLEAN_INPUTS = [
  'create-repository',
  'skip-existing',
  'force-new-deployment',
  'wait-for-service-stability',
  'rollback',
  'enable-ecs-managed-tags'
] as const
const FIELD: Record<(typeof BOOLEAN_INPUTS)[number], string> = {
  'create-repository': 'createRepository',
  'skip-existing': 'skipExisting',
  'force-new-deployment': 'forceNewDeployment',
  'wait-for-service-stability': 'waitForServiceStability',
  rollback: 'rollback',
  'enable-ecs-managed-tags': 'enableEcsManagedTags'
}

describe('booleans: exactly what core.getBooleanInput takes', () => {
  test.each<[string, boolean]>([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['  true ', true],
    ['\tFALSE\n', false]
  ])('%p is %p', (value, expected) => {
    expect(parseBoolean('rollback', value)).toBe(expected)
  })

  test.each<[string, RegExp]>([
    ['yes', /write true:/],
    ['on', /write true:/],
    ['1', /write true:/],
    ['Y', /write true:/],
    ['no', /write false:/],
    ['off', /write false:/],
    ['0', /write false:/],
    ['tRUE', /use true or false/],
    ['fAlse', /use true or false/],
    ['truee', /use true or false/],
    ['t', /use true or false/],
    ['"true"', /use true or false/]
  ])('%p is refused with a hint', (value, hint) => {
    const error = thrown(() => parseBoolean('create-repository', value))
    expect(error).toMatchObject({ title: 'Invalid input: create-repository' })
    expect(error.message).toBe(`Input "create-repository": ${JSON.stringify(value)} is not a boolean`)
    expect(error.hint).toMatch(hint)
  })

  // Every boolean input goes through the same rule.
  test.each(
    BOOLEAN_INPUTS.flatMap(name => ['yes', 'on', '1', 'no', 'off', '0'].map(v => [name, v] as const))
  )('%s: %p is refused, naming the input', (name, value) => {
    const error = thrown(() => readInputs(reader({ ...base, [name]: value }), { AWS_REGION: 'eu-west-1' }))
    expect(error.title).toBe(`Invalid input: ${name}`)
    expect(error.message).toMatch(new RegExp(`^Input "${name}": "${value}" is not a boolean$`))
  })

  test.each(BOOLEAN_INPUTS.flatMap(name => (['True', 'FALSE'] as const).map(v => [name, v] as const)))(
    '%s: %p is read',
    (name, value) => {
      const inputs = readInputs(reader({ ...base, [name]: value }), { AWS_REGION: 'eu-west-1' })
      expect((inputs as unknown as Record<string, unknown>)[FIELD[name]]).toBe(value === 'True')
    }
  )
})

describe('network: what docker build --network takes with either builder', () => {
  test.each<[string, string]>([
    ['default', 'default'],
    ['none', 'none'],
    ['host', 'host'],
    [' none ', 'none']
  ])('%p is %p', (value, expected) => {
    expect(parseNetwork(value)).toBe(expected)
    expect(readInputs(reader({ ...base, network: value }), { AWS_REGION: 'eu-west-1' }).network).toBe(
      expected
    )
  })

  test('empty: docker decides', () => {
    expect(readInputs(reader(base), { AWS_REGION: 'eu-west-1' }).network).toBeUndefined()
  })

  test.each([
    'bogus',
    'bridge',
    'my-network',
    'container:db',
    'None',
    'HOST',
    'host none',
    'none\n::error::x'
  ])('%p is refused, naming the input', value => {
    const error = thrown(() => parseNetwork(value))
    expect(error).toMatchObject({ title: 'Invalid input: network' })
    expect(error.message).toMatch(
      /^Input "network": ".*" is not a build network mode; it takes default, none, host$/
    )
    expect(error.message).not.toMatch(/[\n\r]|::/)
    expect(error.hint).toMatch(/BuildKit \(buildx\) refuses/)
  })

  test('the modes are the three both builders take', () => {
    expect([...NETWORK_MODES]).toEqual(['default', 'none', 'host'])
  })
})

describe('every message quotes a value bounded and inert', () => {
  test.each<[string, Record<string, string>]>([
    ['tags', { tags: `ok, ${'x'.repeat(500)}` }],
    ['platforms', { platforms: 'linux/amd64\n::error::x' }],
    ['desired-count', { 'desired-count': '::stop-commands::t' }],
    ['build-args', { 'build-args': `A=1\n${'y'.repeat(500)}` }],
    ['propagate-tags', { 'propagate-tags': '##[error]x' }]
  ])('%s', (name, given) => {
    const error = thrown(() => readInputs(reader({ ...base, ...given }), { AWS_REGION: 'eu-west-1' }))
    expect(error.title).toBe(`Invalid input: ${name}`)
    expect(error.message.length).toBeLessThan(200)
    expect(error.message).not.toMatch(/[\n\r]|::|##\[/)
  })
})

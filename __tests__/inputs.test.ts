import { describe, expect, test } from '@jest/globals'
import { circuitBreakerThreshold, parseBuildArgs, parseList, readInputs } from '../src/inputs.js'
import { DeployError } from '../src/errors.js'

/** Inputs as the runner passes them: by name, '' when not set. */
function reader(values: Record<string, string>) {
  return (name: string) => values[name] ?? ''
}

const base = { repository: 'my-app', 'task-definition': 'td.json', service: 'web', cluster: 'prod' }

describe('readInputs', () => {
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
      waitForMinutes: 30,
      rollback: true
    })
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
    ['image', { image: 'x:1' }, {}, /either repository .* or image/],
    ['task-definition-family', { 'task-definition-family': 'web' }, {}, /either task-definition/],
    ['tags', { tags: 'ok, not ok' }, {}, /"not ok" is not a valid image tag/],
    ['platforms', { platforms: 'amd64' }, {}, /"amd64" is not a platform/],
    ['build-args', { 'build-args': 'A=1\nnovalue' }, {}, /line 2 .*KEY=value/],
    ['propagate-tags', { 'propagate-tags': 'ALL' }, {}, /not one of SERVICE/]
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
      expect((error as DeployError).phase).toBe('inputs')
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
        'skip-existing': 'no',
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

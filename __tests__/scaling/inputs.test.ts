/** The scaling and post-deploy watch inputs: read as tables, every bad one refused naming its input. */
import { describe, expect, test } from '@jest/globals'
import { readInputs } from '../../src/inputs.js'
import { DeployError } from '../../src/errors.js'

function reader(values: Record<string, string>) {
  return (name: string) => values[name] ?? ''
}
const base = { repository: 'my-app', 'task-definition': 'td.json', service: 'web', cluster: 'prod' }
const env = { AWS_REGION: 'eu-west-1' }
const LABEL = 'app/web-alb/50dc6c495c0c9188/targetgroup/web-tg/6d0ecf831eec9f09'
const SD_ARN = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/Abc123'

describe('scaling and watch inputs are read', () => {
  test.each<[string, Record<string, string>, Record<string, unknown>]>([
    ['none: no scaling, no watch', {}, { scaling: undefined, watchMinutes: 0, alarms: [] }],
    [
      'min, max and cpu',
      { 'scaling-min': '1', 'scaling-max': '4', 'scale-on-cpu': '50' },
      { scaling: { min: 1, max: 4, cpu: 50, memory: undefined, requests: undefined } }
    ],
    ['a policy alone (the target exists)', { 'scale-on-memory': '70' }, { scaling: { memory: 70 } }],
    [
      'requests with its label and cooldowns',
      {
        'scale-on-requests': '1000',
        'scale-on-requests-resource-label': LABEL,
        'scale-in-cooldown': '300',
        'scale-out-cooldown': '60'
      },
      {
        scaling: {
          requests: { perTarget: 1000, resourceLabel: LABEL },
          scaleInCooldown: 300,
          scaleOutCooldown: 60
        }
      }
    ],
    ['min equal to max', { 'scaling-min': '3', 'scaling-max': '3' }, { scaling: { min: 3, max: 3 } }],
    ['watch minutes, decimals', { 'watch-minutes': '0.5' }, { watchMinutes: 0.5 }],
    [
      'alarms, comma and newline',
      { 'watch-minutes': '10', alarms: 'web-5xx,\nweb latency p99 ' },
      { watchMinutes: 10, alarms: ['web-5xx', 'web latency p99'] }
    ],
    ['watch-minutes 0 is no watch', { 'watch-minutes': '0' }, { watchMinutes: 0 }]
  ])('%s', (_name, given, expected) => {
    expect(readInputs(reader({ ...base, ...given }), env)).toMatchObject(expected)
  })
})

describe('bad scaling and watch inputs are refused, naming the input', () => {
  test.each<[string, Record<string, string>, string]>([
    ['min above max', { 'scaling-min': '5', 'scaling-max': '2' }, 'scaling-max'],
    ['min not a number', { 'scaling-min': 'two' }, 'scaling-min'],
    ['max too large', { 'scaling-max': '5001' }, 'scaling-max'],
    ['cpu 0', { 'scale-on-cpu': '0' }, 'scale-on-cpu'],
    ['cpu above 100', { 'scale-on-cpu': '150' }, 'scale-on-cpu'],
    ['memory a fraction', { 'scale-on-memory': '50.5' }, 'scale-on-memory'],
    ['requests without label', { 'scale-on-requests': '100' }, 'scale-on-requests-resource-label'],
    [
      'label without requests',
      { 'scale-on-requests-resource-label': LABEL },
      'scale-on-requests-resource-label'
    ],
    [
      'label that is a target group ARN',
      {
        'scale-on-requests': '100',
        'scale-on-requests-resource-label':
          'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-tg/6d0ecf831eec9f09'
      },
      'scale-on-requests-resource-label'
    ],
    ['cooldown negative', { 'scale-in-cooldown': '-1' }, 'scale-in-cooldown'],
    ['scaling without a service', { service: '', 'scaling-min': '1', 'scaling-max': '2' }, 'scaling-min'],
    ['watch-minutes not a number', { 'watch-minutes': 'ten' }, 'watch-minutes'],
    ['watch-minutes above 360', { 'watch-minutes': '361' }, 'watch-minutes'],
    ['alarms without watch-minutes', { alarms: 'web-5xx' }, 'alarms'],
    ['an alarm name with a control character', { 'watch-minutes': '1', alarms: 'a\u0007b' }, 'alarms'],
    ['watch-minutes without a service', { service: '', 'watch-minutes': '5' }, 'watch-minutes'],
    [
      'watch-minutes without waiting',
      { 'watch-minutes': '5', 'wait-for-service-stability': 'false' },
      'watch-minutes'
    ],
    [
      'watch-minutes with resume',
      { repository: '', 'task-definition': '', resume: SD_ARN, 'watch-minutes': '5' },
      'watch-minutes'
    ],
    [
      'scaling with resume',
      { repository: '', 'task-definition': '', resume: SD_ARN, 'scale-on-cpu': '50' },
      'scale-on-cpu'
    ]
  ])('%s', (_name, given, input) => {
    let error: unknown
    try {
      readInputs(reader({ ...base, ...given }), env)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).title).toBe(`Invalid input: ${input}`)
    expect((error as DeployError).message).toContain(`Input "${input}"`)
  })

  test('more than 100 alarms', () => {
    const alarms = Array.from({ length: 101 }, (_, i) => `a${i}`).join(',')
    expect(() => readInputs(reader({ ...base, 'watch-minutes': '1', alarms }), env)).toThrow(
      'Input "alarms": 101 alarms'
    )
  })
})

/** The plan's scaling and watch decision (pure): inputs + facts → change, desired count, alarms, notices. */
import { describe, expect, test } from '@jest/globals'
import type { Service } from '@aws-sdk/client-ecs'
import { readInputs } from '../../src/inputs.js'
import { scalingDecision, serviceResourceId, type ScalingFacts } from '../../src/plan-scaling.js'

const inputsOf = (values: Record<string, string>) =>
  readInputs(name => ({ image: 'web:1', cluster: 'prod', service: 'web', ...values })[name] ?? '', {
    AWS_REGION: 'eu-west-1'
  })
const service: Service = {
  serviceName: 'web',
  clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
  desiredCount: 3,
  deploymentConfiguration: { alarms: { enable: true, rollback: true, alarmNames: ['svc-5xx', 'web-5xx'] } }
}

describe('scalingDecision', () => {
  test.each<
    [
      string,
      Record<string, string>,
      ScalingFacts,
      { desired?: number; register?: boolean; alarms: string[]; notices: string[] }
    ]
  >([
    ['nothing asked', {}, {}, { alarms: [], notices: [] }],
    [
      'scaling on a service without a target: registered, the count left (inside the bounds)',
      { 'scaling-min': '1', 'scaling-max': '4', 'scale-on-cpu': '50' },
      { scaling: { policies: [] } },
      { register: true, alarms: [], notices: [] }
    ],
    [
      'a scaled-out service: desired-count ignored',
      { 'desired-count': '1' },
      { scaling: { target: { min: 1, max: 5 }, policies: [] } },
      { alarms: [], notices: ['desired-count 1 is ignored'] }
    ],
    [
      'the target was not read (no permission): the input as given',
      { 'desired-count': '1' },
      {},
      { desired: 1, alarms: [], notices: [] }
    ],
    [
      "the watch: the input's alarms, then the service's, once each",
      { 'watch-minutes': '5', alarms: 'web-5xx, p99' },
      {
        alarms: [
          { name: 'web-5xx', state: 'OK' },
          { name: 'p99', state: 'OK' }
        ]
      },
      { alarms: ['web-5xx', 'p99', 'svc-5xx'], notices: [] }
    ],
    [
      'an alarm already in ALARM: warned',
      { 'watch-minutes': '5', alarms: 'p99' },
      { alarms: [{ name: 'p99', state: 'ALARM' }] },
      { alarms: ['p99', 'svc-5xx', 'web-5xx'], notices: ['is in ALARM before the deploy'] }
    ]
  ])('%s', (_name, values, facts, expected) => {
    const decision = scalingDecision(inputsOf(values), service, facts)
    expect(decision.desired.desiredCount).toBe(expected.desired)
    expect(Boolean(decision.change?.register)).toBe(Boolean(expected.register))
    expect(decision.afterAlarms).toEqual(expected.alarms)
    expect(decision.notices.map(n => n.message)).toEqual(
      expected.notices.map(n => expect.stringContaining(n))
    )
  })

  test('a watch with no alarm at all only waits, and says so', () => {
    const decision = scalingDecision(
      inputsOf({ 'watch-minutes': '2' }),
      { ...service, deploymentConfiguration: {} },
      {}
    )
    expect(decision.afterAlarms).toEqual([])
    expect(decision.notices[0].message).toContain('no alarm to watch')
  })

  test('the ResourceId names the cluster by name, even when the input is its ARN', () => {
    const inputs = inputsOf({ cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod' })
    expect(serviceResourceId(inputs, service)).toBe('service/prod/web')
  })
})

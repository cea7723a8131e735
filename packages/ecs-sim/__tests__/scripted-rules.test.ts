/** The scripted backend's rules, as pure functions: which rule a container gets, how it ends when stopped. */
import { describe, expect, it } from '@jest/globals'
import { Clock } from '../clock.js'
import { matchRule, parseRules, stopOutcome, type ScriptRule } from '../tasks/scripted.js'

const rules: ScriptRule[] = [
  { container: 'sidecar', outcome: 'crash', exitCode: 3 },
  { image: 'app:bad', outcome: 'crash', exitCode: 1 },
  { image: 'app:*', container: 'web', outcome: 'unhealthy' },
  { image: 'app:', outcome: 'healthy' }
]

describe('matchRule: the first rule whose image and container both match', () => {
  it.each([
    ['envoy:1', 'sidecar', 'crash', 3],
    ['app:bad', 'sidecar', 'crash', 3],
    ['app:bad', 'web', 'crash', 1],
    ['app:good', 'web', 'unhealthy', undefined],
    ['app:good', 'worker', 'healthy', undefined],
    ['other', 'worker', undefined, undefined]
  ])('image %p, container %p → %p', (image, container, outcome, exitCode) => {
    const rule = matchRule(rules, image, container)
    expect(rule?.outcome).toBe(outcome)
    expect(rule?.exitCode).toBe(exitCode)
  })
})

describe('stopOutcome: how a running container ends when ECS stops its task', () => {
  const clock = new Clock(0.5)
  it.each<[string, Partial<ScriptRule>, number | undefined, number, number]>([
    ['killed at once by default', {}, undefined, 137, 0],
    ['exits on SIGTERM', { stopExitCode: 143 }, undefined, 143, 0],
    ['shuts down cleanly after 2 s', { stopExitCode: 0, stopDelayMs: 2000 }, undefined, 0, 1000],
    [
      'ignores SIGTERM: killed at the default 30 s stop timeout',
      { stopDelayMs: 3_600_000 },
      undefined,
      137,
      15000
    ],
    ['too slow for its own stop timeout of 5 s', { stopExitCode: 0, stopDelayMs: 6000 }, 5, 137, 2500]
  ])('%s', (_name, rule, stopTimeout, exitCode, afterMs) => {
    expect(stopOutcome({ outcome: 'healthy', ...rule }, { stopTimeout }, clock)).toEqual({
      exitCode,
      afterMs
    })
  })
})

describe('parseRules', () => {
  it('takes a rule with only a container', () => {
    expect(parseRules({ rules: [{ container: 'sidecar', outcome: 'crash', stopExitCode: 143 }] })).toEqual([
      { container: 'sidecar', outcome: 'crash', stopExitCode: 143 }
    ])
  })
  it.each([
    [{ outcome: 'crash' }, 'rules[0] needs an image or a container'],
    [{ container: '', outcome: 'crash' }, 'rules[0].container must be a non-empty string'],
    [{ image: 'x', outcome: 'crash', stopDelayMs: '5' }, 'rules[0].stopDelayMs must be a number']
  ])('refuses %p: %p', (rule, message) => {
    expect(() => parseRules({ rules: [rule] })).toThrow(message)
  })
})

/**
 * When a deploy goes wrong (issue 5), run with dist/index.js against the local ECS with the scripted task
 * backend (outcomes by image), so each scenario is decided by rules, not by timing luck.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals'
import { setFaults, setRules } from '../../sim/testing.js'
import { createService, createWorld, randomSha, type World } from './fixture.js'

let world: World
let serial = 0

/** An image reference the scripted backend matches by substring; pinned by digest so no ECR lookup is needed. */
function image(kind: string): string {
  return `${world.registry}/${kind}/app@sha256:${randomSha().padEnd(64, '0')}`
}

async function newService(
  options: Parameters<typeof createService>[3] = {}
): Promise<{ name: string; baseArn: string }> {
  const name = `svc-${++serial}`
  const first = await world.run({ image: image('good'), 'task-definition': 'task-definition.json' })
  if (first.exitCode !== 0) throw new Error(`register failed:\n${first.output}`)
  const baseArn = first.outputs['task-definition-arn']
  await createService(world, name, baseArn, options)
  return { name, baseArn }
}

function deploy(service: string, kind: string, extra: Record<string, string> = {}) {
  return world.run({
    image: image(kind),
    'task-definition': 'task-definition.json',
    'container-name': 'web',
    service,
    'wait-for-minutes': '2',
    ...extra
  })
}

beforeAll(async () => {
  world = await createWorld('scripted', 0.05)
}, 60_000)

afterAll(async () => {
  await world?.stop()
}, 60_000)

beforeEach(async () => {
  await setFaults(world.sim.url, {})
  await setRules(world.sim.url, [
    {
      image: '/crash/',
      outcome: 'crash',
      exitCode: 3,
      afterMs: 500,
      logs: ['app: starting', 'app: FATAL: no config']
    },
    { image: '/slow/', outcome: 'healthy', startDelayMs: 3_600_000 },
    { image: '/good/', outcome: 'healthy' }
  ])
})

describe('under faults', () => {
  test('10% throttling + 2% 5xx on every operation: 20 consecutive deploys succeed on their revision', async () => {
    const { name } = await newService({ desiredCount: 2 })
    await setFaults(world.sim.url, { throttleRate: 0.1, errorRate: 0.02 })
    for (let i = 0; i < 20; i++) {
      const run = await deploy(name, 'good')
      if (run.exitCode !== 0) throw new Error(`deploy ${i + 1} failed:\n${run.output}`)
      await setFaults(world.sim.url, {})
      const service = await world.service(name)
      await setFaults(world.sim.url, { throttleRate: 0.1, errorRate: 0.02 })
      expect(service.taskDefinition).toBe(run.outputs['task-definition-arn'])
      expect(service.deployments?.map(d => d.id)).toEqual([run.outputs['deployment-id']])
    }
    const calls = await world.callsSince(0)
    // The faults really happened, and the action rode through them.
    expect(calls.filter(c => c.injected === 'throttle').length).toBeGreaterThan(5)
    expect(calls.filter(c => c.injected === 'error').length).toBeGreaterThan(0)
  }, 300_000)
})

describe('failures', () => {
  test('circuit breaker with ECS rollback: reported as rolled back, step red, cause named', async () => {
    const { name, baseArn } = await newService({
      desiredCount: 2,
      circuitBreaker: { enable: true, rollback: true }
    })
    const run = await deploy(name, 'crash')
    expect(run.exitCode).toBe(1)
    expect(run.errors.map(e => e.title)).toContain('web: container exited with code 3')
    const final = run.errors.find(e => e.title === 'Deployment failed')
    expect(final?.message).toMatch(/rolled back/i)
    expect(final?.message).toContain('ecs-deploy started no rollback of its own')
    expect(run.summary).toMatch(/roll/i)
    // ECS rolled back by itself; the action did not start a second rollback.
    expect(run.output).not.toMatch(/Rolling back svc-\d+ to/)
    const service = await world.service(name)
    expect(service.taskDefinition).toBe(baseArn)
  }, 120_000)

  test('timeout: rolled back to the previous revision', async () => {
    const { name, baseArn } = await newService()
    const run = await deploy(name, 'slow', { 'wait-for-minutes': '0.1' })
    expect(run.exitCode).toBe(1)
    const final = run.errors.find(e => e.title === 'Deployment failed')
    expect(final?.message).toMatch(/timed out|did not complete|timeout/i)
    expect(final?.message).toMatch(/Rolled back to demo-web:\d+: deployment ecs-svc\/\d+ completed\./)
    const service = await world.service(name)
    expect(service.taskDefinition).toBe(baseArn)
    expect(service.deployments).toHaveLength(1)
  }, 120_000)

  test('rollback: false leaves the service on the failed revision and says so', async () => {
    const { name } = await newService()
    const run = await deploy(name, 'crash', { rollback: 'false' })
    expect(run.exitCode).toBe(1)
    const final = run.errors.find(e => e.title === 'Deployment failed')
    expect(final?.message).toContain('Rollback is off (rollback: false): the service is left on demo-web:')
    const service = await world.service(name)
    expect(service.taskDefinition).toBe(run.outputs['task-definition-arn'])
    expect(run.output).toContain('app: FATAL: no config')
  }, 120_000)

  test('cancelled (SIGTERM while waiting): rollback started, exits promptly, credentials removed', async () => {
    const { name, baseArn } = await newService()
    let signalledAt = 0
    let startedAt = 0
    let child: import('node:child_process').ChildProcess | undefined
    const run = await world.run(
      {
        repository: 'slow/app',
        'create-repository': 'true',
        'task-definition': 'task-definition.json',
        'container-name': 'web',
        service: name,
        'wait-for-minutes': '5'
      },
      {
        onStart: c => {
          startedAt = Date.now()
          child = c
        },
        onOutput: chunk => {
          if (!signalledAt && chunk.includes('is deploying')) {
            signalledAt = Date.now()
            setTimeout(() => child?.kill('SIGTERM'), 500)
          }
        }
      }
    )
    expect(signalledAt).toBeGreaterThan(0)
    expect(run.exitCode).toBe(1)
    expect(run.output).toContain('Received SIGTERM')
    expect(run.output).toMatch(/Rollback to demo-web:\d+ started/)
    // Well within GitHub's grace period after the signal.
    const exitedAt = startedAt + run.durationMs
    expect(exitedAt - (signalledAt + 500)).toBeLessThan(7_500)
    expect(Object.keys(run.dockerAuths)).toHaveLength(1)
    expect(run.dockerConfigLeft).toBe(false)
    const service = await world.service(name)
    expect(service.deployments?.find(d => d.status === 'PRIMARY')?.taskDefinition).toBe(baseArn)
  }, 120_000)
})

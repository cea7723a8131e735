/**
 * Issue 14, acceptance 2: the post-deploy watch against the local ECS and its CloudWatch (scripted
 * backend). dist/index.js deploys with `watch-minutes` and an alarm; the alarm goes to ALARM once the
 * deployment completed, inside the window → the step is red, the annotation names the alarm and its
 * reason, and the service is back on the revision it ran before. A window in which the alarm stays OK is
 * green. The alarms are set with PUT /_sim/alarms (the local CloudWatch's one alarm model: DescribeAlarms
 * lists them; packages/ecs-sim/README.md).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { startWorld, type World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'

let world: World
const image = (): string => `${world.registry}/good/app@sha256:${randomSha().padEnd(64, '0')}`

beforeAll(async () => {
  world = await startWorld({ tasks: 'scripted', timeScale: 0.05 })
}, 120_000)

afterAll(async () => {
  await world?.stop()
}, 60_000)

/** The local ECS's control API: CloudWatch alarm states (PUT /_sim/alarms). */
async function setAlarms(states: Record<string, 'OK' | 'ALARM'>): Promise<void> {
  const res = await fetch(`${world.sim.url}/_sim/alarms`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(states)
  })
  if (!res.ok) throw new Error(`PUT /_sim/alarms answered ${res.status}`)
}

/** Resolves with the deploy's revision once the service runs it alone (the deployment completed). */
async function completedOnNew(service: string, before: string, ms = 90_000): Promise<string> {
  const deadline = Date.now() + ms
  for (;;) {
    const s = await world.service(service)
    const d = s.deployments ?? []
    const arn = d[0]?.taskDefinition
    if (d.length === 1 && arn && arn !== before && d[0].rolloutState === 'COMPLETED') return arn
    if (Date.now() > deadline) throw new Error(`service ${service}: the deployment did not complete`)
    await new Promise(r => setTimeout(r, 200))
  }
}

describe('watch-minutes: alarms after the deployment', () => {
  test('an alarm in ALARM in the window: red, the annotation names it, the service back on its revision', async () => {
    const name = `act14-watch-red-${randomSha().slice(0, 6)}`
    const alarm = `${name}-5xx`
    const { taskDefinitionArn: before } = await world.registerService(name, {
      image: image(),
      'task-definition': 'task-definition.json'
    })
    await setAlarms({ [alarm]: 'OK' })
    const running = world.run({
      image: image(),
      'task-definition': 'task-definition.json',
      service: name,
      'watch-minutes': '0.5',
      alarms: alarm
    })
    // Once the deployment completed (the window has begun), the alarm fires.
    const ours = await completedOnNew(name, before)
    await setAlarms({ [alarm]: 'ALARM' })
    const run = await running
    expect(run.exitCode).toBe(1)
    expect(run.errors).toHaveLength(1)
    expect(run.errors[0].title).toBe('Deployment failed')
    expect(run.errors[0].message).toContain(`alarm ${alarm} in ALARM after the deployment`)
    // Its StateReason, as the local CloudWatch gives it for an alarm set through the control API.
    expect(run.errors[0].message).toContain('Set through the local ECS control API')
    expect(run.output).toContain(`Rolling back ${name}`)
    expect(run.summary).toContain('### After the deployment')
    expect(run.summary).toContain(`Alarm \`${alarm}\` went into ALARM`)
    expect(run.outputs['task-definition-arn']).toBe(ours)
    const service = await world.waitSteady(name)
    expect(service.taskDefinition).toBe(before)
  }, 180_000)

  test('the alarm stays OK through the window: green, after waiting the window', async () => {
    const name = `act14-watch-green-${randomSha().slice(0, 6)}`
    const alarm = `${name}-5xx`
    await world.registerService(name, { image: image(), 'task-definition': 'task-definition.json' })
    await setAlarms({ [alarm]: 'OK' })
    const run = await world.run({
      image: image(),
      'task-definition': 'task-definition.json',
      service: name,
      'watch-minutes': '0.2',
      alarms: alarm
    })
    expect(run.errors).toEqual([])
    expect(run.exitCode).toBe(0)
    expect(run.summary).toContain(
      `Watched \`${alarm}\` for 0.2 minutes after the deployment: none went into ALARM.`
    )
    expect(run.durationMs).toBeGreaterThanOrEqual(12_000)
    expect((await world.service(name)).taskDefinition).toBe(run.outputs['task-definition-arn'])
  }, 180_000)

  test('an alarm CloudWatch does not have: refused before anything changes', async () => {
    const name = `act14-watch-typo-${randomSha().slice(0, 6)}`
    const { taskDefinitionArn: before } = await world.registerService(name, {
      image: image(),
      'task-definition': 'task-definition.json'
    })
    const since = Date.now()
    const run = await world.run({
      image: image(),
      'task-definition': 'task-definition.json',
      service: name,
      'watch-minutes': '1',
      alarms: 'no-such-alarm-act14'
    })
    expect(run.exitCode).toBe(1)
    expect(run.errors.map(e => e.title)).toEqual(['Invalid input: alarms'])
    const writes = (await world.callsSince(since)).filter(c =>
      ['RegisterTaskDefinition', 'UpdateService'].includes(c.operation)
    )
    expect(writes).toEqual([])
    expect((await world.service(name)).taskDefinition).toBe(before)
  }, 120_000)
})

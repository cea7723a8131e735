/**
 * Issue 12, the action against the local ECS's native strategies (scripted backend): dist/index.js
 * deploys a BLUE_GREEN service and is green only after the bake; an alarm in the bake is red, naming the
 * alarm, with production traffic back on blue; a PAUSE hook with on-pause return, then a resume step;
 * LINEAR with its weights printed in order. Needs the local ECS's strategies (packages/ecs-sim, issue 12).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import {
  ContinueServiceDeploymentCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  type DeploymentConfiguration,
  type ServiceDeployment
} from '@aws-sdk/client-ecs'
import { startWorld, type World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'

let world: World
let serial = 0
const ALARM = 'native-5xx'

/** The local ECS's control API: CloudWatch alarm states (PUT /_sim/alarms, packages/ecs-sim/README.md). */
async function setAlarms(url: string, states: Record<string, 'OK' | 'ALARM'>): Promise<void> {
  const res = await fetch(`${url}/_sim/alarms`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(states)
  })
  if (!res.ok) throw new Error(`PUT /_sim/alarms answered ${res.status}`)
}

const image = (): string => `${world.registry}/good/app@sha256:${randomSha().padEnd(64, '0')}`

async function newest(name: string): Promise<ServiceDeployment | undefined> {
  const list = await world.ecs.send(
    new ListServiceDeploymentsCommand({ cluster: world.cluster, service: name })
  )
  const arn = list.serviceDeployments?.[0]?.serviceDeploymentArn
  if (!arn) return undefined
  const out = await world.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
  return out.serviceDeployments?.[0]
}

async function until(
  name: string,
  ok: (d: ServiceDeployment) => boolean,
  ms = 60_000
): Promise<ServiceDeployment> {
  const deadline = Date.now() + ms
  for (;;) {
    const d = await newest(name)
    if (d && ok(d)) return d
    if (Date.now() > deadline)
      throw new Error(`service ${name}: not reached (last ${d?.status} ${d?.lifecycleStage})`)
    await new Promise(r => setTimeout(r, 100))
  }
}

function waiting(d: ServiceDeployment): string | undefined {
  return d.lifecycleHookDetails?.find(h => h.status === 'AWAITING_ACTION')?.hookId
}

/** A service with `config` on a first revision registered by the action, its first deployment done. */
async function strategyService(config: DeploymentConfiguration): Promise<{ name: string; baseArn: string }> {
  const name = `native-${++serial}`
  const first = await world.run({ image: image(), 'task-definition': 'task-definition.json' })
  expect(first.exitCode).toBe(0)
  const baseArn = first.outputs['task-definition-arn']
  await world.ecs.send(
    new CreateServiceCommand({
      cluster: world.cluster,
      serviceName: name,
      taskDefinition: baseArn,
      desiredCount: 2,
      launchType: 'FARGATE',
      deploymentConfiguration: config
    })
  )
  // The first deployment pauses at the service's PAUSE hook too: continued here, so only ours is the test's.
  for (;;) {
    const d = await until(name, d => d.status === 'SUCCESSFUL' || waiting(d) !== undefined)
    const hook = waiting(d)
    if (!hook) break
    await world.ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: d.serviceDeploymentArn,
        hookId: hook,
        action: 'CONTINUE'
      })
    )
    await until(name, d => waiting(d) !== hook)
  }
  return { name, baseArn }
}

function deploy(service: string, extra: Record<string, string> = {}) {
  return world.run({
    image: image(),
    'task-definition': 'task-definition.json',
    'container-name': 'web',
    service,
    'wait-for-minutes': '5',
    ...extra
  })
}

beforeAll(async () => {
  world = await startWorld({ tasks: 'scripted', timeScale: 0.05 })
}, 60_000)

afterAll(async () => {
  await world?.stop()
}, 60_000)

describe('native strategies against the local ECS', () => {
  test('BLUE_GREEN: green only after the bake, the stages printed in order', async () => {
    const { name } = await strategyService({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 2 })
    const run = await deploy(name)
    expect(run.exitCode).toBe(0)
    const bake = run.output.indexOf('stage BAKE_TIME')
    expect(bake).toBeGreaterThan(-1)
    expect(run.output.indexOf('succeeded')).toBeGreaterThan(bake)
    const service = await world.service(name)
    expect(service.taskDefinition).toBe(run.outputs['task-definition-arn'])
    const last = await newest(name)
    expect(last?.status).toBe('SUCCESSFUL')
    expect(last?.targetServiceRevision?.requestedProductionTrafficWeight).toBe(100)
  }, 120_000)

  test('an alarm in the bake: red naming the alarm, traffic back on blue', async () => {
    const { name, baseArn } = await strategyService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 10,
      alarms: { alarmNames: [ALARM], enable: true, rollback: true }
    })
    await setAlarms(world.sim.url, { [ALARM]: 'OK' })
    const running = deploy(name)
    await until(name, d => d.lifecycleStage === 'BAKE_TIME' && d.status === 'IN_PROGRESS')
    await setAlarms(world.sim.url, { [ALARM]: 'ALARM' })
    const run = await running
    expect(run.exitCode).toBe(1)
    // The cause travels in the run's one "Deployment failed" error, first.
    expect(run.output).toMatch(
      /::error title=Deployment failed::Rolled back: alarm "native-5xx" went into ALARM/
    )
    expect(run.output).not.toMatch(/::error.*completed/)
    expect((await world.service(name)).taskDefinition).toBe(baseArn)
    const last = await newest(name)
    expect(last?.status).toBe('ROLLBACK_SUCCESSFUL')
  }, 120_000)

  test('a PAUSE hook: on-pause return ends green with the outputs; a resume step continues it to SUCCESSFUL', async () => {
    const { name } = await strategyService({
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: 1,
      lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }]
    })
    const paused = await deploy(name, { 'on-pause': 'return' })
    expect(paused.exitCode).toBe(0)
    expect(paused.output).toMatch(/::notice title=Deployment paused::/)
    const arn = paused.outputs['service-deployment-arn']
    expect(arn).toMatch(/:service-deployment\//)
    expect(paused.outputs['hook-id']).toBeTruthy()
    const resumed = await world.run({ service: name, resume: arn })
    expect(resumed.exitCode).toBe(0)
    expect(resumed.output).toMatch(/succeeded/)
    expect((await newest(name))?.status).toBe('SUCCESSFUL')
    expect((await world.service(name)).taskDefinition).toBe(paused.outputs['task-definition-arn'])
  }, 120_000)

  test('LINEAR: green, the production weights printed in order', async () => {
    const { name } = await strategyService({
      strategy: 'LINEAR',
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 }
    })
    const run = await deploy(name)
    expect(run.exitCode).toBe(0)
    const at = [25, 50, 75].map(w => run.output.indexOf(`production ${w}% new`))
    expect(at.every((p, i) => p > -1 && (i === 0 || p > at[i - 1]))).toBe(true)
  }, 120_000)
})

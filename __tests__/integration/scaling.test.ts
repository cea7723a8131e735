/**
 * Issue 14, acceptance 1: auto scaling as part of the deploy, against the local ECS with the docker
 * backend. dist/index.js deploys a CPU-burning container (busybox `while :; do :; done`) with
 * scaling-min 1, scaling-max 4 and scale-on-cpu 50; the local Application Auto Scaling reads the service's
 * CPU from the local CloudWatch (measured from the real containers) and scales the service to ≥ 2 tasks
 * within the bound; a second deploy with the same inputs changes no scaling and keeps the scaled-out
 * count. Needs the local CloudWatch (h/cw) and Application Auto Scaling (h/aas).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand
} from '@aws-sdk/client-application-auto-scaling'
import { CREDENTIALS, startWorld, type World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'

const SERVICE = `act14-burn-${randomSha().slice(0, 6)}`
const REPOSITORY = `act14/burn-${randomSha().slice(0, 6)}`
/** The CPU-burning revision: the example app's image, its entry point replaced by a busy loop. */
const BURN = JSON.stringify({
  family: 'act14-burn',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'web',
      image: '',
      essential: true,
      entryPoint: ['/bin/sh', '-c'],
      command: ['while :; do :; done']
    }
  ]
})

let world: World
let scaling: ApplicationAutoScalingClient

beforeAll(async () => {
  world = await startWorld({ tasks: 'docker', timeScale: 0.05, workspace: { files: { 'burn.json': BURN } } })
  scaling = new ApplicationAutoScalingClient({
    endpoint: world.sim.url,
    region: world.region,
    credentials: CREDENTIALS
  })
  await world.registerService(
    SERVICE,
    {
      repository: REPOSITORY,
      'create-repository': 'true',
      'task-definition': 'burn.json',
      'container-name': 'web'
    },
    { desiredCount: 1 }
  )
}, 240_000)

afterAll(async () => {
  scaling?.destroy()
  await world?.stop()
}, 60_000)

const inputs = {
  repository: REPOSITORY,
  'task-definition': 'burn.json',
  'container-name': 'web',
  service: SERVICE,
  'scaling-min': '1',
  'scaling-max': '4',
  'scale-on-cpu': '50',
  'wait-for-minutes': '3'
}

async function desiredCount(): Promise<number> {
  return (await world.service(SERVICE)).desiredCount ?? 0
}

describe('auto scaling as part of the deploy (docker backend)', () => {
  test('the deploy registers the target and the policy; CPU scales the service out; a second deploy keeps it', async () => {
    const first = await world.run(inputs)
    expect(first.errors).toEqual([])
    expect(first.exitCode).toBe(0)
    expect(first.summary).toContain('### Auto scaling')
    expect(first.summary).toContain('applied before the update')

    const targets = await scaling.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'ecs',
        ResourceIds: [`service/${world.cluster}/${SERVICE}`]
      })
    )
    expect(targets.ScalableTargets?.map(t => [t.MinCapacity, t.MaxCapacity])).toEqual([[1, 4]])
    const policies = await scaling.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace: 'ecs',
        ResourceId: `service/${world.cluster}/${SERVICE}`
      })
    )
    expect(policies.ScalingPolicies?.map(p => p.PolicyName)).toEqual(['ecs-deploy-cpu'])

    // The busy loop pegs its CPU share: target tracking at 50 % adds tasks (3 high periods of a scaled minute).
    const deadline = Date.now() + 120_000
    let count = await desiredCount()
    while (count < 2 && Date.now() < deadline) {
      await new Promise(r => setTimeout(r, 1000))
      count = await desiredCount()
    }
    expect(count).toBeGreaterThanOrEqual(2)
    await world.waitSteady(SERVICE)
    const scaledOut = await desiredCount()

    // The same inputs again: nothing of the scaling is put, and the scaled-out count is not reset.
    const since = Date.now()
    const second = await world.run({ ...inputs, 'desired-count': '1' })
    expect(second.errors).toEqual([])
    expect(second.exitCode).toBe(0)
    expect(second.summary).toContain('unchanged (already as the inputs say)')
    expect(second.output).toContain('desired-count 1 is ignored')
    const calls = await world.callsSince(since)
    const writes = calls.filter(c =>
      ['RegisterScalableTarget', 'PutScalingPolicy', 'DeleteScalingPolicy', 'UpdateService'].includes(
        c.operation
      )
    )
    expect(writes.map(c => c.operation)).toEqual(['UpdateService'])
    expect(writes[0].request).not.toHaveProperty('desiredCount')
    expect(await desiredCount()).toBeGreaterThanOrEqual(Math.min(scaledOut, 2))
  }, 360_000)
})

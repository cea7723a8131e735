/**
 * BLUE_GREEN through the real SDK against the scripted backend: the stages in order, SUCCESSFUL only
 * after the bake with both colours running through it, an alarm during the bake rolling traffic back to
 * blue, StopServiceDeployment ROLLBACK and ABORT, and the service revisions with their load balancers.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { DescribeServiceRevisionsCommand, ECSClient, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs'
import { reset, RunningSim, setAlarms, startSim } from '../testing.js'
import { clients, messages, service, tasksOf } from './helpers.js'
import { deployV2, finished, inOrder, ROLE, strategyService } from './strategy-helpers.js'

const SCALE = 0.001
let sim: RunningSim
let ecs: ECSClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: SCALE })
  ecs = clients(sim.url).ecs
})
afterAll(async () => {
  await sim?.stop()
})
beforeEach(async () => {
  await reset(sim.url)
})

const BAKE_MINUTES = 10
const ORDER = ['IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']
const blueGreen = { strategy: 'BLUE_GREEN' as const, bakeTimeInMinutes: BAKE_MINUTES }

describe('BLUE_GREEN', () => {
  it('goes through its stages in order, both colours running through the bake, SUCCESSFUL only after it', async () => {
    await strategyService(ecs, 'bg', blueGreen)
    const seen = await deployV2(ecs, 'bg', finished, async sd => {
      if (sd.lifecycleStage === 'BAKE_TIME' && sd.status === 'IN_PROGRESS') {
        // Production traffic is on green, and blue still runs beside it.
        expect(sd.targetServiceRevision).toMatchObject({ requestedProductionTrafficWeight: 100 })
        expect(sd.sourceServiceRevisions![0]).toMatchObject({
          requestedProductionTrafficWeight: 0,
          runningTaskCount: 2
        })
        const s = await service(ecs, 'bg', 'web')
        expect(s.deployments!.map(d => d.status)).toEqual(['PRIMARY', 'ACTIVE'])
      }
    })
    const stages = inOrder(seen.map(sd => sd.lifecycleStage!))
    const order = [
      'RECONCILE_SERVICE',
      'PRE_SCALE_UP',
      'SCALE_UP',
      'POST_SCALE_UP',
      'TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'POST_PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP'
    ]
    expect(stages.map(st => order.indexOf(st))).toEqual(
      [...stages.map(st => order.indexOf(st))].sort((a, b) => a - b)
    )
    // The 10-minute bake (0.6 s) is long enough for polling to see; shorter stages may pass between polls.
    expect(stages).toContain('BAKE_TIME')
    const last = seen[seen.length - 1]
    expect(last.status).toBe('SUCCESSFUL')
    // Not before the bake: the bake alone lasts BAKE_MINUTES (scaled).
    const bakeMs = BAKE_MINUTES * 60_000 * SCALE
    expect(last.finishedAt!.getTime() - last.createdAt!.getTime()).toBeGreaterThanOrEqual(bakeMs)
    expect(
      seen.filter(sd => sd.lifecycleStage === 'BAKE_TIME').every(sd => sd.status === 'IN_PROGRESS')
    ).toBe(true)
    expect(last.targetServiceRevision).toMatchObject({
      requestedTaskCount: 2,
      runningTaskCount: 2,
      requestedProductionTrafficWeight: 100,
      requestedTestTrafficWeight: 100
    })
    const s = await service(ecs, 'bg', 'web')
    expect(s.taskDefinition).toMatch(/web:2$/)
    expect(s.deployments!.map(d => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']])
    const running = await tasksOf(ecs, 'bg', 'web', 'RUNNING')
    expect(running.map(t => t.taskDefinitionArn!.split(':').pop())).toEqual(['2', '2'])
  })

  it('an alarm in ALARM during the bake rolls back: traffic 100 % on blue, green stopped, ROLLBACK_SUCCESSFUL', async () => {
    await strategyService(ecs, 'bg-alarm', {
      ...blueGreen,
      alarms: { alarmNames: ['web-5xx', 'web-latency'], enable: true, rollback: true }
    })
    let rang = false
    const seen = await deployV2(ecs, 'bg-alarm', finished, async sd => {
      if (sd.lifecycleStage === 'BAKE_TIME' && !rang) {
        rang = true
        await setAlarms(sim.url, { 'web-5xx': 'ALARM' })
      }
    })
    expect(rang).toBe(true)
    // In this order (ROLLBACK_IN_PROGRESS lasts a few ticks: polling may pass it by).
    const statuses = inOrder(seen.map(sd => sd.status!))
    expect(statuses[0]).toBe('IN_PROGRESS')
    expect(statuses[statuses.length - 1]).toBe('ROLLBACK_SUCCESSFUL')
    expect(['IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']).toEqual(
      expect.arrayContaining(statuses)
    )
    expect(statuses).toEqual([...statuses].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b)))
    const last = seen[seen.length - 1]
    expect(last.alarms).toEqual({
      status: 'TRIGGERED',
      alarmNames: ['web-5xx', 'web-latency'],
      triggeredAlarmNames: ['web-5xx']
    })
    expect(last.targetServiceRevision).toMatchObject({
      requestedProductionTrafficWeight: 0,
      requestedTestTrafficWeight: 0,
      runningTaskCount: 0
    })
    expect(last.sourceServiceRevisions![0]).toMatchObject({
      requestedProductionTrafficWeight: 100,
      runningTaskCount: 2
    })
    expect(last.rollback).toMatchObject({ serviceRevisionArn: last.sourceServiceRevisions![0].arn })
    const s = await service(ecs, 'bg-alarm', 'web')
    expect(s.taskDefinition).toMatch(/web:1$/)
    expect(s.deployments!.map(d => d.status)).toEqual(['PRIMARY'])
    const events = messages(s)
    expect(events.some(e => /\(deployment ecs-svc\/\d+\) deployment failed: alarm detected\.$/.test(e))).toBe(
      true
    )
    expect(events.some(e => /^\(service web\) rolling back to deployment ecs-svc\/\d+\.$/.test(e))).toBe(true)
    const running = await tasksOf(ecs, 'bg-alarm', 'web', 'RUNNING')
    expect(running.map(t => t.taskDefinitionArn!.split(':').pop())).toEqual(['1', '1'])
  })

  it.each([
    ['ROLLBACK', 'ROLLBACK_SUCCESSFUL', 0, /web:1$/],
    ['ABORT', 'STOPPED', 100, /web:2$/]
  ] as const)('StopServiceDeployment %s during the bake ends %s', async (stopType, status, weight, td) => {
    const cluster = `bg-stop-${stopType.toLowerCase()}`
    await strategyService(ecs, cluster, blueGreen)
    let stopped = false
    const seen = await deployV2(ecs, cluster, finished, async sd => {
      if (sd.lifecycleStage === 'BAKE_TIME' && !stopped) {
        stopped = true
        const out = await ecs.send(
          new StopServiceDeploymentCommand({ serviceDeploymentArn: sd.serviceDeploymentArn, stopType })
        )
        expect(out.serviceDeploymentArn).toBe(sd.serviceDeploymentArn)
      }
    })
    const last = seen[seen.length - 1]
    expect(last.status).toBe(status)
    expect(last.targetServiceRevision!.requestedProductionTrafficWeight).toBe(weight)
    expect((await service(ecs, cluster, 'web')).taskDefinition).toMatch(td)
    if (stopType === 'ABORT') {
      // Stopped where it was: both colours still run.
      expect(last.stoppedAt).toBeDefined()
      expect((await tasksOf(ecs, cluster, 'web', 'RUNNING')).length).toBe(4)
    }
  })

  it('keeps load balancers with their advancedConfiguration as state, shown on the service revision', async () => {
    const lb = {
      targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1',
      containerName: 'app',
      containerPort: 80,
      advancedConfiguration: {
        alternateTargetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/green/2',
        productionListenerRule:
          'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/1/2/3',
        testListenerRule: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/web/1/2/4',
        roleArn: ROLE
      }
    }
    await strategyService(
      ecs,
      'bg-lb',
      { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 },
      { loadBalancers: [lb] }
    )
    const seen = await deployV2(ecs, 'bg-lb')
    const last = seen[seen.length - 1]
    const out = await ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [
          last.targetServiceRevision!.arn!,
          'arn:aws:ecs:eu-west-1:123456789012:service-revision/x/y/1'
        ]
      })
    )
    expect(out.serviceRevisions![0]).toMatchObject({
      serviceRevisionArn: last.targetServiceRevision!.arn,
      taskDefinition: expect.stringMatching(/web:2$/),
      loadBalancers: [lb],
      containerImages: [{ containerName: 'app', image: 'app:v2' }]
    })
    expect(out.failures).toEqual([
      expect.objectContaining({
        arn: 'arn:aws:ecs:eu-west-1:123456789012:service-revision/x/y/1',
        reason: 'MISSING'
      })
    ])
  })
})

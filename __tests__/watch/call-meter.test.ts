import { beforeEach, describe, expect, it } from '@jest/globals'
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs'
import { CallMeter } from '../../src/watch/call-meter.js'
import { watchDeployment } from '../../src/watch/loop.js'
import {
  ours,
  old,
  svc,
  stoppedTask,
  fakeClock,
  options,
  callsOf,
  ecsMock,
  resetEcsMock
} from './fixtures.js'

beforeEach(resetEcsMock)

describe('watchDeployment: ECS call budget', () => {
  it('makes at most 40 ECS calls in any minute with the default interval, even while tasks crash every poll', async () => {
    const clock = fakeClock()
    const callTimes: number[] = []
    let failed = 0
    const arns: string[] = []
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      callTimes.push(clock.now())
      failed++
      arns.push(`arn:aws:ecs:eu-west-1:123456789012:task/prod/t${failed}`)
      return svc([ours({ failedTasks: failed }), old()])
    })
    ecsMock.on(ListTasksCommand).callsFake(() => {
      callTimes.push(clock.now())
      return { taskArns: [...arns] }
    })
    ecsMock.on(DescribeTasksCommand).callsFake(input => {
      callTimes.push(clock.now())
      return {
        tasks: (input as { tasks: string[] }).tasks.map(arn => ({
          ...stoppedTask(arn.split('/').pop()!, 0),
          taskArn: arn
        }))
      }
    })
    const seen = new Set<string>()

    const outcome = await watchDeployment(
      options(clock, { timeoutMs: 3 * 60_000, maxFailedTasks: 0, onStoppedTask: t => seen.add(t.taskArn!) })
    )

    expect(outcome.status).toBe('timeout')
    let worst = 0
    for (const t of callTimes) worst = Math.max(worst, callTimes.filter(c => c >= t && c < t + 60_000).length)
    expect(worst).toBeLessThanOrEqual(40)
    expect(worst).toBeGreaterThanOrEqual(30) // it did poll every 2 s
    expect(seen.size).toBe(arns.length) // and still read every stopped task by the end
  })

  it('makes about 30 calls a minute on a quiet deployment, and reads stopped tasks on a slow cadence', async () => {
    const clock = fakeClock()
    ecsMock.on(DescribeServicesCommand).resolves(svc([ours({ runningCount: 1 }), old()]))

    await watchDeployment(options(clock, { timeoutMs: 60_000 - 1 }))

    expect(callsOf(DescribeServicesCommand)).toBe(31) // t = 0, 2, …, 58 and the deadline
    expect(callsOf(ListTasksCommand)).toBe(3 + 1) // at 16, 32 and 48 s (every ≥ 15 s), and once at the end
  })
})

describe('CallMeter', () => {
  it('counts calls over a sliding minute and says how long until more fit', () => {
    let t = 0
    const meter = new CallMeter(3, () => t)
    meter.record()
    t = 10_000
    meter.record()
    meter.record()
    expect(meter.used()).toBe(3)
    expect(meter.delayFor(1)).toBe(50_001) // the call at 0 leaves the window at 60 000
    expect(meter.delayFor(2)).toBe(60_001) // then the two at 10 000
    t = 60_001
    expect(meter.used()).toBe(2)
    expect(meter.delayFor(1)).toBe(0)
  })

  it('a shared meter holds a second watch back when the first used the budget', async () => {
    const clock = fakeClock()
    const meter = new CallMeter(40, clock.now)
    const start = clock.now()
    for (let i = 0; i < 40; i++) meter.record()
    const polledAt: number[] = []
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      polledAt.push(clock.now())
      return svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })])
    })
    await watchDeployment(options(clock, { meter }))
    expect(polledAt[0] - start).toBeGreaterThan(60_000)
  })
})

describe('CallMeter: one window, each call counted once with its purpose', () => {
  it('a share of the budget (stopped-task reads) is read from the same window as the whole', () => {
    let t = 0
    const meter = new CallMeter(4, () => t)
    meter.record('poll')
    meter.record('tasks')
    t = 30_000
    meter.record('tasks')
    meter.record()
    expect([meter.used(), meter.used('poll'), meter.used('tasks'), meter.used('other')]).toEqual([4, 1, 2, 1])
    expect(meter.delayFor(1)).toBe(30_001)
    t = 60_000 // the two calls at 0 leave the window together
    expect([meter.used(), meter.used('poll'), meter.used('tasks')]).toEqual([2, 0, 1])
    expect(meter.delayFor(2)).toBe(0)
  })

  it('a watch with a shared meter counts its stopped-task reads in it, once each', async () => {
    const clock = fakeClock()
    const meter = new CallMeter(40, clock.now)
    let poll = 0
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      poll++
      return poll < 3
        ? svc([ours({ failedTasks: poll })])
        : svc([ours({ failedTasks: 2, rolloutState: 'FAILED' })])
    })
    await watchDeployment(options(clock, { meter }))
    const sent = ecsMock.calls().length
    expect(meter.used()).toBe(sent)
    expect(meter.used('poll')).toBe(callsOf(DescribeServicesCommand))
    expect(meter.used('tasks')).toBe(callsOf(ListTasksCommand) + callsOf(DescribeTasksCommand))
  })
})

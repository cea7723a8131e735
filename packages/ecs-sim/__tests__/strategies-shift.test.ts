/**
 * Production traffic that moves over time (LINEAR, CANARY) and the circuit breaker's own threshold
 * (thresholdConfiguration, resetOnHealthyTask), through the real SDK against the scripted backend.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ECSClient } from '@aws-sdk/client-ecs'
import { reset, RunningSim, setRules, startSim } from '../testing.js'
import { clients, messages, service } from './helpers.js'
import { deployV2, finished, inOrder, strategyService } from './strategy-helpers.js'

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

/** The weights ECS's events name, in the order it wrote them (events are newest first). */
function shiftEvents(events: string[]): number[] {
  return events
    .map(e => /shifted ([\d.]+)% of production traffic/.exec(e)?.[1])
    .filter((w): w is string => w !== undefined)
    .map(Number)
    .reverse()
}

describe('traffic that moves over time', () => {
  it.each([
    [
      'LINEAR',
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 2 } },
      [25, 50, 75, 100],
      3 * 2
    ],
    [
      'LINEAR (33.3 %)',
      { strategy: 'LINEAR', linearConfiguration: { stepPercent: 33.3, stepBakeTimeInMinutes: 1 } },
      [33.3, 66.6, 99.9, 100],
      3
    ],
    [
      'CANARY',
      { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 3 } },
      [10, 100],
      3
    ],
    ['BLUE_GREEN', { strategy: 'BLUE_GREEN' }, [100], 0]
  ] as const)(
    '%s %j: production weights move in order, each step baked',
    async (_name, config, weights, bakeMinutes) => {
      const cluster = `shift-${_name.replace(/\W+/g, '-').toLowerCase()}`
      await strategyService(ecs, cluster, { ...config, bakeTimeInMinutes: 1 })
      const seen = await deployV2(ecs, cluster, finished)
      const last = seen[seen.length - 1]
      expect(last.status).toBe('SUCCESSFUL')
      const polled = inOrder(
        seen
          .filter(sd => sd.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT')
          .map(sd => sd.targetServiceRevision!.requestedProductionTrafficWeight!)
      )
      // What polling saw is in order (it may miss a step); the events name every step.
      expect(polled).toEqual([...polled].sort((a, b) => a - b))
      for (const sd of seen.filter(x => x.sourceServiceRevisions!.length > 0))
        expect(
          sd.targetServiceRevision!.requestedProductionTrafficWeight! +
            sd.sourceServiceRevisions![0].requestedProductionTrafficWeight!
        ).toBeCloseTo(100)
      const events = messages(await service(ecs, cluster, 'web'))
      const deploymentId = (await service(ecs, cluster, 'web')).deployments![0].id
      expect(shiftEvents(events.filter(e => e.includes(`(deployment ${deploymentId})`)))).toEqual(weights)
      const shifting = seen.filter(sd => sd.lifecycleStage === 'PRODUCTION_TRAFFIC_SHIFT')
      if (bakeMinutes > 0) expect(shifting.length).toBeGreaterThan(1)
      expect(last.finishedAt!.getTime() - last.createdAt!.getTime()).toBeGreaterThanOrEqual(
        (bakeMinutes + 1) * 60_000 * SCALE
      )
      expect(last.deploymentConfiguration).toMatchObject(config)
    }
  )
})

describe('the circuit breaker with its thresholdConfiguration', () => {
  it('COUNT 5: the deployment fails at the 5th failed task, not the 3rd', async () => {
    await strategyService(
      ecs,
      'count',
      {
        deploymentCircuitBreaker: {
          enable: true,
          rollback: true,
          thresholdConfiguration: { type: 'COUNT', value: 5 }
        }
      },
      { desired: 1 }
    )
    await setRules(sim.url, [{ image: 'app:v2', outcome: 'crash', exitCode: 1 }])
    const seen = await deployV2(ecs, 'count', sd => sd.status !== 'IN_PROGRESS')
    const counts = seen
      .filter(sd => sd.status === 'IN_PROGRESS')
      .map(sd => sd.deploymentCircuitBreaker!.failureCount!)
    // While it ran the count stayed below 5; it ends at 5 (the default threshold, 3, would have ended it at 3).
    expect(counts.every(n => n < 5)).toBe(true)
    const last = seen[seen.length - 1]
    expect(last.deploymentCircuitBreaker).toEqual({ status: 'TRIGGERED', failureCount: 5, threshold: 5 })
    expect(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']).toContain(last.status)
  })

  it.each([
    [{ type: 'BOUNDED_PERCENT', value: 50 }, 10, 5],
    [{ type: 'BOUNDED_PERCENT', value: 10 }, 10, 3],
    [{ type: 'UNBOUNDED_PERCENT', value: 10 }, 10, 1],
    [undefined, 2, 3]
  ] as const)('threshold %j with %i desired is %i', async (tc, desired, threshold) => {
    const cluster = `threshold-${tc?.type.toLowerCase() ?? 'default'}-${tc?.value ?? 0}`
    await strategyService(
      ecs,
      cluster,
      { deploymentCircuitBreaker: { enable: true, rollback: false, thresholdConfiguration: tc } },
      { desired }
    )
    const seen = await deployV2(ecs, cluster)
    expect(seen[seen.length - 1].deploymentCircuitBreaker).toMatchObject({
      threshold,
      status: 'MONITORING_COMPLETE'
    })
  })

  it('resetOnHealthyTask true clears the count when a task gets healthy; false or absent keeps it', async () => {
    for (const reset of [true, false, undefined]) {
      const cluster = `reset-${reset}`
      await strategyService(
        ecs,
        cluster,
        {
          deploymentCircuitBreaker: {
            enable: true,
            rollback: false,
            resetOnHealthyTask: reset,
            thresholdConfiguration: { type: 'COUNT', value: 50 }
          }
        },
        { desired: 1 }
      )
      // web:2 crashes twice (the first two tasks), then runs.
      await setRules(sim.url, [{ image: 'app:v2', outcome: 'crash', exitCode: 1 }])
      let peak = 0
      const seen = await deployV2(
        ecs,
        cluster,
        sd => sd.status === 'SUCCESSFUL',
        async sd => {
          peak = Math.max(peak, sd.deploymentCircuitBreaker!.failureCount!)
          if (peak >= 2) await setRules(sim.url, [])
        }
      )
      expect(peak).toBeGreaterThanOrEqual(2)
      const count = seen[seen.length - 1].deploymentCircuitBreaker!.failureCount!
      if (reset) expect(count).toBe(0)
      else expect(count).toBeGreaterThanOrEqual(2)
    }
  })
})

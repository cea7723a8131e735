/**
 * The timeline (GET /_sim/timeline) of a native service deployment, read beside the real SDK's view of it:
 * the instant it became decidable is the one DescribeServiceDeployments gives as `finishedAt` (SUCCESSFUL)
 * or the one the rollback started (ROLLED_BACK), and every lifecycle stage is listed with the instant it
 * was entered, so a benchmark can tell when the bake ran.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { ECSClient } from '@aws-sdk/client-ecs'
import { getTimeline, reset, RunningSim, setAlarms, startSim, type SimTimelineEntry } from '../testing.js'
import { clients } from './helpers.js'
import { deployV2, finished, strategyService } from './strategy-helpers.js'

const SCALE = 0.001
const BAKE_MINUTES = 10
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

async function entryOf(cluster: string): Promise<SimTimelineEntry> {
  const mine = (await getTimeline(sim.url)).filter(t => t.cluster === cluster)
  const entry = mine.find(t => t.taskDefinition.endsWith('web:2'))
  if (!entry) throw new Error(`no timeline entry for web:2 in ${cluster}`)
  return entry
}

const at = (entry: SimTimelineEntry, stage: string): number => {
  const found = entry.stages?.find(s => s.stage === stage)
  if (!found) throw new Error(`stage ${stage} is not in the timeline`)
  return Date.parse(found.at)
}

describe('timeline of a native service deployment', () => {
  it.each(['BLUE_GREEN', 'LINEAR', 'CANARY'] as const)(
    '%s: COMPLETED at the service deployment’s finishedAt, after a bake as long as configured',
    async strategy => {
      const cluster = `tl-${strategy.toLowerCase()}`
      await strategyService(ecs, cluster, {
        strategy,
        bakeTimeInMinutes: BAKE_MINUTES,
        ...(strategy === 'LINEAR'
          ? { linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 } }
          : {}),
        ...(strategy === 'CANARY'
          ? { canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 } }
          : {})
      })
      const seen = await deployV2(ecs, cluster, finished)
      const last = seen[seen.length - 1]
      expect(last.status).toBe('SUCCESSFUL')
      const entry = await entryOf(cluster)
      expect(entry.outcome).toBe('COMPLETED')
      expect(Math.abs(Date.parse(entry.decidableAt!) - last.finishedAt!.getTime())).toBeLessThanOrEqual(1)
      const stages = entry.stages!.map(s => s.stage)
      // RECONCILE_SERVICE only when the service had more than one deployment at the update.
      expect(stages[0]).toBe('PRE_SCALE_UP')
      expect(stages).toContain('PRODUCTION_TRAFFIC_SHIFT')
      expect(stages.slice(-2)).toEqual(['BAKE_TIME', 'CLEAN_UP'])
      const times = entry.stages!.map(s => Date.parse(s.at))
      expect(times).toEqual([...times].sort((a, b) => a - b))
      expect(at(entry, 'CLEAN_UP') - at(entry, 'BAKE_TIME')).toBeGreaterThanOrEqual(
        BAKE_MINUTES * 60_000 * SCALE
      )
      expect(Date.parse(entry.decidableAt!)).toBeGreaterThanOrEqual(at(entry, 'CLEAN_UP'))
    }
  )

  it('an alarm in the bake: ROLLED_BACK from the instant the rollback started, before ROLLBACK_SUCCESSFUL', async () => {
    await strategyService(ecs, 'tl-alarm', {
      strategy: 'BLUE_GREEN',
      bakeTimeInMinutes: BAKE_MINUTES,
      alarms: { alarmNames: ['tl-5xx'], enable: true, rollback: true }
    })
    let rangAt = 0
    const seen = await deployV2(ecs, 'tl-alarm', finished, async sd => {
      if (sd.lifecycleStage === 'BAKE_TIME' && !rangAt) {
        await setAlarms(sim.url, { 'tl-5xx': 'ALARM' })
        rangAt = Date.now()
      }
    })
    const last = seen[seen.length - 1]
    expect(last.status).toBe('ROLLBACK_SUCCESSFUL')
    const entry = await entryOf('tl-alarm')
    expect(entry.outcome).toBe('ROLLED_BACK')
    const decidable = Date.parse(entry.decidableAt!)
    expect(decidable).toBeGreaterThanOrEqual(at(entry, 'BAKE_TIME'))
    expect(decidable).toBeLessThanOrEqual(last.finishedAt!.getTime())
    expect(entry.stages!.map(s => s.stage)).not.toContain('CLEAN_UP')
  })
})

/**
 * Fault injection through the real AWS SDK v3 clients (scripted task backend, no Docker, no registry):
 * throttling and server errors as the SDK retries them, seeded sequences, the control API.
 * The pure parts (generator, decision, body parser) are in faults.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  ECSClient,
  ListClustersCommand
} from '@aws-sdk/client-ecs'
import { faultFor } from '../random.js'
import { getCalls, getFaults, reset, RunningSim, setFaults, startSim } from '../testing.js'
import { clients, errorOf } from './helpers.js'

let sim: RunningSim
let ecs: ECSClient

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.02 })
  ecs = clients(sim.url).ecs
})

afterAll(async () => {
  await sim?.stop()
})

beforeEach(async () => {
  await reset(sim.url)
})

describe('fault injection', () => {
  it('throttling on the chosen operations is retried by the SDK, then surfaces', async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: 'faults' }))
    await setFaults(sim.url, { throttleRate: 1, operations: ['ListClusters'], seed: 1 })
    const err = await errorOf(ecs.send(new ListClustersCommand({})))
    expect(err.name).toBe('ThrottlingException')
    expect(err.$metadata.attempts).toBe(3)
    // Other operations are untouched, and take no index of the fault sequence.
    const ok = await ecs.send(new DescribeClustersCommand({ clusters: ['faults'] }))
    expect(ok.$metadata.attempts).toBe(1)
    const calls = await getCalls(sim.url)
    expect(calls.map(x => [x.operation, x.status, x.error, x.injected, x.faultDraw])).toEqual([
      ['CreateCluster', 200, undefined, undefined, undefined],
      ['ListClusters', 400, 'ThrottlingException', 'throttle', 0],
      ['ListClusters', 400, 'ThrottlingException', 'throttle', 1],
      ['ListClusters', 400, 'ThrottlingException', 'throttle', 2],
      ['DescribeClusters', 200, undefined, undefined, undefined]
    ])
  })

  it('some throttled attempts and then success: $metadata.attempts is what the seed prescribes', async () => {
    const rates = { throttleRate: 0.5, errorRate: 0 }
    // The first seed whose sequence starts throttled, throttled, then two calls not throttled: the first
    // call succeeds on its third (the SDK's last) attempt, the second on its first; two backoffs stay short.
    const start = (seed: number) => [0, 1, 2, 3].map(k => faultFor(seed, k, rates) ?? 'none').join()
    let seed = 0
    while (start(seed) !== 'throttle,throttle,none,none') seed++
    await setFaults(sim.url, { ...rates, seed })
    const first = await ecs.send(new ListClustersCommand({}))
    const second = await ecs.send(new ListClustersCommand({}))
    expect([first.$metadata.attempts, second.$metadata.attempts]).toEqual([3, 1])
    const calls = await getCalls(sim.url, 'ListClusters')
    expect(calls.map(x => [x.faultDraw, x.injected])).toEqual([
      [0, 'throttle'],
      [1, 'throttle'],
      [2, undefined],
      [3, undefined]
    ])
  }, 60_000)

  it('server errors are HTTP 500 ServerException, retried as transient', async () => {
    await setFaults(sim.url, { errorRate: 1, operations: ['DescribeClusters'], seed: 1 })
    const err = await errorOf(ecs.send(new DescribeClustersCommand({ clusters: ['x'] })))
    expect(err.name).toBe('ServerException')
    expect(err.$metadata.httpStatusCode).toBe(500)
    expect(err.$metadata.attempts).toBe(3)
  })

  it('a seed replays the same faults: POST starts its sequence anew, the call log names each index', async () => {
    const rates = { throttleRate: 0.3, errorRate: 0.3 }
    const once = clients(sim.url, 1).ecs
    const play = async () => {
      const before = (await getCalls(sim.url)).length
      for (let i = 0; i < 30; i++) await once.send(new ListClustersCommand({})).catch(() => undefined)
      return (await getCalls(sim.url)).slice(before).map(x => [x.faultDraw, x.injected ?? null])
    }
    await setFaults(sim.url, { ...rates, seed: 2026 })
    const first = await play()
    await setFaults(sim.url, { ...rates, seed: 2026 })
    const second = await play()
    expect(first).toEqual(Array.from({ length: 30 }, (_, k) => [k, faultFor(2026, k, rates) ?? null]))
    expect(second).toEqual(first)
    // Both kinds are in those 30 calls, so the comparison above compares something.
    expect(new Set(first.map(([, injected]) => injected))).toEqual(new Set([null, 'throttle', 'error']))
    await setFaults(sim.url, { ...rates, seed: 2027 })
    expect(await play()).not.toEqual(first)
  })

  it('control API round trip: POST answers the faults in force with their seed, GET shows them', async () => {
    const set = { throttleRate: 0.1, errorRate: 0.02, latencyMs: 0, operations: ['ListTasks'], seed: 7 }
    expect(await setFaults(sim.url, set)).toEqual(set)
    expect(await getFaults(sim.url)).toEqual(set)
    // Without a seed (and no --fault-seed) the simulator picks one and says which.
    const random = await setFaults(sim.url, { throttleRate: 0.1 })
    expect(random).toEqual({ throttleRate: 0.1, errorRate: 0, latencyMs: 0, seed: random.seed })
    expect(Number.isInteger(random.seed) && random.seed >= 0 && random.seed <= 0xffffffff).toBe(true)
    expect(await getFaults(sim.url)).toEqual(random)
    await expect(setFaults(sim.url, { throttleRate: 0.1, seed: -1 })).rejects.toThrow(
      '/_sim/faults: 400 seed must be an integer from 0 to 4294967295'
    )
    // A refused setting leaves the one in force.
    expect(await getFaults(sim.url)).toEqual(random)
    await reset(sim.url)
    expect(await getFaults(sim.url)).toMatchObject({ throttleRate: 0, errorRate: 0, latencyMs: 0 })
  })

  it('--fault-seed seeds every setting without a seed, and the faults after a reset', async () => {
    const seeded = await startSim({ tasks: 'scripted', timeScale: 0.02, faultSeed: 4242 })
    try {
      expect((await getFaults(seeded.url)).seed).toBe(4242)
      expect(await setFaults(seeded.url, { errorRate: 1 })).toEqual({
        throttleRate: 0,
        errorRate: 1,
        latencyMs: 0,
        seed: 4242
      })
      expect((await setFaults(seeded.url, { errorRate: 1, seed: 5 })).seed).toBe(5)
      await reset(seeded.url)
      expect(await getFaults(seeded.url)).toEqual({ throttleRate: 0, errorRate: 0, latencyMs: 0, seed: 4242 })
    } finally {
      await seeded.stop()
    }
  })
})

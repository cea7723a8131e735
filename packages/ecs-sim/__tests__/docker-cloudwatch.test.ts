/**
 * AWS/ECS CPUUtilization measured from real containers (docker backend, needs the engine and the registry):
 * a container that burns a core shows far more CPU than an idle one, read through the real
 * @aws-sdk/client-cloudwatch, as `docker stats` would show them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import { RunningSim, startSim } from '../testing.js'
import { clients, waitFor } from './helpers.js'
import { buildImage, serverScript } from './images.js'

const REPO = 'sim-cw-it'
const CLUSTER = 'cw-it'
let sim: RunningSim
let c: ReturnType<typeof clients>
const images: Record<string, string> = {}

beforeAll(async () => {
  images.busy = buildImage(REPO, 'busy', `trap 'exit 0' TERM; while :; do :; done`)
  images.idle = buildImage(REPO, 'idle', serverScript('idle'))
  // Samples every 2 s (20 s scaled).
  sim = await startSim({ tasks: 'docker', timeScale: 0.1 })
  c = clients(sim.url)
}, 120000)

afterAll(async () => {
  await sim?.stop()
})

async function run(name: 'busy' | 'idle'): Promise<void> {
  await c.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: `${CLUSTER}-${name}`,
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: images[name], essential: true, stopTimeout: 2 }]
    })
  )
  await c.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: name,
      taskDefinition: `${CLUSTER}-${name}:1`,
      desiredCount: 1
    })
  )
}

async function utilization(): Promise<MetricDataResult[]> {
  const q = (id: string, service: string, metric: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/ECS',
        MetricName: metric,
        Dimensions: [
          { Name: 'ClusterName', Value: CLUSTER },
          { Name: 'ServiceName', Value: service }
        ]
      },
      Period: 60,
      Stat: 'Average'
    }
  })
  const out = await c.cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 10 * 60_000),
      EndTime: new Date(Date.now() + 60_000),
      MetricDataQueries: [
        q('busy', 'busy', 'CPUUtilization'),
        q('idle', 'idle', 'CPUUtilization'),
        q('mem', 'idle', 'MemoryUtilization')
      ]
    })
  )
  return out.MetricDataResults!
}

describe('AWS/ECS metrics from docker stats', () => {
  it('shows a busy container’s CPU well above an idle one’s', async () => {
    await c.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }))
    await run('busy')
    await run('idle')
    // A few samples each (every 2 s, each docker stats round about a second).
    const [busy, idle, mem] = await waitFor(
      'CPU samples of both services',
      utilization,
      ([b, i]) => (b.Values?.length ?? 0) > 0 && (i.Values?.length ?? 0) > 0,
      90_000
    )
    await new Promise(r => setTimeout(r, 6000))
    const [busy2, idle2, mem2] = await utilization()
    const busyCpu = busy2.Values![0] ?? busy.Values![0]
    const idleCpu = idle2.Values![0] ?? idle.Values![0]
    // One core against a 256-unit reservation is 400 %; a loaded shared machine gives it less (a run here
    // with 2 cores shared by many saw 139 % busy, 2.8 % idle).
    expect(busyCpu).toBeGreaterThan(25)
    expect(idleCpu).toBeLessThan(10)
    expect(busyCpu).toBeGreaterThan(5 * idleCpu + 10)
    expect((mem2.Values ?? mem.Values)![0]).toBeGreaterThan(0)
  }, 150000)
})

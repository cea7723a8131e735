/**
 * The AWS/ECS metrics ECS publishes, measured from the task backend: per service (ClusterName,
 * ServiceName) and per cluster (ClusterName), CPUUtilization and MemoryUtilization, each task's use as a
 * percent of what its task definition reserves. ECS samples every 20 seconds and sends one-minute
 * aggregates; here every 20 (scaled) seconds each RUNNING task of a service is one sample, with a real
 * timestamp, so a period's Average, Minimum and Maximum are the service's average and its least and most
 * busy task, as the ECS docs define them. With the cluster setting containerInsights enabled, the
 * ECS/ContainerInsights CpuUtilized/CpuReserved (CPU units), MemoryUtilized/MemoryReserved (MiB) and
 * RunningTaskCount are published per service too.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_utilization.html
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/available-metrics.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-ECS.html
 */
import type { SimContext } from '../context.js'
import type { Cluster, SimTask } from '../ecs/state.js'
import type { TaskUsage } from '../tasks/types.js'
import { sampleOf } from './aggregate.js'
import type { MetricDimension } from './reader.js'

/** A task definition's CPU ("256", "1 vCPU") in CPU units, memory ("512", "1 GB") in MiB. */
export function units(v: string | undefined, kind: 'cpu' | 'memory'): number | undefined {
  if (v === undefined) return undefined
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu|gb)?\s*$/i.exec(v)
  if (!m) return undefined
  const n = Number(m[1])
  if (m[2]) return m[2].toLowerCase() === (kind === 'cpu' ? 'vcpu' : 'gb') ? n * 1024 : undefined
  return n
}

/** The task's reservation: the task-level size, else the sum of its containers' (absent: not reserved). */
export function reservation(task: Pick<SimTask, 'cpu' | 'memory' | 'containers'>): {
  cpu?: number
  memory?: number
} {
  const sum = (kind: 'cpu' | 'memory') => {
    const parts = task.containers
      .map(c => units(c[kind], kind))
      .filter((n): n is number => n !== undefined && n > 0)
    return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : undefined
  }
  return { cpu: units(task.cpu, 'cpu') ?? sum('cpu'), memory: units(task.memory, 'memory') ?? sum('memory') }
}

/** Utilization (percent) and absolute use of one task; a measure with no reservation to compare to is absent. */
export function utilization(
  reserved: { cpu?: number; memory?: number },
  used: TaskUsage
): { cpu?: number; memory?: number; cpuUnits?: number; memoryMiB?: number } {
  const pct = (percent: number | undefined, abs: number | undefined, r: number | undefined) =>
    percent ?? (abs !== undefined && r ? (abs * 100) / r : undefined)
  const abs = (percent: number | undefined, a: number | undefined, r: number | undefined) =>
    a ?? (percent !== undefined && r ? (percent * r) / 100 : undefined)
  return {
    cpu: pct(used.cpuPercent, used.cpuUnits, reserved.cpu),
    memory: pct(used.memoryPercent, used.memoryMiB, reserved.memory),
    cpuUnits: abs(used.cpuPercent, used.cpuUnits, reserved.cpu),
    memoryMiB: abs(used.memoryPercent, used.memoryMiB, reserved.memory)
  }
}

function insightsOn(cluster: Cluster | undefined): boolean {
  const v = cluster?.settings.find(s => s.name === 'containerInsights')?.value
  return v === 'enabled' || v === 'enhanced'
}

/** Samples every RUNNING service task once and writes the samples into the metric store. */
export async function publishEcsMetrics(ctx: SimContext): Promise<void> {
  if (!ctx.backend.usage) return
  const tasks = [...ctx.regions.values()].flatMap(r =>
    [...r.tasks.values()]
      .filter(t => t.lastStatus === 'RUNNING' && t.serviceName && !t.op)
      .map(t => ({ r, t }))
  )
  if (tasks.length === 0) return
  const used = await ctx.backend.usage(tasks.map(({ t }) => t.id))
  const now = ctx.clock.now()
  const put = (
    namespace: string,
    metricName: string,
    dimensions: MetricDimension[],
    value: number,
    unit: string
  ) => ctx.metrics.put({ namespace, metricName, dimensions }, sampleOf(now, [value]), unit, now)
  const perService = new Map<
    string,
    {
      cluster: string
      service: string
      insights: boolean
      cpu: number[]
      mem: number[]
      cpuR: number[]
      memR: number[]
      n: number
    }
  >()
  for (const { r, t } of tasks) {
    const u = used.get(t.id)
    if (!u) continue
    const reserved = reservation(t)
    const v = utilization(reserved, u)
    const service = [
      { Name: 'ClusterName', Value: t.clusterName },
      { Name: 'ServiceName', Value: t.serviceName as string }
    ]
    const cluster = [{ Name: 'ClusterName', Value: t.clusterName }]
    for (const dims of [service, cluster]) {
      if (v.cpu !== undefined) put('AWS/ECS', 'CPUUtilization', dims, v.cpu, 'Percent')
      if (v.memory !== undefined) put('AWS/ECS', 'MemoryUtilization', dims, v.memory, 'Percent')
    }
    const key = `${r.region}/${t.clusterName}/${t.serviceName}`
    let s = perService.get(key)
    if (!s)
      perService.set(
        key,
        (s = {
          cluster: t.clusterName,
          service: t.serviceName as string,
          insights: insightsOn(r.clusters.get(t.clusterName)),
          cpu: [],
          mem: [],
          cpuR: [],
          memR: [],
          n: 0
        })
      )
    s.n++
    if (v.cpuUnits !== undefined) s.cpu.push(v.cpuUnits)
    if (v.memoryMiB !== undefined) s.mem.push(v.memoryMiB)
    if (reserved.cpu !== undefined) s.cpuR.push(reserved.cpu)
    if (reserved.memory !== undefined) s.memR.push(reserved.memory)
  }
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  for (const s of perService.values()) {
    if (!s.insights) continue
    const dims = [
      { Name: 'ClusterName', Value: s.cluster },
      { Name: 'ServiceName', Value: s.service }
    ]
    const ns = 'ECS/ContainerInsights'
    if (s.cpu.length) put(ns, 'CpuUtilized', dims, total(s.cpu), 'None')
    if (s.cpuR.length) put(ns, 'CpuReserved', dims, total(s.cpuR), 'None')
    if (s.mem.length) put(ns, 'MemoryUtilized', dims, total(s.mem), 'Megabytes')
    if (s.memR.length) put(ns, 'MemoryReserved', dims, total(s.memR), 'Megabytes')
    put(ns, 'RunningTaskCount', dims, s.n, 'Count')
  }
}

/**
 * A container's CPU and memory as `docker stats` reads them: the engine API's
 * `GET /containers/<id>/stats?stream=false` (two samples about a second apart: cpu_stats and precpu_stats),
 * CPU % = CPU delta / system delta × online CPUs × 100, memory = usage less the inactive page cache
 * (cgroup v2 `inactive_file`, v1 `total_inactive_file`), as the docker CLI computes them.
 * https://docs.docker.com/reference/api/engine/version/v1.47/#tag/Container/operation/ContainerStats
 */
import { request } from 'node:http'

export interface EngineStats {
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] }
    system_cpu_usage?: number
    online_cpus?: number
  }
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number }
  memory_stats?: { usage?: number; stats?: Record<string, number> }
}

/** Percent of one CPU (100 = one core busy) and memory in bytes; undefined where the stats lack them. */
export function usageFromStats(s: EngineStats): { cpuPercent?: number; memoryBytes?: number } {
  const cpu = s.cpu_stats
  const pre = s.precpu_stats
  let cpuPercent: number | undefined
  if (
    cpu?.cpu_usage?.total_usage !== undefined &&
    cpu.system_cpu_usage !== undefined &&
    pre?.system_cpu_usage
  ) {
    const cpuDelta = cpu.cpu_usage.total_usage - (pre.cpu_usage?.total_usage ?? 0)
    const systemDelta = cpu.system_cpu_usage - pre.system_cpu_usage
    const online = cpu.online_cpus || cpu.cpu_usage.percpu_usage?.length || 1
    cpuPercent = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0
  }
  const mem = s.memory_stats
  let memoryBytes: number | undefined
  if (mem?.usage !== undefined) {
    const stats = mem.stats ?? {}
    const cache = stats.total_inactive_file ?? stats.inactive_file
    memoryBytes = cache !== undefined && cache < mem.usage ? mem.usage - cache : mem.usage
  }
  return { cpuPercent, memoryBytes }
}

/** Where the engine listens: DOCKER_HOST (unix:// or tcp://), else the default socket. */
export function engineAddress(
  dockerHost = process.env.DOCKER_HOST
): { socketPath: string } | { host: string; port: number } {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' }
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) }
  const u = new URL(dockerHost.replace(/^tcp:\/\//, 'http://'))
  return { host: u.hostname, port: Number(u.port || 2375) }
}

/** One container's stats from the engine API; undefined when the engine does not answer them. */
export function containerStats(id: string, timeoutMs = 10_000): Promise<EngineStats | undefined> {
  return new Promise(resolve => {
    const req = request(
      {
        ...engineAddress(),
        path: `/containers/${encodeURIComponent(id)}/stats?stream=false`,
        method: 'GET',
        timeout: timeoutMs
      },
      res => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          if (res.statusCode !== 200) return resolve(undefined)
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as EngineStats)
          } catch {
            resolve(undefined)
          }
        })
        res.on('error', () => resolve(undefined))
      }
    )
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
    req.end()
  })
}

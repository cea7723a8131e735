import { execFile } from 'node:child_process'
import { Clock, DELAYS } from '../clock.js'
import type {
  ContainerObservation,
  ContainerSpec,
  LogLine,
  Outcome,
  TaskBackend,
  TaskSpec,
  TaskUsage
} from './types.js'
import { containerStats, usageFromStats } from './docker-stats.js'

interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the docker CLI (DOCKER_HOST from the environment); never rejects, the exit code tells. */
export function docker(args: string[], timeoutMs = 120000): Promise<RunResult> {
  return new Promise(resolve => {
    execFile(
      'docker',
      args,
      { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, env: process.env },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr || (err && !stderr ? err.message : ''))
        })
      }
    )
  })
}

/** Shell-quotes one word for `/bin/sh -c`. */
function shQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'"'"'`)}'`
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map(l => l.trim())
      .find(l => l !== '') ?? ''
  )
}

interface RunningContainer {
  name: string
  id: string
  digest?: string
}

/**
 * Runs each task's containers on the Docker engine: images pulled from the registry, `--network none`,
 * labelled `ecs-sim=<instance>` and `ecs-sim.task=<task id>` so every one can be found and removed.
 */
export class DockerBackend implements TaskBackend {
  readonly kind = 'docker' as const
  private readonly tasks = new Map<string, RunningContainer[]>()
  private readonly digests = new Map<string, string>()
  private readonly captured = new Map<string, LogLine[]>()
  private readonly clock: Clock
  private readonly instance: string
  private readonly registry: string

  constructor(clock: Clock, instance: string, registry: string) {
    this.clock = clock
    this.instance = instance
    this.registry = registry
  }

  /** ECR-style URIs (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>`) are served by the local registry. */
  resolveImage(image: string): string {
    return image.replace(/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//, `${this.registry}/`)
  }

  async pull(spec: TaskSpec): Promise<Outcome> {
    for (const image of new Set(spec.containers.map(c => this.resolveImage(c.image)))) {
      const r = await docker(['pull', '-q', image])
      if (r.code !== 0) {
        const detail = firstLine(r.stderr)
        const notFound = /not found|manifest unknown|name unknown|does not exist/i.test(detail)
        return {
          ok: false,
          reason:
            `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ` +
            `${image}: ${notFound ? `${image}: not found` : detail}`
        }
      }
      const inspect = await docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', image])
      if (inspect.code === 0) {
        const repo = image.replace(/@.*$/, '').replace(/:[^:/]+$/, '')
        const digests = JSON.parse(inspect.stdout.trim() || '[]') as string[]
        const match = digests.find(d => d.startsWith(`${repo}@`)) ?? digests[0]
        if (match) this.digests.set(image, match.slice(match.indexOf('@') + 1))
      }
    }
    return { ok: true }
  }

  private runArgs(spec: TaskSpec, c: ContainerSpec): string[] {
    const image = this.resolveImage(c.image)
    const args = [
      'run',
      '-d',
      '--network',
      'none',
      '--name',
      `ecs-sim-${this.instance}-${spec.taskId.slice(0, 12)}-${c.name}`,
      '--label',
      `ecs-sim=${this.instance}`,
      '--label',
      `ecs-sim.task=${spec.taskId}`,
      '--label',
      `ecs-sim.container=${c.name}`,
      '--label',
      `ecs-sim.family=${spec.family}`,
      // The container's own stopTimeout (ECS's default 30 s), scaled: SIGTERM, then SIGKILL after it.
      '--stop-timeout',
      String(Math.ceil(this.clock.delay((c.stopTimeout ?? DELAYS.stopTimeout / 1000) * 1000) / 1000))
    ]
    for (const e of c.environment) args.push('-e', `${e.name}=${e.value}`)
    if (c.workingDirectory) args.push('-w', c.workingDirectory)
    if (c.user) args.push('-u', c.user)
    const hc = c.healthCheck
    if (hc && hc.command.length > 0 && hc.command[0] !== 'NONE') {
      // The CLI only takes the shell form; CMD's argv is quoted into one shell command.
      const [kind, ...rest] = hc.command
      const cmd =
        kind === 'CMD-SHELL'
          ? rest.join(' ')
          : kind === 'CMD'
            ? rest.map(shQuote).join(' ')
            : hc.command.join(' ')
      const secs = (unscaled: number) => `${Math.max(1, Math.round(this.clock.delay(unscaled * 1000)))}ms`
      args.push(
        '--health-cmd',
        cmd,
        '--health-interval',
        secs(hc.interval),
        // A timeout is a limit, not a wait: it stays unscaled so slow `docker exec` does not fail checks.
        '--health-timeout',
        `${hc.timeout}s`,
        '--health-retries',
        String(hc.retries),
        '--health-start-period',
        secs(hc.startPeriod)
      )
    }
    let command = c.command ?? []
    if (c.entryPoint && c.entryPoint.length > 0) {
      args.push('--entrypoint', c.entryPoint[0])
      command = [...c.entryPoint.slice(1), ...command]
    }
    args.push(image, ...command)
    return args
  }

  async start(spec: TaskSpec): Promise<Outcome> {
    const started: RunningContainer[] = []
    this.tasks.set(spec.taskId, started)
    for (const c of spec.containers) {
      const r = await docker(this.runArgs(spec, c))
      if (r.code !== 0) {
        await this.removeTask(spec.taskId)
        return {
          ok: false,
          reason: `CannotStartContainerError: ${firstLine(r.stderr) || `docker run exited ${r.code}`}`
        }
      }
      started.push({
        name: c.name,
        id: r.stdout.trim(),
        digest: this.digests.get(this.resolveImage(c.image))
      })
    }
    return { ok: true }
  }

  private async inspect(containers: RunningContainer[]): Promise<Map<string, ContainerObservation>> {
    const out = new Map<string, ContainerObservation>()
    if (containers.length === 0) return out
    const r = await docker(['inspect', ...containers.map(c => c.id)])
    // With some ids gone `docker inspect` exits 1 but still prints the others.
    let parsed: {
      Id: string
      State: {
        Running: boolean
        Status: string
        ExitCode: number
        Error?: string
        OOMKilled?: boolean
        Health?: { Status: string }
      }
    }[]
    try {
      parsed = JSON.parse(r.stdout || '[]')
    } catch {
      parsed = []
    }
    for (const c of containers) {
      const info = parsed.find(p => p.Id === c.id)
      if (!info) {
        out.set(c.id, {
          name: c.name,
          running: false,
          reason: 'Container removed',
          health: 'UNKNOWN',
          runtimeId: c.id
        })
        continue
      }
      const s = info.State
      const running = s.Running || s.Status === 'created' || s.Status === 'restarting'
      const health =
        s.Health?.Status === 'healthy'
          ? 'HEALTHY'
          : s.Health?.Status === 'unhealthy'
            ? 'UNHEALTHY'
            : 'UNKNOWN'
      out.set(c.id, {
        name: c.name,
        running,
        exitCode: running ? undefined : s.ExitCode,
        reason: s.OOMKilled ? 'OutOfMemoryError: Container killed due to memory usage' : s.Error || undefined,
        health,
        runtimeId: c.id,
        imageDigest: c.digest
      })
    }
    return out
  }

  async observe(taskIds: string[]): Promise<Map<string, ContainerObservation[]>> {
    const wanted = taskIds.flatMap(id => this.tasks.get(id) ?? [])
    const seen = await this.inspect(wanted)
    const out = new Map<string, ContainerObservation[]>()
    for (const id of taskIds) {
      const containers = this.tasks.get(id)
      if (containers)
        out.set(
          id,
          containers.map(c => seen.get(c.id)).filter(o => o !== undefined)
        )
    }
    return out
  }

  private async logsOf(id: string): Promise<LogLine[]> {
    const r = await docker(['logs', '--timestamps', id])
    const lines: LogLine[] = []
    for (const text of [r.stdout, r.stderr]) {
      for (const line of text.split('\n')) {
        // [\s\S]: a line may carry a lone \r (progress output); CloudWatch keeps it in the message.
        const m = /^(\d{4}-\d\d-\d\dT\S+Z) ?([\s\S]*)$/.exec(line)
        if (m) lines.push({ timestamp: Date.parse(m[1]), message: m[2] })
      }
    }
    return lines.sort((a, b) => a.timestamp - b.timestamp)
  }

  async stop(taskId: string): Promise<ContainerObservation[]> {
    const containers = this.tasks.get(taskId) ?? []
    if (containers.length > 0) {
      // Without -t each container waits its own --stop-timeout (set from its stopTimeout at run).
      await docker(['stop', ...containers.map(c => c.id)], 300_000)
      for (const c of containers) this.captured.set(`${taskId}/${c.name}`, await this.logsOf(c.id))
    }
    const last = await this.inspect(containers)
    await this.removeTask(taskId)
    return containers.map(c => last.get(c.id)).filter(o => o !== undefined)
  }

  private async removeTask(taskId: string): Promise<void> {
    const r = await docker([
      'ps',
      '-aq',
      '--filter',
      `label=ecs-sim.task=${taskId}`,
      '--filter',
      `label=ecs-sim=${this.instance}`
    ])
    const ids = r.stdout.split('\n').filter(Boolean)
    if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids])
    this.tasks.delete(taskId)
  }

  async readLogs(taskId: string, container: string): Promise<LogLine[] | undefined> {
    const captured = this.captured.get(`${taskId}/${container}`)
    if (captured) return captured
    const c = this.tasks.get(taskId)?.find(x => x.name === container)
    return c ? this.logsOf(c.id) : undefined
  }

  /** Each task's CPU (units: 1024 a core) and memory (MiB), summed over its containers, as `docker stats` reads them. */
  async usage(taskIds: string[]): Promise<Map<string, TaskUsage>> {
    const out = new Map<string, TaskUsage>()
    await Promise.all(
      taskIds.map(async id => {
        const containers = this.tasks.get(id)
        if (!containers) return
        const seen = (await Promise.all(containers.map(c => containerStats(c.id)))).map(s =>
          s ? usageFromStats(s) : {}
        )
        if (seen.every(u => u.cpuPercent === undefined && u.memoryBytes === undefined)) return
        out.set(id, {
          cpuUnits: seen.reduce((a, u) => a + ((u.cpuPercent ?? 0) / 100) * 1024, 0),
          memoryMiB: seen.reduce((a, u) => a + (u.memoryBytes ?? 0) / (1024 * 1024), 0)
        })
      })
    )
    return out
  }

  async shutdown(): Promise<void> {
    const r = await docker(['ps', '-aq', '--filter', `label=ecs-sim=${this.instance}`])
    const ids = r.stdout.split('\n').filter(Boolean)
    if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids])
    this.tasks.clear()
  }

  reset(): void {
    this.tasks.clear()
    this.captured.clear()
  }
}

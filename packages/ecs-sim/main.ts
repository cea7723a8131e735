/**
 * The local ECS/ECR: `npm run sim -- --port <p> [--tasks docker|scripted] [--registry <host:port>] [--time-scale <f>]
 * [--fault-seed <n>]`.
 * Prints exactly one line `ready http://127.0.0.1:<port>` on stdout once listening; SIGTERM/SIGINT stop it
 * and remove every container it started.
 */
import { AddressInfo } from 'node:net'
import { Clock } from './clock.js'
import { SimContext } from './context.js'
import { Ecr } from './ecr/index.js'
import { Scheduler } from './ecs/scheduler.js'
import { createSimServer } from './server.js'
import { DockerBackend } from './tasks/docker.js'
import { ScriptedBackend } from './tasks/scripted.js'
import { isSeed, MAX_SEED } from './random.js'
import { hex } from './util.js'

interface Options {
  port: number
  tasks: 'docker' | 'scripted'
  registry: string
  timeScale: number
  faultSeed?: number
}

const USAGE =
  'usage: sim --port <p> [--tasks docker|scripted] [--registry <host:port>] [--time-scale <f>] [--fault-seed <n>]\n' +
  '  --port 0 picks a free port; --time-scale multiplies every delay (0.05 = 20x faster)\n' +
  '  --fault-seed seeds faults set without a seed (POST /_sim/faults), so their sequence repeats\n'

export function parseArgs(argv: string[]): Options {
  const opts: Options = {
    port: NaN,
    tasks: 'docker',
    registry: process.env.ECS_DEPLOY_REGISTRY || '127.0.0.1:5001',
    timeScale: 1
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2)
    const value = () => {
      const v = inline ?? argv[++i]
      if (v === undefined) throw new Error(`${flag} needs a value`)
      return v
    }
    switch (flag) {
      case '--port':
        opts.port = Number(value())
        break
      case '--tasks': {
        const v = value()
        if (v !== 'docker' && v !== 'scripted')
          throw new Error(`--tasks must be docker or scripted, got ${v}`)
        opts.tasks = v
        break
      }
      case '--registry':
        opts.registry = value()
          .replace(/^https?:\/\//, '')
          .replace(/\/+$/, '')
        break
      case '--time-scale':
        opts.timeScale = Number(value())
        break
      case '--fault-seed': {
        const v = value()
        const seed = /^\d+$/.test(v) ? Number(v) : NaN
        if (!isSeed(seed)) throw new Error(`--fault-seed must be an integer from 0 to ${MAX_SEED}, got ${v}`)
        opts.faultSeed = seed
        break
      }
      case '--help':
      case '-h':
        process.stdout.write(USAGE)
        process.exit(0)
        break
      default:
        throw new Error(`unknown argument ${argv[i]}`)
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535)
    throw new Error('--port <0-65535> is required')
  if (!Number.isFinite(opts.timeScale) || opts.timeScale <= 0)
    throw new Error('--time-scale must be a positive number')
  return opts
}

async function main(): Promise<void> {
  let opts: Options
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    process.stderr.write(`sim: ${(err as Error).message}\n${USAGE}`)
    process.exit(2)
  }
  const clock = new Clock(opts.timeScale)
  const instance = hex(4)
  const scripted = opts.tasks === 'scripted' ? new ScriptedBackend(clock) : undefined
  const backend = scripted ?? new DockerBackend(clock, instance, opts.registry)
  const ctx = new SimContext({
    clock,
    backend,
    scripted,
    registry: opts.registry,
    instance,
    faultSeed: opts.faultSeed
  })
  const ecr = new Ecr(opts.registry)
  const scheduler = new Scheduler(ctx)
  const server = createSimServer(ctx, ecr, scheduler)

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    process.stderr.write(`sim: ${signal}: stopping\n`)
    server.close()
    server.closeAllConnections()
    await scheduler.quiesce()
    await backend.shutdown()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  // Started by a test or script that holds our stdin (sim/testing.ts): if that process dies without
  // stopping us, stdin closes and we stop too, so no simulator or container outlives its owner.
  if (process.env.ECS_SIM_EXIT_WITH_STDIN === '1') {
    process.stdin.on('end', () => void shutdown('stdin closed'))
    process.stdin.on('error', () => void shutdown('stdin closed'))
    process.stdin.resume()
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))

  server.on('error', err => {
    process.stderr.write(`sim: ${err.message}\n`)
    process.exit(1)
  })
  server.listen(opts.port, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo
    scheduler.start()
    process.stderr.write(
      `sim: instance ${instance}, tasks ${opts.tasks}, registry ${opts.registry}, time scale ${opts.timeScale}, ` +
        `fault seed ${opts.faultSeed ?? 'random'}\n`
    )
    process.stdout.write(`ready http://127.0.0.1:${port}\n`)
  })
}

void main()

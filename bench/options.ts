/** `npm run bench` options: flags and environment variables, checked and typed. */
import { parseArgs } from 'node:util'

export const USAGE = `usage: npm run bench -- [options]
  --runs <n>            deploys per latency scenario (success, failure, overhead); env BENCH_RUNS; default 20
  --success-runs <n>    override --runs for the success scenario
  --failure-runs <n>    override --runs for the failure scenario
  --overhead-runs <n>   override --runs for the zero-delay scenario
  --cold-runs <n>       node starts per cold-start measurement; env BENCH_COLD_RUNS; default 30
  --time-scale <f>      simulator time scale for the latency and call-rate scenarios; env BENCH_TIME_SCALE; default 0.2
  --zero-scale <f>      simulator time scale for "zero ECS delays" (must be > 0); default 0.001
  --long-seconds <s>    wall time of the long waits used for calls per minute; env BENCH_LONG_SECONDS; default 65
  --strategy-runs <n>   deploys per lane of the native-strategy scenario (8 lanes at once); env BENCH_STRATEGY_RUNS; default 10
  --strategy-scale <f>  simulator time scale for the native-strategy scenario; default 0.05
  --bake-seconds <s>    wall time of the 10-minute bake whose ECS calls per minute are counted (600: real time); env BENCH_BAKE_SECONDS; default 120
  --only <list>         comma-separated subset of: cold,bundle,overhead,success,failure,calls,strategies,bake
  --serial              run the call-rate scenarios on their own instead of alongside the failure and strategy scenarios
  --no-readme           do not update bench/README.md
  --json <file>         also write the raw measurements as JSON
`

export const SCENARIOS = [
  'cold',
  'bundle',
  'overhead',
  'success',
  'failure',
  'calls',
  'strategies',
  'bake'
] as const
export type Scenario = (typeof SCENARIOS)[number]

export interface Options {
  successRuns: number
  failureRuns: number
  overheadRuns: number
  coldRuns: number
  timeScale: number
  zeroScale: number
  longMs: number
  strategyRuns: number
  strategyScale: number
  bakeMs: number
  only: Set<Scenario>
  serial: boolean
  readme: boolean
  json?: string
}

export function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      'success-runs': { type: 'string' },
      'failure-runs': { type: 'string' },
      'overhead-runs': { type: 'string' },
      'cold-runs': { type: 'string' },
      'time-scale': { type: 'string' },
      'zero-scale': { type: 'string' },
      'long-seconds': { type: 'string' },
      'strategy-runs': { type: 'string' },
      'strategy-scale': { type: 'string' },
      'bake-seconds': { type: 'string' },
      only: { type: 'string' },
      serial: { type: 'boolean', default: false },
      'no-readme': { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }
    }
  })
  if (values.help) {
    process.stdout.write(USAGE)
    process.exit(0)
  }
  const num = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined || text === '') return fallback
    const n = Number(text)
    if (!Number.isFinite(n) || n < min) throw new Error(`${name}: "${text}" is not a number ≥ ${min}`)
    return n
  }
  const int = (name: string, text: string | undefined, fallback: number): number =>
    Math.round(num(name, text, fallback, 1))
  const runs = int('--runs', values.runs ?? process.env.BENCH_RUNS, 20)
  const only = new Set<Scenario>()
  for (const s of (values.only ?? process.env.BENCH_ONLY ?? SCENARIOS.join(',')).split(',')) {
    const name = s.trim()
    if (!name) continue
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`--only: unknown scenario "${name}" (one of ${SCENARIOS.join(', ')})`)
    only.add(name as Scenario)
  }
  const timeScale = num('--time-scale', values['time-scale'] ?? process.env.BENCH_TIME_SCALE, 0.2, 0)
  const zeroScale = num('--zero-scale', values['zero-scale'], 0.001, 0)
  const strategyScale = num('--strategy-scale', values['strategy-scale'], 0.05, 0)
  if (timeScale <= 0 || zeroScale <= 0 || strategyScale <= 0)
    throw new Error('time scales must be greater than 0')
  return {
    successRuns: int('--success-runs', values['success-runs'], runs),
    failureRuns: int('--failure-runs', values['failure-runs'], runs),
    overheadRuns: int('--overhead-runs', values['overhead-runs'], runs),
    coldRuns: int('--cold-runs', values['cold-runs'] ?? process.env.BENCH_COLD_RUNS, 30),
    timeScale,
    zeroScale,
    longMs: num('--long-seconds', values['long-seconds'] ?? process.env.BENCH_LONG_SECONDS, 65, 1) * 1000,
    strategyRuns: int('--strategy-runs', values['strategy-runs'] ?? process.env.BENCH_STRATEGY_RUNS, 10),
    strategyScale,
    bakeMs: num('--bake-seconds', values['bake-seconds'] ?? process.env.BENCH_BAKE_SECONDS, 120, 1) * 1000,
    only,
    serial: values.serial,
    readme: !values['no-readme'],
    json: values.json
  }
}

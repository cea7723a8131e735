/**
 * Benchmarks of the bundled action (dist/index.js) against the local ECS with the scripted task backend,
 * so the timings are the action's own: `npm run bench [-- --runs 20 --time-scale 0.2 ...]`.
 * Prints a markdown table and writes it into bench/README.md between the results markers.
 * Benchmarks measure; they never fail CI: the exit code is 0 whatever the numbers, and 1 only when a
 * scenario could not be measured at all.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { readOptions, type Scenario } from './options.js'
import { load, machine, table, writeReadme } from './readme.js'
import { bundleScenario } from './scenarios/bundle.js'
import { callsScenario } from './scenarios/calls.js'
import { coldScenario } from './scenarios/cold.js'
import { failureScenario } from './scenarios/failure.js'
import { overheadScenario } from './scenarios/overhead.js'
import { successScenario } from './scenarios/success.js'
import { bakeScenario } from './scenarios/bake.js'
import { strategiesScenario } from './scenarios/strategies.js'
import { progress, started, type ScenarioResult } from './stats.js'

// The AWS SDK's "Node < 22" notice (once, from this process's own clients) is not a benchmark result.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'

async function main(): Promise<void> {
  const opts = readOptions()
  const host = machine()
  const date = new Date().toISOString()
  const loadAtStart = os.loadavg()
  const results = new Map<Scenario, ScenarioResult>()
  const broken: string[] = []
  const attempt = async (
    name: Scenario,
    fn: () => ScenarioResult | Promise<ScenarioResult>
  ): Promise<void> => {
    if (!opts.only.has(name)) return
    progress(`${name}…`)
    try {
      results.set(name, await fn())
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      broken.push(`${name}: ${message}`)
      progress(`${name} could not be measured: ${message}`)
    }
  }

  // Quiet-machine measurements first, then the simulated deploys.
  await attempt('bundle', bundleScenario)
  await attempt('cold', () => coldScenario(opts))
  await attempt('overhead', () => overheadScenario(opts))
  await attempt('success', () => successScenario(opts))
  const concurrent = !opts.serial && opts.only.has('calls') && opts.only.has('failure')
  if (!concurrent) {
    await attempt('failure', () => failureScenario(opts))
    await attempt('calls', () => callsScenario(opts))
  } else {
    // The long waits are mostly idle (one DescribeServices every 2 s): they run alongside the failure runs.
    await Promise.all([
      attempt('calls', () => callsScenario(opts)),
      attempt('failure', () => failureScenario(opts))
    ])
  }

  // The native strategies: the 10-minute bake's call count is mostly idle waiting, beside the detection lanes.
  if (opts.serial || !opts.only.has('bake') || !opts.only.has('strategies')) {
    await attempt('strategies', () => strategiesScenario(opts))
    await attempt('bake', () => bakeScenario(opts))
  } else {
    await Promise.all([
      attempt('bake', () => bakeScenario(opts)),
      attempt('strategies', () => strategiesScenario(opts))
    ])
  }

  const order: Scenario[] = [
    'success',
    'failure',
    'calls',
    'strategies',
    'bake',
    'overhead',
    'cold',
    'bundle'
  ]
  const rows = order.flatMap(s => results.get(s)?.rows ?? [])
  for (const b of broken)
    rows.push({ metric: `${b.split(':')[0]} (not measured)`, value: 'error, see below' })
  const missed = rows.filter(r => r.pass === false)
  const durationS = Math.round((Date.now() - started) / 1000)
  const runs = [
    opts.only.has('success') ? `success ${opts.successRuns}` : '',
    opts.only.has('failure') ? `failure ${opts.failureRuns}` : '',
    opts.only.has('overhead') ? `zero-delay ${opts.overheadRuns}` : '',
    opts.only.has('cold') ? `cold start ${opts.coldRuns} (+3 warm-up)` : '',
    opts.only.has('calls') ? `calls 2 long waits of ≥ ${opts.longMs / 1000} s` : '',
    opts.only.has('strategies')
      ? `strategies ${opts.strategyRuns} per lane (time scale ${opts.strategyScale})`
      : '',
    opts.only.has('bake') ? `bake 1 + 1 deploys, a 10-minute bake in ${opts.bakeMs / 1000} s` : ''
  ].filter(Boolean)

  const md = [
    `Date: ${date}  `,
    `Machine: ${host.cpu}, ${host.cores} cores, ${host.ramGiB} GiB RAM, Node ${host.node}, ${os.platform()} ${os.release()}  `,
    `Load average (1, 5, 15 min): ${load(loadAtStart)} at the start, ${load(os.loadavg())} at the end  `,
    `Simulator: scripted tasks, time scale ${opts.timeScale} (zero-delay scenario: ${opts.zeroScale}); N: ${runs.join(', ')}  `,
    `Command: \`npm run bench\`${process.argv.length > 2 ? ` (arguments: \`${process.argv.slice(2).join(' ')}\`)` : ''}; took ${durationS} s${concurrent ? ', the call-rate waits alongside the failure runs' : ''}`,
    '',
    table(rows),
    '',
    missed.length
      ? `Missed: ${missed.map(r => `${r.metric} (${r.value}, target ${r.target})`).join('; ')}.`
      : 'Every target met.',
    '',
    ...order.flatMap(s => results.get(s)?.details ?? []).map(d => `- ${d}`),
    ...broken.map(b => `- Not measured: ${b.replace(/\n/g, ' ')}`)
  ].join('\n')

  process.stdout.write(`\n${md}\n`)
  if (opts.readme) progress(`wrote ${path.relative(process.cwd(), await writeReadme(md))}`)
  if (opts.json) {
    const raw = Object.fromEntries([...results].map(([k, v]) => [k, v.raw]))
    fs.writeFileSync(
      opts.json,
      JSON.stringify(
        { date, machine: host, options: { ...opts, only: [...opts.only] }, raw, broken },
        null,
        2
      )
    )
  }
  if (missed.length)
    process.stdout.write(`\n${missed.length} target(s) missed (benchmarks do not fail the build).\n`)
  // Missing a target is a result; a scenario that could not run at all is not.
  process.exitCode = broken.length ? 1 : 0
}

main().catch(error => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exitCode = 1
})

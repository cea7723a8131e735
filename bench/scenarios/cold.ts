import { spawnSync } from 'node:child_process'
import os from 'node:os'
import { distEntry } from '../../scripts/run-action.js'
import type { Options } from '../options.js'
import { median, ms, progress, spread, type ScenarioResult } from '../stats.js'

/** `node dist/index.js` with no inputs (exits 1 with an ::error at once) against bare `node -e ""`. */
export function coldScenario(opts: Options): ScenarioResult {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir() }
  const cwd = os.tmpdir()
  const time = (args: string[]): { ms: number; status: number | null; out: string } => {
    const t0 = process.hrtime.bigint()
    const r = spawnSync(process.execPath, args, { env, cwd, encoding: 'utf8' })
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e6
    return { ms: elapsed, status: r.status, out: `${r.stdout}${r.stderr}` }
  }
  const first = time([distEntry])
  if (first.status !== 1 || !first.out.includes('::error'))
    throw new Error(
      `node dist/index.js without inputs should exit 1 with an ::error, got ${first.status}:\n${first.out}`
    )
  for (let i = 0; i < 3; i++) {
    time(['-e', ''])
    time([distEntry])
  }
  const bare: number[] = []
  const action: number[] = []
  // Interleaved, so drift in the machine's load hits both alike.
  for (let i = 0; i < opts.coldRuns; i++) {
    bare.push(time(['-e', '']).ms)
    action.push(time([distEntry]).ms)
  }
  const diff = median(action) - median(bare)
  progress(`cold start: dist ${ms(median(action))}, bare node ${ms(median(bare))}`)
  return {
    rows: [
      {
        metric: 'Cold start `node dist/index.js` (no inputs → ::error, exit 1), median',
        value: ms(median(action))
      },
      { metric: 'Bare `node -e ""`, median', value: ms(median(bare)) },
      { metric: 'Cold start over bare node', value: ms(diff), target: '≤ 60 ms', pass: diff <= 60 }
    ],
    details: [`Cold start, dist/index.js: ${spread(action)}.`, `Bare node: ${spread(bare)}.`],
    raw: { distMs: action, bareMs: bare, overMs: diff }
  }
}

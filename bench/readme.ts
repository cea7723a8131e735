/** The machine the numbers came from, the results table, and writing it into bench/README.md. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { repoRoot } from '../scripts/run-action.js'
import type { Row } from './stats.js'

export function machine(): { cpu: string; cores: number; ramGiB: number; node: string } {
  let cpu = os.cpus()[0]?.model ?? 'unknown'
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))
    if (m) cpu = m[1].trim()
  } catch {
    // Not Linux: os.cpus() it is.
  }
  return {
    cpu,
    cores: os.cpus().length,
    ramGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version
  }
}

export function load(avg: number[]): string {
  return avg.map(n => n.toFixed(2)).join(', ')
}

export function table(rows: Row[]): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|')
  const lines = ['| Metric | Value | Target | Pass |', '| --- | --- | --- | --- |']
  for (const r of rows)
    lines.push(
      `| ${cell(r.metric)} | ${cell(r.value)} | ${cell(r.target ?? '—')} | ${r.pass === undefined ? '—' : r.pass ? '✅ pass' : '❌ miss'} |`
    )
  return lines.join('\n')
}

export const START = '<!-- results:start -->'
export const END = '<!-- results:end -->'

export async function writeReadme(results: string): Promise<string> {
  const file = path.join(repoRoot, 'bench', 'README.md')
  const current = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmarks\n\nRun `npm run bench`.\n'
  const block = `${START}\n\n${results}\n\n${END}`
  const s = current.indexOf(START)
  const e = current.indexOf(END)
  const next =
    s >= 0 && e > s
      ? current.slice(0, s) + block + current.slice(e + END.length)
      : `${current.trimEnd()}\n\n${block}\n`
  // The same formatting `npm run format:check` expects.
  const prettier = await import('prettier')
  const config = (await prettier.resolveConfig(file)) ?? {}
  fs.writeFileSync(file, await prettier.format(next, { ...config, filepath: file }))
  return file
}

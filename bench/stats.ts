/** Statistics and formatting shared by the scenarios, and the progress line on stderr. */

/** Linear interpolation between closest ranks (numpy's default); NaN for no samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo)
}

export const median = (samples: number[]): number => percentile(samples, 50)

export function ms(n: number): string {
  if (!Number.isFinite(n)) return 'n/a'
  return n >= 10 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`
}

export function bytes(n: number): string {
  if (n >= 1024 * 1024) return `${n.toLocaleString('en-US')} B (${(n / 1024 / 1024).toFixed(2)} MiB)`
  return `${n.toLocaleString('en-US')} B (${(n / 1024).toFixed(1)} KiB)`
}

export function spread(samples: number[]): string {
  if (samples.length === 0) return 'no samples'
  return `min ${ms(Math.min(...samples))}, median ${ms(median(samples))}, p95 ${ms(percentile(samples, 95))}, max ${ms(Math.max(...samples))} (n = ${samples.length})`
}

export interface Row {
  metric: string
  value: string
  target?: string
  pass?: boolean
}

export interface ScenarioResult {
  rows: Row[]
  details: string[]
  raw: Record<string, unknown>
}

export const started = Date.now()
export function progress(message: string): void {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${message}\n`)
}

/**
 * How CloudWatch aggregates datapoints (pure): every PutMetricData datum (a value, values with counts,
 * or a statistic set) is a Sample; a period's statistics combine the samples whose timestamps fall in it.
 * Percentiles (pNN, pNN.NN) need the raw values: a period holding a statistic set has none.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Statistic
 */
export interface Sample {
  /** Epoch ms. */
  t: number
  sum: number
  count: number
  min: number
  max: number
  /** [value, count] pairs when the datum gave values; absent for a statistic set. */
  values?: [number, number][]
}

export type Stat = 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount' | `p${number}`

const BASIC = new Set(['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'])

/** A statistic name CloudWatch accepts here: the five basic ones or a percentile p0–p100 (≤ 2 decimals). */
export function isStat(s: string): s is Stat {
  if (BASIC.has(s)) return true
  const m = /^p(\d{1,3}(?:\.\d{1,2})?)$/.exec(s)
  return m !== null && Number(m[1]) <= 100
}

export function sampleOf(t: number, values: number[], counts?: number[]): Sample {
  const pairs = values.map((v, i): [number, number] => [v, counts?.[i] ?? 1])
  const count = pairs.reduce((a, [, c]) => a + c, 0)
  return {
    t,
    sum: pairs.reduce((a, [v, c]) => a + v * c, 0),
    count,
    min: Math.min(...values),
    max: Math.max(...values),
    values: pairs
  }
}

/** Nearest-rank percentile over weighted values. */
function percentile(pairs: [number, number][], p: number): number {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0])
  const total = sorted.reduce((a, [, c]) => a + c, 0)
  const rank = Math.max(1, Math.ceil((p / 100) * total))
  let seen = 0
  for (const [v, c] of sorted) {
    seen += c
    if (seen >= rank) return v
  }
  return sorted[sorted.length - 1][0]
}

/** The statistic of a set of samples; undefined when there are none (or a percentile lacks raw values). */
export function statistic(samples: Sample[], stat: Stat): number | undefined {
  if (samples.length === 0) return undefined
  const count = samples.reduce((a, s) => a + s.count, 0)
  const sum = samples.reduce((a, s) => a + s.sum, 0)
  switch (stat) {
    case 'Sum':
      return sum
    case 'SampleCount':
      return count
    case 'Average':
      return count === 0 ? undefined : sum / count
    case 'Minimum':
      return Math.min(...samples.map(s => s.min))
    case 'Maximum':
      return Math.max(...samples.map(s => s.max))
    default: {
      if (samples.some(s => !s.values)) return undefined
      return percentile(
        samples.flatMap(s => s.values ?? []),
        Number(stat.slice(1))
      )
    }
  }
}

/**
 * The periods of `periodMs` (aligned to the epoch, as CloudWatch aligns them) that start in [fromMs, toMs)
 * and hold samples, oldest first, each with its samples.
 */
export function buckets(
  samples: Sample[],
  periodMs: number,
  fromMs: number,
  toMs: number
): { start: number; samples: Sample[] }[] {
  const by = new Map<number, Sample[]>()
  for (const s of samples) {
    const start = Math.floor(s.t / periodMs) * periodMs
    if (start < Math.floor(fromMs / periodMs) * periodMs || start >= toMs) continue
    let list = by.get(start)
    if (!list) by.set(start, (list = []))
    list.push(s)
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([start, list]) => ({ start, samples: list }))
}

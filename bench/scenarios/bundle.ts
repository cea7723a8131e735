/** Bundle size, and what dist/index.js is made of per npm package (from its source map). */
import fs from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { decodedMappings, TraceMap, type EncodedSourceMap } from '@jridgewell/trace-mapping'
import { distEntry } from '../../scripts/run-action.js'
import { bytes, type ScenarioResult } from '../stats.js'

export function packageOf(source: string): string {
  const nm = source.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const parts = source.slice(nm + 'node_modules/'.length).split('/')
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
  }
  if (source.includes('webpack')) return '(webpack runtime)'
  return 'ecs-deploy (src)'
}

/**
 * Characters of dist/index.js per npm package: each mapped span of the generated code (from one
 * segment's column to the next one's, decoded by @jridgewell/trace-mapping) counts for the package of
 * its source; what no segment covers is "(unmapped)".
 */
export function bundleComposition(code: string, map: EncodedSourceMap): Map<string, number> {
  const byPackage = new Map<string, number>()
  const add = (pkg: string, n: number): void => {
    if (n > 0) byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n)
  }
  const traced = new TraceMap(map)
  const segments = decodedMappings(traced)
  code.split('\n').forEach((line, i) => {
    const segs = segments[i] ?? []
    const length = line.length + 1
    if (segs.length === 0) return add('(unmapped)', length)
    add('(unmapped)', segs[0][0])
    segs.forEach((seg, k) => {
      const end = k + 1 < segs.length ? segs[k + 1][0] : length
      const source = seg.length >= 4 ? (traced.sources[seg[1] as number] ?? '') : undefined
      add(source === undefined ? '(unmapped)' : packageOf(source), end - seg[0])
    })
  })
  return byPackage
}

export function bundleScenario(): ScenarioResult {
  const code = fs.readFileSync(distEntry)
  const gzip = gzipSync(code, { level: 9 }).length
  const dist = path.dirname(distEntry)
  const sidecar = path.join(dist, 'sourcemap-register.cjs')
  const details: string[] = []
  const raw: Record<string, unknown> = { bytes: code.length, gzipBytes: gzip }
  if (fs.existsSync(sidecar)) {
    const size = fs.statSync(sidecar).size
    raw.sourcemapRegisterBytes = size
    details.push(
      `dist/index.js also loads dist/sourcemap-register.cjs (${size.toLocaleString('en-US')} B) on every start.`
    )
  }
  const mapFile = `${distEntry}.map`
  if (fs.existsSync(mapFile)) {
    const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as EncodedSourceMap
    const text = code.toString('utf8')
    const parts = [...bundleComposition(text, map)].sort((a, b) => b[1] - a[1])
    const total = text.length
    raw.composition = Object.fromEntries(parts)
    details.push(
      `What dist/index.js is made of (characters per package, from index.js.map): ` +
        parts
          .slice(0, 10)
          .map(([pkg, n]) => `${pkg} ${(n / 1024).toFixed(0)} KiB (${((100 * n) / total).toFixed(0)} %)`)
          .join(', ') +
        (parts.length > 10 ? `, ${parts.length - 10} more` : '') +
        '.'
    )
  }
  return {
    rows: [
      { metric: 'Bundle size, dist/index.js', value: bytes(code.length) },
      { metric: 'Bundle size, gzip -9 (zlib)', value: bytes(gzip) }
    ],
    details,
    raw
  }
}

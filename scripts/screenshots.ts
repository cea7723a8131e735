/**
 * `npm run screenshots`: the job summary of a green and a red run, rendered the way GitHub renders it
 * (GFM by `marked`, Mermaid drawn in the page by mermaid's own browser bundle from node_modules: no
 * network: the phases' gantt, and on the green run the CPU and memory xycharts), opened in headless
 * Chromium and saved as docs/summary-green.png and docs/summary-red.png.
 * The Markdown is the tested one: the same reports as __tests__/report/summary.test.ts's snapshots.
 *
 * Needs Chromium (Debian: `apt-get install -y chromium`; or CHROMIUM=/path/to/chrome). Not part of
 * `npm test` or CI: the PNGs are committed, and this regenerates them.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Marked } from 'marked'
import { renderSummary } from '../src/report/summary.js'
import { CONTEXT, SCENARIOS } from '../__tests__/report/scenarios.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const MERMAID = readFileSync(
  path.join(path.dirname(require.resolve('mermaid/package.json')), 'dist/mermaid.min.js'),
  'utf8'
)
const WIDTH = 1012

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

const marked = new Marked({ gfm: true })
marked.use({
  renderer: {
    code({ text, lang }) {
      return lang === 'mermaid' ? `<pre class="mermaid">${escapeHtml(text)}</pre>\n` : false
    }
  }
})

/** Close to github.com's Markdown styles (system fonts, tables, code, details), without fetching them. */
const CSS = `
body { margin: 0; background: #fff; color: #1f2328; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; }
.box { margin: 16px; border: 1px solid #d1d9e0; border-radius: 6px; padding: 16px 32px 8px; }
.bar { margin: 16px 16px 0; color: #59636e; font-size: 12px; }
h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0b3; padding-bottom: .3em; margin: 16px 0; font-weight: 600; }
h3 { font-size: 1.25em; margin: 24px 0 16px; font-weight: 600; }
h4 { font-size: 1em; margin: 24px 0 16px; font-weight: 600; }
p, table, pre, details { margin: 0 0 16px; }
a { color: #0969da; text-decoration: none; }
code { font: 85% ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, monospace; background: #818b981f; padding: .2em .4em; border-radius: 6px; }
pre { background: #f6f8fa; padding: 16px; border-radius: 6px; overflow: auto; }
pre code { background: none; padding: 0; font-size: 85%; }
pre.mermaid { background: none; text-align: center; }
table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; }
th { font-weight: 600; }
tr:nth-child(2n) { background: #f6f8fa; }
summary { cursor: pointer; }
`

function page(markdown: string, label: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>
<div class="bar">${escapeHtml(label)}</div><div class="box">${marked.parse(markdown) as string}</div>
<script>${MERMAID}</script>
<script>
mermaid.initialize({
  startOnLoad: false,
  theme: 'default',
  gantt: { useWidth: ${WIDTH - 120} },
  xyChart: { width: ${WIDTH - 120}, height: 380 }
})
mermaid.run().finally(() => { document.title = 'height=' + document.documentElement.scrollHeight })
</script></body></html>`
}

function chromium(args: string[]): string {
  const bin = process.env.CHROMIUM ?? 'chromium'
  const result = spawnSync(
    bin,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      '--force-device-scale-factor=1',
      '--virtual-time-budget=15000',
      ...args
    ],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }
  )
  if (result.error)
    throw new Error(`${bin}: ${result.error.message} (install it: apt-get install -y chromium)`)
  if (result.status !== 0)
    throw new Error(`${bin} exited with ${result.status}: ${result.stderr.slice(-2000)}`)
  return result.stdout
}

const SHOTS: Array<[string, string, string]> = [
  ['green', 'docs/summary-green.png', 'Job summary of a green deploy'],
  ['red-crash', 'docs/summary-red.png', 'Job summary of a red deploy (a container that exits 3, rolled back)']
]

const dir = mkdtempSync(path.join(tmpdir(), 'ecs-deploy-screenshots-'))
try {
  for (const [name, out, label] of SHOTS) {
    const html = path.join(dir, `${name}.html`)
    writeFileSync(html, page(renderSummary(SCENARIOS[name], CONTEXT), label))
    const url = `file://${html}`
    // First the page's height (the page writes it into its title once Mermaid has drawn), then the shot.
    const dom = chromium(['--window-size=' + `${WIDTH},1000`, '--dump-dom', url])
    const height = Number(/<title>height=(\d+)<\/title>/.exec(dom)?.[1] ?? 1600)
    chromium([`--window-size=${WIDTH},${height + 16}`, `--screenshot=${path.join(root, out)}`, url])
    console.log(`${out}: ${WIDTH}×${height + 16}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

/**
 * How `npm run demo` (scripts/demo.ts) shows things: colours (off without a TTY or with NO_COLOR), the
 * numbered phases, the action's log in compact form, job summaries, and where a run's whole log is saved.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ServiceDeployment } from '@aws-sdk/client-ecs'
import type { ActionRun } from './run-action.js'
import { repoRoot } from './run-action.js'

/**
 * When dist/ was built: the last commit that touched it (a clone gives every file the clone's time), or
 * the file's time when dist/ has changes git has not seen (a local `npm run bundle`) or there is no git.
 */
export function distBuilt(mtime: Date): string {
  const minute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  const git = (...args: string[]) =>
    spawnSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  const log = git('log', '-1', '--format=%h %cI', '--', 'dist')
  const [sha, date] = log.status === 0 ? log.stdout.trim().split(' ') : []
  const changed = git('status', '--porcelain', '--', 'dist')
  if (!sha || !date || changed.status !== 0 || changed.stdout.trim() !== '')
    return `built ${minute(mtime)}, file time`
  return `built ${minute(new Date(date))}, commit ${sha}`
}

const color = process.stdout.isTTY && !process.env.NO_COLOR
const paint = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s)
export const bold = paint('1')
export const dim = paint('2')
export const red = paint('31')
export const green = paint('32')
export const yellow = paint('33')
export const cyan = paint('36')
export const WIDTH = Math.max(80, Math.min(process.stdout.columns || 120, 160))

/** Once the demo is cancelled, the main flow keeps running until exit but prints nothing more. */
let quiet = false
export function beQuiet(): void {
  quiet = true
}
export function say(line = ''): void {
  if (!quiet) process.stdout.write(`${line}\n`)
}
export function phase(n: number, of: number, title: string): void {
  say()
  say(bold(cyan(`▶ [${n}/${of}] ${title}`)))
}
export const ok = (s: string) => say(`    ${green('✔')} ${s}`)
export const info = (s: string) => say(`    ${s}`)
export const clip = (s: string, width = WIDTH - 8) => (s.length > width ? `${s.slice(0, width - 1)}…` : s)
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`

/** Prints the action's log as it comes: group names, commands, service events, results; no build noise. */
export function compactPrinter(): { write(chunk: string): void; flush(): void } {
  let buffer = ''
  let group = ''
  const bar = dim('│')
  const line = (raw: string) => {
    const text = raw.replace(/\r$/, '')
    if (text.startsWith('::group::')) {
      group = text.slice('::group::'.length)
      say(`    ${bar} ${bold(group)}`)
      return
    }
    if (text.startsWith('::endgroup::')) {
      group = ''
      return
    }
    // Workflow commands (masks, debug, annotations) are the runner's, not the log's; annotations are shown after.
    if (/^::[a-z-]+( [^:]*)?::/.test(text) || !text.trim()) return
    const indent = group ? '    ' : '  '
    if (text.startsWith('[command]')) {
      // The OCI labels (source, revision, created) make the build command long; shown as one `--label …`.
      const command = text.slice('[command]'.length).replace(/( --label \S+)+/, ' --label …')
      say(`    ${bar}${indent}${dim('$ ' + clip(command, WIDTH - 16))}`)
      return
    }
    // Inside the Image group only the commands matter; the build and push progress is noise here.
    if (group === 'Image') return
    const event = /^\d{4}-\d\d-\d\dT(\d\d:\d\d:\d\d)\.\d+Z (.*)$/.exec(text)
    if (event) {
      say(`    ${bar}${indent}${dim(event[1])} ${clip(event[2], WIDTH - 22)}`)
      return
    }
    const styled = text.startsWith('✖')
      ? red(text)
      : /^Rolling back|^Rolled back/.test(text)
        ? yellow(text)
        : /completed: /.test(text)
          ? green(text)
          : text
    say(`    ${bar}${indent}${styled}`)
  }
  return {
    write(chunk: string) {
      buffer += chunk
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const l of lines) line(l)
    },
    flush() {
      if (buffer) line(buffer)
      buffer = ''
    }
  }
}

/** The inputs as the workflow step gives them: `uses: ./ (dist/index.js) with name: value, …`. */
export function usesLine(inputs: Record<string, string>): string {
  const listed = Object.entries(inputs).map(([k, v]) => `${k}: ${v}`)
  return dim(`uses: ./ (dist/index.js) with ${listed.join(', ')}`)
}

/** A run's annotations, as GitHub shows them. */
export function printAnnotations(run: ActionRun): void {
  info(`annotations (what GitHub shows on the run and the pull request):`)
  for (const e of run.errors) {
    info(`  ${red('Error:')} ${bold(e.title ?? '(no title)')}`)
    for (const l of e.message.split('\n')) info(`         ${l}`)
  }
  for (const w of run.warnings) info(`  ${yellow('Warning:')} ${bold(w.title ?? '')} ${w.message}`)
}

/**
 * The parts of a job summary to show: its headline (the first line) and the `### ` sections named in
 * `sections`, in the summary's order (the details blocks left out); all of it without `sections`.
 */
export function summaryParts(markdown: string, sections?: string[]): string[] {
  const lines = markdown.trimEnd().split('\n')
  if (!sections) return lines
  const shown: string[] = [lines[0] ?? '']
  let keep = false
  for (const l of lines.slice(1)) {
    // A section runs to the next heading or a <details> block (which ends the summary's sections).
    if (/^#{1,3} /.test(l)) keep = sections.includes(l.replace(/^#+ /, '').trim())
    else if (l.startsWith('<details>')) keep = false
    if (keep) shown.push(l)
  }
  return shown
}

/** A job summary as the runner stores it, or (with `sections`) its headline and those sections. */
export function printSummary(markdown: string, sections?: string[]): void {
  const rule = '─'.repeat(Math.max(10, Math.min(WIDTH - 8, 100) - 40))
  const which = sections ? `: ${sections.join(', ')}` : ''
  info(dim(`┌─ job summary ($GITHUB_STEP_SUMMARY, markdown${which}) ${rule}`))
  for (const l of summaryParts(markdown, sections)) info(`${dim('│')} ${l}`)
  info(dim(`└${'─'.repeat(Math.min(WIDTH - 8, 100) - 1)}`))
}

/** Saves a run's whole log (build output included) for reading after the demo; returns its path. */
export function saveLog(run: ActionRun, name: string): string {
  const file = path.join(os.tmpdir(), `ecs-deploy-demo-${name}-${Date.now()}.log`)
  const post = run.post ? `\n--- post step (exit code ${run.post.exitCode}) ---\n${run.post.output}` : ''
  const text = (run.output + post)
    .split('\n')
    .filter(l => !l.startsWith('::add-mask::'))
    .join('\n')
  fs.writeFileSync(file, text)
  return file
}

/** A service deployment's end as ECS shows it: status and production traffic on green and blue. */
export function serviceDeploymentLine(d?: ServiceDeployment): string {
  if (!d) return '?'
  const weight = (r?: { requestedProductionTrafficWeight?: number }) =>
    r?.requestedProductionTrafficWeight ?? '?'
  const id = (d.serviceDeploymentArn ?? '?').split('/').pop()
  return `${id} ${d.status ?? '?'}, production traffic ${weight(d.targetServiceRevision)}% green / ${weight(d.sourceServiceRevisions?.[0])}% blue`
}

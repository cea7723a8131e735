/**
 * README helpers the tests share (not a test file): its sections and code blocks, and the shell steps of
 * "Running locally" with the substitutions a test needs to run them next to other runs.
 */

/** The lines of a `## Heading` section (up to the next heading of the same or a higher level). */
export function section(markdown: string, heading: RegExp, level = 2): string {
  const lines = markdown.split('\n')
  let inFence = false
  let start = -1
  const hashes = '#'.repeat(level)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence
    if (inFence) continue
    const m = /^(#{1,6})\s+(.*)$/.exec(line)
    if (!m) continue
    if (start < 0) {
      if (m[1] === hashes && heading.test(m[2])) start = i + 1
    } else if (m[1].length <= level) {
      return lines.slice(start, i).join('\n')
    }
  }
  if (start < 0) throw new Error(`no "${hashes} ${heading.source}" section`)
  return lines.slice(start).join('\n')
}

/** Fenced code blocks (``` or ~~~) with their info string. */
export function codeBlocks(markdown: string): Array<{ lang: string; body: string }> {
  const blocks: Array<{ lang: string; body: string }> = []
  const re = /^(\s*)(```+|~~~+)([^\n]*)\n([\s\S]*?)^\1\2\s*$/gm
  for (const m of markdown.matchAll(re)) blocks.push({ lang: m[3].trim(), body: m[4].replace(/\n$/, '') })
  return blocks
}

/** Without the indentation a block inside a list item has. */
function dedent(body: string): string {
  const lines = body.split('\n')
  const indent = Math.min(...lines.filter(l => l.trim() !== '').map(l => /^\s*/.exec(l)?.[0].length ?? 0))
  return lines.map(l => l.slice(indent)).join('\n')
}

export interface ReadmeStep {
  /** 1: the terminal that runs the simulator (long-running); 2: the one the user types into. */
  terminal: 1 | 2
  body: string
}

/** The `sh` blocks of "## Running locally", in order; the one that starts the simulator is terminal 1. */
export function runningLocallySteps(readme: string): ReadmeStep[] {
  return codeBlocks(section(readme, /^Running locally$/))
    .filter(b => b.lang === 'sh')
    .map(b => dedent(b.body))
    .map(body => ({ terminal: /\bnpm run sim\b/.test(body) ? 1 : 2, body }))
}

export interface StepSubstitutions {
  /** Instead of 4566: a free port, so the run never meets a simulator someone else started. */
  port: number
  /** Instead of `.env` in the repository root: a file of the test's own, so a user's .env is left alone. */
  envFile: string
  /** Appended to `npm run sim …` (e.g. `--time-scale 0.1`: the simulator's ECS delays, shorter). */
  simFlags?: string
}

/** A README step as a test runs it: only the port, the env file and the simulator's flags differ. */
export function substituteStep(body: string, subs: StepSubstitutions): string {
  return body
    .replace(/\b4566\b/g, String(subs.port))
    .replace(/(?<![\w./-])\.env(?![\w.-])/g, subs.envFile)
    .replace(/^(\s*npm run sim -- .*)$/gm, subs.simFlags ? `$1 ${subs.simFlags}` : '$1')
}

// What a local-action run prints (the steps above, and __tests__/integration/local-action.test.ts).

export interface LocalError {
  title?: string
  file?: string
  line?: string
  message: string
}

/**
 * The `::error` lines as local-action's core stub prints them. Unlike @actions/core, the stub does not
 * escape the properties (a title "web: container exited with code 3" stays as it is, colon and all), so
 * the properties end at the first `::` and split only before the names the stub writes.
 */
export function localActionErrors(output: string): LocalError[] {
  const found: LocalError[] = []
  for (const m of output.matchAll(/^::error(?: (.*?))?::(.*)$/gm)) {
    const props: Record<string, string> = {}
    for (const part of (m[1] ?? '').split(/,(?=(?:title|file|line|endLine|col|endColumn)=)/)) {
      const eq = part.indexOf('=')
      if (eq > 0) props[part.slice(0, eq)] = part.slice(eq + 1)
    }
    found.push({ title: props.title, file: props.file, line: props.line, message: m[2] })
  }
  return found
}

/**
 * Stack frames in the output. local-action's own launcher (bin/local-action.js) prints the error object
 * of its child process whenever the action exits non-zero ("Error: Command failed: npm exec tsx …"),
 * frames and all: that one is the tool's, not the action's, and is left out here.
 */
export function actionStackFrames(output: string): string[] {
  const launcher = output.indexOf('Error: Command failed: npm exec tsx')
  const ours = launcher >= 0 ? output.slice(0, launcher) : output
  return ours.split('\n').filter(line => /^\s+at .+[(\s/]/.test(line) || /^\s*\S+\.ts:\d+$/.test(line))
}

/**
 * Runs the bundled action (dist/index.js) the way the GitHub runner does: inputs as INPUT_* variables,
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_STATE files, then the post step with the saved state as
 * STATE_* variables. Used by the integration tests, the demo and the benchmarks.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const distEntry = path.join(repoRoot, 'dist', 'index.js')

export interface ActionRun {
  exitCode: number | null
  /** Everything the main step printed (stdout + stderr, interleaved as they came). */
  output: string
  outputs: Record<string, string>
  summary: string
  state: Record<string, string>
  post?: { exitCode: number | null; output: string }
  /** After the post step: whether the temporary Docker config the main step saved still exists. */
  dockerConfigLeft: boolean
  /** The registry logins the main step wrote to its Docker config (registry → base64 user:password), read before the post step. */
  dockerAuths: Record<string, string>
  /** Annotations parsed from ::error / ::warning commands. */
  errors: Annotation[]
  /** Every command the runner would act on in the main step's output (`runnerCommands`). */
  commands: RunnerCommand[]
  warnings: Annotation[]
  durationMs: number
}

export interface Annotation {
  title?: string
  file?: string
  line?: string
  message: string
}

export interface RunOptions {
  inputs: Record<string, string>
  env?: Record<string, string | undefined>
  cwd?: string
  /** Run the post step afterwards (default true). */
  post?: boolean
  /** Called with the child process right after it starts (e.g. to send SIGTERM). */
  onStart?: (child: import('node:child_process').ChildProcess) => void
  /** Called with each chunk of output (e.g. to wait for a line before cancelling). */
  onOutput?: (chunk: string) => void
  entry?: string
}

/** Parses the runner's file command format: `name=value` or `name<<DELIM\nvalue\nDELIM`. */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value: string[] = []
      i++
      while (i < lines.length && lines[i] !== delimiter) value.push(lines[i++])
      result[name] = value.join('\n')
    } else if (line.includes('=')) {
      const eq = line.indexOf('=')
      result[line.slice(0, eq)] = line.slice(eq + 1)
    }
  }
  return result
}

function unescapeData(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(s: string): string {
  return unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',')
}

export function parseAnnotations(output: string, kind: 'error' | 'warning'): Annotation[] {
  const found: Annotation[] = []
  const re = new RegExp(`^::${kind}(?: ([^:]*))?::(.*)$`, 'gm')
  for (const m of output.matchAll(re)) {
    const props: Record<string, string> = {}
    for (const part of (m[1] ?? '').split(',')) {
      const eq = part.indexOf('=')
      if (eq > 0) props[part.slice(0, eq)] = unescapeProperty(part.slice(eq + 1))
    }
    found.push({ title: props.title, file: props.file, line: props.line, message: unescapeData(m[2]) })
  }
  return found
}

/** A command as the GitHub runner would act on it (see `runnerCommands`). */
export interface RunnerCommand {
  /** The command name, lower-cased (`error`, `add-mask`, `stop-commands`, a resume token…). */
  command: string
  /** `::name props::data` (v2) or `##[name props]data` (v1). */
  form: 'v2' | 'v1'
  /** The data after the command, %-escapes decoded as the runner decodes them. */
  data: string
  /** The whole line, as the runner saw it. */
  line: string
}

/**
 * Reads output the way the runner does (actions/runner OutputManager + ActionCommandManager): lines end
 * at `\n`, `\r\n` or a lone `\r`; leading whitespace is dropped; `::name …::data` at the start of a line
 * or `##[name …]data` anywhere in it is a command; `::stop-commands::TOKEN` stops all processing until a
 * line whose command is `TOKEN`. Unlike the runner it accepts any command name, registered or not, so a
 * test built on it is stricter than the runner. Returns the commands acted on, in order, including the
 * stop and the resume lines.
 */
export function runnerCommands(output: string): RunnerCommand[] {
  const found: RunnerCommand[] = []
  let stopToken: string | undefined
  for (const line of output.split(/\r\n|\r|\n/)) {
    const parsed = parseRunnerLine(line)
    if (!parsed) continue
    if (stopToken !== undefined) {
      if (parsed.command !== stopToken) continue
      stopToken = undefined
    } else if (parsed.command === 'stop-commands') {
      stopToken = parsed.data.toLowerCase()
    }
    found.push(parsed)
  }
  return found
}

function parseRunnerLine(line: string): RunnerCommand | undefined {
  const trimmed = line.replace(/^[\s\u0085]+/, '')
  if (trimmed.startsWith('::')) {
    const end = trimmed.indexOf('::', 2)
    if (end > 2) {
      const info = trimmed.slice(2, end)
      const name = info.split(' ')[0]
      if (name !== '')
        return { command: name.toLowerCase(), form: 'v2', data: unescapeData(trimmed.slice(end + 2)), line }
    }
  }
  const at = line.indexOf('##[')
  if (at >= 0) {
    const close = line.indexOf(']', at)
    if (close > at + 3) {
      const name = line.slice(at + 3, close).split(' ')[0]
      const data = line
        .slice(close + 1)
        .replace(/%3B/g, ';')
        .replace(/%5D/g, ']')
      if (name !== '') return { command: name.toLowerCase(), form: 'v1', data: unescapeData(data), line }
    }
  }
  return undefined
}

function readAuths(configDir: string | undefined): Record<string, string> {
  const auths: Record<string, string> = {}
  if (!configDir) return auths
  try {
    const config = JSON.parse(fs.readFileSync(path.join(configDir, 'config.json'), 'utf8')) as {
      auths?: Record<string, { auth?: string }>
    }
    for (const [registry, entry] of Object.entries(config.auths ?? {}))
      if (entry.auth) auths[registry] = entry.auth
  } catch {
    // No config written (the run did not log in).
  }
  return auths
}

function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  return env
}

function runNode(
  entry: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
  onStart?: RunOptions['onStart'],
  onOutput?: RunOptions['onOutput']
): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const collect = (chunk: Buffer) => {
      const s = chunk.toString()
      output += s
      onOutput?.(s)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', code => resolve({ exitCode: code, output }))
    onStart?.(child)
  })
}

export async function runAction(options: RunOptions): Promise<ActionRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecs-deploy-run-'))
  const files = {
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
    GITHUB_STATE: path.join(dir, 'state')
  }
  for (const f of Object.values(files)) fs.writeFileSync(f, '')
  const runnerTemp = path.join(dir, 'runner-temp')
  fs.mkdirSync(runnerTemp)
  const cwd = options.cwd ?? repoRoot
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOCKER_HOST: process.env.DOCKER_HOST,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: cwd,
    GITHUB_REPOSITORY: 'example/app',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: 'push',
    RUNNER_TEMP: runnerTemp,
    ...files
  }
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete base[k]
    else base[k] = v
  }
  const entry = options.entry ?? distEntry
  const started = Date.now()
  const main = await runNode(
    entry,
    { ...base, ...inputEnv(options.inputs) },
    cwd,
    options.onStart,
    options.onOutput
  )
  const durationMs = Date.now() - started
  const state = parseFileCommands(fs.readFileSync(files.GITHUB_STATE, 'utf8'))
  const result: ActionRun = {
    exitCode: main.exitCode,
    output: main.output,
    outputs: parseFileCommands(fs.readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    summary: fs.readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    state,
    errors: parseAnnotations(main.output, 'error'),
    warnings: parseAnnotations(main.output, 'warning'),
    commands: runnerCommands(main.output),
    durationMs,
    dockerConfigLeft: false,
    dockerAuths: readAuths(state.dockerConfig)
  }
  if (options.post !== false) {
    const stateEnv: Record<string, string> = {}
    for (const [k, v] of Object.entries(state)) stateEnv[`STATE_${k}`] = v
    result.post = await runNode(entry, { ...base, ...inputEnv(options.inputs), ...stateEnv }, cwd)
  }
  result.dockerConfigLeft = Boolean(state.dockerConfig && fs.existsSync(state.dockerConfig))
  fs.rmSync(dir, { recursive: true, force: true })
  return result
}

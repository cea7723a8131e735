/** The one way the action runs commands (docker), behind an interface tests replace with a fake. */
import * as actionsExec from '@actions/exec'

export interface ExecOptions {
  /** Written to the command's standard input (e.g. a password for --password-stdin). */
  input?: string
  /** Extra environment; merged over process.env. */
  env?: Record<string, string>
  cwd?: string
  /**
   * false: @actions/exec echoes the command and its output to the log raw, past the gate for outside
   * text (untrusted.ts). The default is true: output reaches the log only through `onOutput`.
   */
  silent?: boolean
  /** Called with each chunk of output as it arrives (streaming into the log). */
  onOutput?: (chunk: string) => void
}

export interface ExecResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Runs a command and resolves with its exit code and output; never rejects on a non-zero exit. */
export type Exec = (command: string, args: string[], options?: ExecOptions) => Promise<ExecResult>

export const exec: Exec = async (command, args, options = {}) => {
  let stdout = ''
  let stderr = ''
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v
  Object.assign(env, options.env ?? {})
  try {
    const exitCode = await actionsExec.exec(command, args, {
      ignoreReturnCode: true,
      silent: options.silent ?? true,
      cwd: options.cwd,
      env,
      input: options.input === undefined ? undefined : Buffer.from(options.input),
      listeners: {
        stdout: (data: Buffer) => {
          const s = data.toString()
          stdout += s
          options.onOutput?.(s)
        },
        stderr: (data: Buffer) => {
          const s = data.toString()
          stderr += s
          options.onOutput?.(s)
        }
      }
    })
    return { exitCode, stdout, stderr }
  } catch (error) {
    // The command could not be started at all (not on PATH).
    return { exitCode: 127, stdout, stderr: stderr + String(error instanceof Error ? error.message : error) }
  }
}

/** One error type for every failure the action reports: where it happened, a short title, and where to look. */

export type Phase =
  | 'inputs'
  | 'plan'
  | 'login'
  | 'image'
  | 'render'
  | 'register'
  | 'update'
  | 'watch'
  | 'rollback'
  | 'report'
  | 'post'

export interface ErrorLocation {
  /** A file in the repository the annotation points at (e.g. the task definition). */
  file?: string
  line?: number
  column?: number
}

export interface DeployErrorOptions extends ErrorLocation {
  /** What the user can do about it, shown after the message. */
  hint?: string
  cause?: unknown
}

export class DeployError extends Error {
  readonly phase: Phase
  readonly title: string
  readonly file?: string
  readonly line?: number
  readonly column?: number
  readonly hint?: string

  constructor(phase: Phase, title: string, message: string, options: DeployErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DeployError'
    this.phase = phase
    this.title = title
    this.file = options.file
    this.line = options.line
    this.column = options.column
    this.hint = options.hint
  }
}

/** The message of anything thrown, without a stack trace. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error)
  } catch {
    return String(error)
  }
}

/** The AWS error name (e.g. ServiceNotFoundException) of an SDK error, if it has one. */
export function awsErrorName(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'name' in error && typeof error.name === 'string') {
    return error.name
  }
  return undefined
}

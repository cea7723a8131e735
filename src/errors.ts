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

/**
 * Callees say what went wrong; the phase it went wrong in is stamped by main.ts's `phase()` as the error
 * passes through (the first phase to see it wins), so no callee has to know which phase calls it.
 */
export class DeployError extends Error {
  phase?: Phase
  readonly title: string
  readonly file?: string
  readonly line?: number
  readonly column?: number
  readonly hint?: string

  constructor(title: string, message: string, options: DeployErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DeployError'
    this.title = title
    this.file = options.file
    this.line = options.line
    this.column = options.column
    this.hint = options.hint
  }
}

/**
 * Stamps `phase` on what was thrown: a DeployError keeps a phase already stamped (an inner phase saw it
 * first); anything else becomes an "Unexpected error" of that phase.
 */
export function inPhase(error: unknown, phase: Phase): DeployError {
  const deployError =
    error instanceof DeployError
      ? error
      : new DeployError('Unexpected error', errorMessage(error), { cause: error })
  deployError.phase ??= phase
  return deployError
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

/** Error names AWS uses for throttling and server-side trouble: worth another try. */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'ServerException',
  'InternalFailure',
  'InternalServerError',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError'
])

/** Network failures (Node and undici codes). */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT'
])

/** Throttling, 5xx/429 and network trouble (also when wrapped as a cause): worth another try. 4xx are not. */
export function isTransientError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const e = error as {
    code?: unknown
    $retryable?: unknown
    $metadata?: { httpStatusCode?: unknown }
    cause?: unknown
  }
  const name = awsErrorName(error)
  if (name && TRANSIENT_NAMES.has(name)) return true
  if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true
  if (e.$retryable) return true
  const status = e.$metadata?.httpStatusCode
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true
  if (e.cause && e.cause !== error) return isTransientError(e.cause)
  return false
}

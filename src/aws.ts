/** AWS clients: one factory, so region, endpoint, retries and user agent are set in one place. */
import { ECSClient } from '@aws-sdk/client-ecs'
import { ECRClient } from '@aws-sdk/client-ecr'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling'
import * as core from '@actions/core'
import { DeployError, awsErrorName, errorMessage } from './errors.js'
import { boundMessage, inert } from './untrusted.js'
import { addCallScope, adaptiveRetry } from './aws-retry.js'

export interface AwsClients {
  ecs: ECSClient
  ecr: ECRClient
  logs: CloudWatchLogsClient
  /** Metrics and alarms (post-deploy watch, the summary's charts). */
  cloudwatch: CloudWatchClient
  /** Application Auto Scaling (scalable target and target-tracking policies of the service). */
  scaling: ApplicationAutoScalingClient
}

export interface ClientOptions {
  region: string
  /** Overrides AWS_ENDPOINT_URL (which the SDK reads by itself otherwise). */
  endpoint?: string
  maxAttempts?: number
}

export const USER_AGENT: [string, string] = ['ecs-deploy', '1']

export function createClients(options: ClientOptions): AwsClients {
  // The SDK warns once per process, at a client's construction, that a future release needs a newer Node
  // (on Node < 22 today). It is not the user's to act on inside a run: the action's runtime is action.yml's.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  // Each client its own strategy (own retry quota and rate limiter), as the SDK gives by default.
  const config = () => ({
    region: options.region,
    // Adaptive retries: exponential backoff with jitter, plus client-side rate limiting once
    // throttling is seen. RegisterTaskDefinition's tight limit and throttled DescribeServices during
    // the wait are absorbed here instead of turning a healthy deploy red.
    // (src/aws-retry.ts: the SDK's adaptive strategy, whose waits a call's AbortSignal ends.)
    retryStrategy: adaptiveRetry({ maxAttempts: options.maxAttempts ?? 8 }),
    maxAttempts: options.maxAttempts ?? 8,
    customUserAgent: [USER_AGENT],
    ...(options.endpoint ? { endpoint: options.endpoint } : {})
  })
  const clients = {
    ecs: new ECSClient(config()),
    ecr: new ECRClient(config()),
    logs: new CloudWatchLogsClient(config()),
    cloudwatch: new CloudWatchClient(config()),
    scaling: new ApplicationAutoScalingClient(config())
  }
  for (const client of Object.values(clients)) {
    addRequestLog(client.middlewareStack)
    addCallScope(client.middlewareStack)
  }
  return clients
}

/** Request fields safe to print with ACTIONS_STEP_DEBUG: names and ids, never tokens or whole documents. */
const LOGGED_FIELDS = [
  'cluster',
  'clusters',
  'service',
  'services',
  'taskDefinition',
  'family',
  'desiredCount',
  'forceNewDeployment',
  'startedBy',
  'desiredStatus',
  'repositoryName',
  'repositoryNames',
  'imageIds',
  'logGroupName',
  'logStreamName'
]

export function summarizeRequest(input: unknown): string {
  if (!input || typeof input !== 'object') return ''
  const fields = input as Record<string, unknown>
  const parts: string[] = []
  for (const key of LOGGED_FIELDS) {
    if (fields[key] !== undefined) parts.push(`${key}=${JSON.stringify(fields[key])}`)
  }
  if (Array.isArray(fields.tasks)) parts.push(`tasks=${fields.tasks.length}`)
  if (Array.isArray(fields.containerDefinitions))
    parts.push(`containers=${fields.containerDefinitions.length}`)
  return parts.join(' ')
}

interface MiddlewareStackLike {
  add(
    middleware: (
      next: (args: { input: unknown }) => Promise<unknown>,
      context: { commandName?: string }
    ) => (args: { input: unknown }) => Promise<unknown>,
    options: { step: 'initialize'; name: string }
  ): void
}

function addRequestLog(stack: unknown): void {
  ;(stack as MiddlewareStackLike).add(
    (next, context) => async args => {
      if (core.isDebug())
        core.debug(inert(`AWS ${context.commandName ?? 'request'} ${summarizeRequest(args.input)}`))
      return next(args)
    },
    { step: 'initialize', name: 'ecsDeployRequestLog' }
  )
}

/** An IAM action as a policy names it: `ecs:DescribeServices`, `ecr:PutImage`, `logs:GetLogEvents`. */
export type IamAction = `${'ecs' | 'ecr' | 'logs' | 'cloudwatch' | 'application-autoscaling'}:${string}`

export interface AwsFailureOptions {
  /** What the call was about, e.g. `service web` or `shop-web:3`; shown after the operation. */
  subject?: string
  /** What the user can do, when the error is not a missing permission. */
  hint?: string
}

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation'])

/**
 * The one wrapper for an SDK error: titled "DescribeServices failed", saying "DescribeServices: ServiceNotFoundException: …", with a hint
 * naming the permission when AWS refused for want of one. AWS's message is outside text: bounded (and the
 * printers make it inert). A DeployError passes through unchanged.
 */
export function awsFailure(action: IamAction, error: unknown, options: AwsFailureOptions = {}): DeployError {
  if (error instanceof DeployError) return error
  const operation = action.slice(action.indexOf(':') + 1)
  const name = awsErrorName(error)
  const what = name && name !== 'Error' ? `${name}: ${errorMessage(error)}` : errorMessage(error)
  const about = options.subject ? ` (${options.subject})` : ''
  const hint = name && ACCESS_DENIED.has(name) ? `check permission ${action}` : options.hint
  return new DeployError(`${operation} failed`, `${operation}${about}: ${boundMessage(what)}`, {
    hint,
    cause: error
  })
}

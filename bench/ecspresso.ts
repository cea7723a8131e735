/**
 * The alternative a user would pick for a BLUE_GREEN, LINEAR or CANARY service, as the bench compares it:
 * ecspresso-style waiting (`ecspresso deploy --wait-until deployed`, as issue 12 describes kayac/ecspresso
 * v2.8): update the service, find the service deployment that update created, and poll
 * DescribeServiceDeployments every 10 s until its status is terminal. Our own code, with the real ECS SDK
 * client, against the same local ECS as the action.
 *
 * What it calls success is the point of the comparison: a terminal status that is not a failure of the
 * update itself is "deployed", and that includes ROLLBACK_SUCCESSFUL (ECS rolled the update back and the
 * rollback worked), which ecspresso reports as completed. `judgeTerminal` is that rule, as a table.
 */
import {
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
  type ECSClient
} from '@aws-sdk/client-ecs'

export const ECSPRESSO_INTERVAL_MS = 10_000

export const TERMINAL = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'] as const
export type Terminal = (typeof TERMINAL)[number]

export function isTerminal(status: string | undefined): status is Terminal {
  return (TERMINAL as readonly string[]).includes(status ?? '')
}

/** What the ecspresso-style waiter reports for a terminal status: a successful rollback is "deployed". */
export function judgeTerminal(status: Terminal): 'deployed' | 'failed' {
  return status === 'SUCCESSFUL' || status === 'ROLLBACK_SUCCESSFUL' ? 'deployed' : 'failed'
}

export interface PollerRun {
  /** Wall-clock ms (Date.now()): UpdateService about to be sent, answered, the terminal status read. */
  startedAt: number
  updatedAt: number
  verdictAt: number
  status: Terminal
  verdict: 'deployed' | 'failed'
  serviceDeploymentArn: string
  /** ECS calls this waiter made, UpdateService included. */
  calls: number
}

export interface PollerOptions {
  cluster: string
  service: string
  taskDefinition: string
  intervalMs?: number
  timeoutMs?: number
  sleep?: (ms: number) => Promise<void>
}

const realSleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/**
 * UpdateService, then every `intervalMs` (10 s): ListServiceDeployments (created since the update, newest
 * first) until ECS lists ours, then DescribeServiceDeployments of it until a terminal status.
 */
export async function ecspressoDeploy(ecs: ECSClient, options: PollerOptions): Promise<PollerRun> {
  const { cluster, service, taskDefinition } = options
  const intervalMs = options.intervalMs ?? ECSPRESSO_INTERVAL_MS
  const sleep = options.sleep ?? realSleep
  const since = new Date(Date.now() - 1000)
  let calls = 1
  const startedAt = Date.now()
  await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition }))
  const updatedAt = Date.now()
  const deadline = updatedAt + (options.timeoutMs ?? 30 * 60_000)
  let arn: string | undefined
  // The first look at once (as the SDK's waiters make their first attempt), then one every interval.
  for (let look = 0; ; look++) {
    if (look > 0) await sleep(intervalMs)
    if (Date.now() > deadline) throw new Error(`ecspresso-style wait: ${service} timed out`)
    if (!arn) {
      calls++
      const list = await ecs.send(
        new ListServiceDeploymentsCommand({ cluster, service, createdAt: { after: since } })
      )
      arn = list.serviceDeployments?.[0]?.serviceDeploymentArn
      if (!arn) continue
    }
    calls++
    const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
    const status = out.serviceDeployments?.[0]?.status
    if (isTerminal(status)) {
      const verdictAt = Date.now()
      return {
        startedAt,
        updatedAt,
        verdictAt,
        status,
        verdict: judgeTerminal(status),
        serviceDeploymentArn: arn,
        calls
      }
    }
  }
}

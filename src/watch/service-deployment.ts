/**
 * The service-deployments API (BLUE_GREEN, LINEAR, CANARY): find the service deployment our UpdateService
 * created, describe it, continue a lifecycle hook, stop it with a rollback. Each call goes through the
 * caller's `call` (bounded in time, cancellable) and every SDK error through awsFailure.
 *
 * AWS documentation: ListServiceDeployments (no paginator in the SDK: nextToken by hand),
 * DescribeServiceDeployments (at most 20 ARNs), DescribeServiceRevisions (at most 20 ARNs),
 * ContinueServiceDeployment, StopServiceDeployment:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html
 */
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  type ECSClient,
  type ServiceDeployment,
  type ServiceDeploymentBrief
} from '@aws-sdk/client-ecs'
import { arnTail } from '../arn.js'
import { awsFailure } from '../aws.js'
import { isTransientError } from '../errors.js'

/** One bounded call: the loop's `boundedCall` with its limits, or the SDK call itself. */
export type Call = <T>(send: (o: { abortSignal?: AbortSignal }) => Promise<T>, what: string) => Promise<T>

export const direct: Call = async send => send({})

/** DescribeServiceDeployments and DescribeServiceRevisions take at most this many ARNs. */
export const MAX_ARNS_PER_CALL = 20
/** ListServiceDeployments pages: at most this many before giving up on finding ours. */
const MAX_PAGES = 10

/** One call: a transient error stays as it is (the loop retries it); anything else is the call's failure. */
async function attempt<T>(action: `ecs:${string}`, subject: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send()
  } catch (error) {
    throw isTransientError(error) ? error : awsFailure(action, error, { subject })
  }
}

export function chunks<T>(items: readonly T[], size = MAX_ARNS_PER_CALL): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

export interface FindRequest {
  cluster: string
  service: string
  /** When our UpdateService was accepted: older service deployments are not ours. */
  since: Date
  /** The revision we registered: ours is the deployment whose target revision runs it. */
  taskDefinitionArn: string
}

/**
 * Our service deployment: among those created since our update (newest first), the one whose target
 * service revision runs our task definition. undefined while ECS has not listed it yet. Each call made is
 * counted through `onCall`.
 */
export async function findServiceDeployment(
  ecs: ECSClient,
  request: FindRequest,
  call: Call,
  onCall: () => void = () => {}
): Promise<string | undefined> {
  const subject = `service ${request.service}`
  const briefs: ServiceDeploymentBrief[] = []
  let nextToken: string | undefined
  for (let page = 0; page < MAX_PAGES; page++) {
    onCall()
    const out = await attempt('ecs:ListServiceDeployments', subject, () =>
      call(
        o =>
          ecs.send(
            new ListServiceDeploymentsCommand({
              cluster: request.cluster,
              service: request.service,
              createdAt: { after: request.since },
              ...(nextToken ? { nextToken } : {})
            }),
            o
          ),
        'ListServiceDeployments'
      )
    )
    briefs.push(...(out.serviceDeployments ?? []))
    nextToken = out.nextToken
    if (!nextToken) break
  }
  const candidates = newestFirst(briefs.filter(b => b.serviceDeploymentArn && b.targetServiceRevisionArn))
  if (candidates.length === 0) return undefined
  const revisions = new Map<string, string | undefined>()
  for (const arns of chunks([...new Set(candidates.map(c => c.targetServiceRevisionArn as string))])) {
    onCall()
    const out = await attempt('ecs:DescribeServiceRevisions', subject, () =>
      call(
        o => ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: arns }), o),
        'DescribeServiceRevisions'
      )
    )
    for (const r of out.serviceRevisions ?? [])
      if (r.serviceRevisionArn) revisions.set(r.serviceRevisionArn, r.taskDefinition)
  }
  return matchByRevision(candidates, revisions, request.taskDefinitionArn)
}

/** Newest first by createdAt (startedAt when ECS gave no createdAt). */
export function newestFirst(briefs: ServiceDeploymentBrief[]): ServiceDeploymentBrief[] {
  const at = (b: ServiceDeploymentBrief): number => (b.createdAt ?? b.startedAt)?.getTime() ?? 0
  return [...briefs].sort((a, b) => at(b) - at(a))
}

/** Pure: the newest candidate whose target revision runs `taskDefinitionArn`. */
export function matchByRevision(
  candidates: ServiceDeploymentBrief[],
  revisions: ReadonlyMap<string, string | undefined>,
  taskDefinitionArn: string
): string | undefined {
  return candidates.find(c => revisions.get(c.targetServiceRevisionArn ?? '') === taskDefinitionArn)
    ?.serviceDeploymentArn
}

/** The service deployments as ECS describes them now, in ≤ 20-ARN calls. */
export async function describeServiceDeployments(
  ecs: ECSClient,
  arns: readonly string[],
  call: Call,
  onCall: () => void = () => {}
): Promise<ServiceDeployment[]> {
  const found: ServiceDeployment[] = []
  for (const batch of chunks(arns)) {
    onCall()
    const out = await attempt(
      'ecs:DescribeServiceDeployments',
      `service deployment ${arnTail(batch[0])}`,
      () =>
        call(
          o => ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch }), o),
          'DescribeServiceDeployments'
        )
    )
    found.push(...(out.serviceDeployments ?? []))
  }
  return found
}

/** Answers a lifecycle hook that waits for us (a PAUSE hook): CONTINUE or ROLLBACK. */
export async function continueServiceDeployment(
  ecs: ECSClient,
  serviceDeploymentArn: string,
  hookId: string,
  action: 'CONTINUE' | 'ROLLBACK'
): Promise<void> {
  try {
    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn, hookId, action }))
  } catch (error) {
    throw awsFailure('ecs:ContinueServiceDeployment', error, {
      subject: `service deployment ${arnTail(serviceDeploymentArn)}, hook ${hookId}`
    })
  }
}

/** Asks ECS to roll the service deployment back (traffic returns to the source revision). */
export async function stopServiceDeployment(
  ecs: ECSClient,
  serviceDeploymentArn: string,
  stopType: 'ROLLBACK' | 'ABORT' = 'ROLLBACK'
): Promise<void> {
  try {
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType }))
  } catch (error) {
    throw awsFailure('ecs:StopServiceDeployment', error, {
      subject: `service deployment ${arnTail(serviceDeploymentArn)}`
    })
  }
}

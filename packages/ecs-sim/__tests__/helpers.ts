import { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import { ECRClient } from '@aws-sdk/client-ecr'
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  Service,
  Task
} from '@aws-sdk/client-ecs'

const credentials = { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' }

export function clients(url: string, maxAttempts?: number) {
  const common = { endpoint: url, region: 'eu-west-1', credentials, maxAttempts }
  return {
    ecs: new ECSClient(common),
    ecr: new ECRClient(common),
    logs: new CloudWatchLogsClient(common),
    cloudwatch: new CloudWatchClient(common)
  }
}

export async function waitFor<T>(
  what: string,
  get: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 20000
): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: T = await get()
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${describeValue(last)}`)
    await new Promise(r => setTimeout(r, 25))
    last = await get()
  }
  return last
}

export async function service(ecs: ECSClient, cluster: string, name: string): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))
  return out.services![0]
}

export function completedOn(td: string) {
  return (s: Service) =>
    s.deployments!.length === 1 &&
    s.deployments![0].rolloutState === 'COMPLETED' &&
    s.deployments![0].taskDefinition!.endsWith(td)
}

export async function tasksOf(
  ecs: ECSClient,
  cluster: string,
  name: string,
  desiredStatus: 'RUNNING' | 'STOPPED'
): Promise<Task[]> {
  const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: name, desiredStatus }))).taskArns!
  if (arns.length === 0) return []
  return (await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks!
}

/** The error a call fails with, as the SDK raises it; fails the test when the call succeeds. */
export async function errorOf(
  p: Promise<unknown>
): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p
  } catch (err) {
    return err as never
  }
  throw new Error('expected the call to fail')
}

export function messages(s: Service): string[] {
  return s.events!.map(e => e.message!)
}

function describeValue(v: unknown): string {
  const s = v as Service
  if (s && Array.isArray(s.deployments))
    return JSON.stringify({ deployments: s.deployments, events: messages(s).slice(0, 15) }, null, 1)
  return JSON.stringify(v, null, 1).slice(0, 3000)
}

/** Shared by the watch tests: a mocked ECS client, deployments, answers and a fake clock. */
import { mockClient } from 'aws-sdk-client-mock'
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Deployment,
  type DescribeServicesCommandOutput,
  type ServiceEvent,
  type Task
} from '@aws-sdk/client-ecs'
import type { WatchOptions } from '../../src/watch/loop.js'

export const ecsMock = mockClient(ECSClient)
export const ecs = new ECSClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' }
})

export const OURS = 'ecs-svc/1111'
export const OLD = 'ecs-svc/0000'
export const ROLLBACK = 'ecs-svc/2222'
export const TD_NEW = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8'
export const TD_OLD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7'
export const SINCE = new Date('2024-05-01T12:00:00Z')
export const at = (seconds: number): Date => new Date(SINCE.getTime() + seconds * 1000)

export function ours(d: Partial<Deployment> = {}): Deployment {
  return {
    id: OURS,
    status: 'PRIMARY',
    taskDefinition: TD_NEW,
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: 'IN_PROGRESS',
    createdAt: at(0),
    ...d
  }
}

export function old(d: Partial<Deployment> = {}): Deployment {
  return {
    id: OLD,
    status: 'ACTIVE',
    taskDefinition: TD_OLD,
    desiredCount: 2,
    runningCount: 2,
    rolloutState: 'COMPLETED',
    createdAt: at(-3600),
    ...d
  }
}

export function svc(deployments: Deployment[], events: ServiceEvent[] = []): DescribeServicesCommandOutput {
  return {
    $metadata: {},
    services: [{ serviceName: 'web', status: 'ACTIVE', deployments, events }],
    failures: []
  }
}

export function awsError(name: string, message: string, httpStatusCode: number): Error {
  return Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode },
    $fault: httpStatusCode >= 500 ? 'server' : 'client'
  })
}

export function stoppedTask(id: string, stoppedAtSeconds: number): Task {
  return {
    taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${id}`,
    lastStatus: 'STOPPED',
    startedBy: OURS,
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    stoppedAt: at(stoppedAtSeconds),
    containers: [{ name: 'web', exitCode: 3 }]
  }
}

/** A fake clock: sleep advances it, nothing waits. */
export function fakeClock(): {
  now: () => number
  sleep: (ms: number) => Promise<void>
  advance: (ms: number) => void
} {
  let t = SINCE.getTime()
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms
    },
    advance: (ms: number) => {
      t += ms
    }
  }
}

export function options(
  clock: ReturnType<typeof fakeClock>,
  extra: Partial<WatchOptions> = {}
): WatchOptions {
  return {
    ecs,
    cluster: 'prod',
    service: 'web',
    deploymentId: OURS,
    taskDefinitionArn: TD_NEW,
    since: SINCE,
    timeoutMs: 30 * 60_000,
    maxFailedTasks: 0,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    ...extra
  }
}

export const callsOf = (command: unknown): number =>
  ecsMock.commandCalls(command as typeof DescribeServicesCommand).length

/** Every test starts with no stopped tasks to list or describe. */
export function resetEcsMock(): void {
  ecsMock.reset()
  ecsMock.on(ListTasksCommand).resolves({ taskArns: [] })
  ecsMock.on(DescribeTasksCommand).resolves({ tasks: [] })
}

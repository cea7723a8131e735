/** Shared by the diagnose tests: a task definition with logs, stopped tasks and watch outcomes. */
import type { RegisterTaskDefinitionCommandInput, Task } from '@aws-sdk/client-ecs'
import type { Cause } from '../../src/diagnose/causes.js'
import type { WatchOutcome } from '../../src/watch/loop.js'

export const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/'

export const taskDefinition: RegisterTaskDefinitionCommandInput = {
  family: 'web',
  containerDefinitions: [
    {
      name: 'web',
      image: 'web',
      essential: true,
      healthCheck: { command: ['CMD', 'true'] },
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/web',
          'awslogs-stream-prefix': 'ecs',
          'awslogs-region': 'eu-west-1'
        }
      }
    },
    {
      name: 'sidecar',
      image: 'envoy',
      essential: false,
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/sidecar' } }
    },
    { name: 'init', image: 'busybox', essential: true }
  ]
}

export function task(id: string, t: Partial<Task>): Task {
  return { taskArn: `${ARN}${id}`, lastStatus: 'STOPPED', startedBy: 'ecs-svc/1', ...t }
}

export function outcome(stoppedTasks: Task[], o: Partial<WatchOutcome> = {}): WatchOutcome {
  return {
    status: 'too-many-failed-tasks',
    message: 'Deployment ecs-svc/1 stopped after 3 failed tasks (limit 3): 0/2 tasks running, 3 failed',
    events: [],
    stoppedTasks,
    notes: [],
    deployment: {
      id: 'ecs-svc/1',
      desiredCount: 2,
      runningCount: 0,
      pendingCount: 0,
      failedTasks: 3,
      rolloutState: 'IN_PROGRESS'
    },
    ...o
  }
}

export const exited = (id: string, code: number, name = 'web', reason?: string): Task =>
  task(id, {
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [
      { name: 'sidecar', exitCode: 0 },
      { name, exitCode: code, reason }
    ]
  })

export const PULL =
  'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc: not found. Check the image exists.'

export const pick = (c: Cause): Partial<Cause> => ({
  title: c.title,
  count: c.count,
  taskIds: c.taskIds,
  container: c.container,
  exitCode: c.exitCode,
  logGroup: c.logGroup,
  logStream: c.logStream
})

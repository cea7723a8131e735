import { beforeEach, describe, expect, it } from '@jest/globals'
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Task
} from '@aws-sdk/client-ecs'
import { watchDeployment } from '../../src/watch/loop.js'
import {
  ours,
  old,
  svc,
  awsError,
  stoppedTask,
  fakeClock,
  options,
  ecsMock,
  resetEcsMock
} from './fixtures.js'

beforeEach(resetEcsMock)

describe('watchDeployment: stopped tasks', () => {
  it('reads the stopped tasks of our deployment as failedTasks grows, describing each new ARN once', async () => {
    const tasks = ['t1', 't2', 't3'].map((id, i) => stoppedTask(id, 10 + i))
    const clock = fakeClock()
    let poll = 0
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      poll++
      // Poll 1: nothing failed; polls 2..4: one more failed task each (ListTasks shows it).
      return svc([ours({ failedTasks: Math.min(3, poll - 1) }), old()])
    })
    ecsMock
      .on(ListTasksCommand)
      .callsFake(() => ({ taskArns: tasks.slice(0, Math.min(3, poll - 1)).map(t => t.taskArn!) }))
    ecsMock.on(DescribeTasksCommand).callsFake(input => ({
      tasks: tasks.filter(t => (input as { tasks: string[] }).tasks.includes(t.taskArn!))
    }))
    const seen: string[] = []

    const outcome = await watchDeployment(
      options(clock, { maxFailedTasks: 3, onStoppedTask: t => seen.push(t.taskArn!.split('/').pop()!) })
    )

    expect(outcome.status).toBe('too-many-failed-tasks')
    expect(seen).toEqual(['t1', 't2', 't3'])
    expect(outcome.stoppedTasks.map(t => t.taskArn)).toEqual(tasks.map(t => t.taskArn))
    const described = ecsMock.commandCalls(DescribeTasksCommand).flatMap(c => c.args[0].input.tasks ?? [])
    expect(described).toEqual(tasks.map(t => t.taskArn)) // each ARN described once
    for (const call of ecsMock.commandCalls(DescribeTasksCommand))
      expect(call.args[0].input.cluster).toBe('prod')
  })

  it('reads a task again while it is still STOPPING, and reports it once it is STOPPED', async () => {
    const clock = fakeClock()
    let poll = 0
    ecsMock.on(DescribeServicesCommand).callsFake(() => {
      poll++
      return poll < 3
        ? svc([ours({ failedTasks: poll })])
        : svc([ours({ failedTasks: 2, rolloutState: 'FAILED' })])
    })
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/t1'
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [arn] })
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: arn, lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED' }] })
      .resolves({ tasks: [stoppedTask('t1', 5)] })
    const seen: Task[] = []

    const outcome = await watchDeployment(options(clock, { onStoppedTask: t => seen.push(t) }))

    expect(outcome.status).toBe('failed')
    expect(seen).toHaveLength(1)
    expect(seen[0]!.lastStatus).toBe('STOPPED')
    expect(outcome.stoppedTasks).toHaveLength(1)
  })

  it('turns a failure to read stopped tasks into a note, not a failed watch', async () => {
    const clock = fakeClock()
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([ours({ failedTasks: 1 })]))
      .resolves(svc([ours({ runningCount: 2, failedTasks: 1, rolloutState: 'COMPLETED' })]))
    ecsMock
      .on(ListTasksCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform ecs:ListTasks', 400))

    const outcome = await watchDeployment(options(clock))

    expect(outcome.status).toBe('completed')
    // The SDK error as awsFailure words it, with the permission to check.
    expect(outcome.notes).toEqual([
      'Could not read the stopped tasks of ecs-svc/1111: ListTasks: AccessDeniedException: not authorized to perform ecs:ListTasks (check permission ecs:ListTasks)'
    ])
  })
})

import { describe, expect, it } from '@jest/globals'
import type { ServiceEvent } from '@aws-sdk/client-ecs'
import { diagnose } from '../../src/diagnose/causes.js'
import { eventTitle } from '../../src/diagnose/events.js'
import { taskDefinition, outcome, exited } from './fixtures.js'

describe('diagnose: events and outcome', () => {
  const ev = (message: string, id = message): ServiceEvent => ({ id, createdAt: new Date(), message })

  it.each([
    [
      '(service web) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section.',
      'Service was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster'
    ],
    [
      '(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start.',
      'Deployment failed: tasks failed to start'
    ],
    ['(service web) rolling back to deployment ecs-svc/0.', 'Rolling back to deployment ecs-svc/0'],
    [
      '(service web) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section.',
      'Service is unable to consistently start tasks successfully'
    ]
  ])('event %p → title %p', (message, title) => {
    expect(eventTitle(message)).toBe(title)
    const causes = diagnose(
      outcome([], {
        status: 'failed',
        events: [ev('(service web) has started 1 tasks: (task a).'), ev(message)]
      })
    )
    expect(causes).toEqual([{ title, detail: message, count: 1, taskIds: [] }])
  })

  it('groups repeated events and lists them after the task causes; lifecycle events that restate the verdict are dropped', () => {
    const place =
      '(service web) was unable to place a task because no container instance met all of its requirements.'
    const causes = diagnose(
      outcome([exited('t1', 3)], {
        status: 'failed',
        events: [
          ev(place, 'a'),
          ev(place, 'b'),
          ev('(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start.')
        ]
      }),
      taskDefinition
    )
    expect(causes.map(c => [c.title, c.count])).toEqual([
      ['web: container exited with code 3', 1],
      ['Service was unable to place a task because no container instance met all of its requirements', 2]
    ])
  })

  it('without stopped tasks, lifecycle events are the causes', () => {
    const causes = diagnose(
      outcome([], {
        status: 'failed',
        events: [ev('(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start.')]
      }),
      taskDefinition
    )
    expect(causes.map(c => c.title)).toEqual(['Deployment failed: tasks failed to start'])
  })

  it('a timeout with no other cause says what the counts were', () => {
    const causes = diagnose(
      outcome([], {
        status: 'timeout',
        message: 'Deployment ecs-svc/1 did not complete within 30 minutes: 1/2 tasks running, 1 pending',
        deployment: {
          id: 'ecs-svc/1',
          desiredCount: 2,
          runningCount: 1,
          pendingCount: 1,
          failedTasks: 0,
          rolloutState: 'IN_PROGRESS'
        }
      })
    )
    expect(causes).toHaveLength(1)
    expect(causes[0]!.title).toBe('Deployment did not complete in time: 1/2 tasks running, 1 pending')
    expect(causes[0]!.detail).toContain('1 running, 1 pending, 0 failed of 2 desired; rollout IN_PROGRESS')
  })

  it('a circuit-breaker failure with no stopped tasks uses the rollout reason', () => {
    const causes = diagnose(
      outcome([], {
        status: 'failed',
        deployment: {
          id: 'ecs-svc/1',
          rolloutState: 'FAILED',
          rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
        }
      })
    )
    expect(causes.map(c => c.title)).toEqual([
      'Deployment failed: ECS deployment circuit breaker: tasks failed to start.'
    ])
  })

  it('a completed deployment with nothing stopped has no causes', () => {
    expect(diagnose(outcome([], { status: 'completed', message: 'done' }))).toEqual([])
  })
})

import { describe, expect, it, test } from '@jest/globals'
import type { Task } from '@aws-sdk/client-ecs'
import { diagnose, type Cause } from '../../src/diagnose/causes.js'
import { trimText } from '../../src/diagnose/text.js'
import { taskDefinition, task, outcome, exited, PULL, pick } from './fixtures.js'

describe('diagnose: stopped tasks → causes', () => {
  const cases: Array<{ name: string; tasks: Task[]; expected: Array<Partial<Cause>>; detail?: RegExp }> = [
    {
      name: 'three tasks whose essential container exited with code 3 → one cause, count 3, with the log stream',
      tasks: [exited('t1', 3), exited('t2', 3), exited('t3', 3)],
      expected: [
        {
          title: 'web: container exited with code 3',
          count: 3,
          taskIds: ['t1', 't2', 't3'],
          container: 'web',
          exitCode: 3,
          logGroup: '/ecs/web',
          logStream: 'ecs/web/t1'
        }
      ],
      detail: /^Essential container web exited with code 3$/
    },
    {
      name: 'different exit codes are different causes, most frequent first',
      tasks: [exited('t1', 1), exited('t2', 3), exited('t3', 3)],
      expected: [
        { title: 'web: container exited with code 3', count: 2, taskIds: ['t2', 't3'] },
        { title: 'web: container exited with code 1', count: 1, taskIds: ['t1'] }
      ].map(c => ({
        ...c,
        container: 'web',
        exitCode: Number(c.title.slice(-1)),
        logGroup: '/ecs/web',
        logStream: `ecs/web/${c.taskIds[0]}`
      }))
    },
    {
      name: "the container's own reason goes into the detail",
      tasks: [exited('t1', 2, 'web', 'Command exited with error')],
      expected: [
        {
          title: 'web: container exited with code 2',
          count: 1,
          taskIds: ['t1'],
          container: 'web',
          exitCode: 2,
          logGroup: '/ecs/web',
          logStream: 'ecs/web/t1'
        }
      ],
      detail: /^Essential container web exited with code 2: Command exited with error$/
    },
    {
      name: 'a container without awslogs has no log stream',
      tasks: [exited('t1', 1, 'init')],
      expected: [
        {
          title: 'init: container exited with code 1',
          count: 1,
          taskIds: ['t1'],
          container: 'init',
          exitCode: 1
        }
      ]
    },
    {
      name: 'an essential container that exits 0 still stops the task',
      tasks: [
        task('t1', {
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'web', exitCode: 0 }]
        })
      ],
      expected: [
        {
          title: 'web: container exited with code 0',
          count: 1,
          taskIds: ['t1'],
          container: 'web',
          exitCode: 0,
          logGroup: '/ecs/web',
          logStream: 'ecs/web/t1'
        }
      ],
      detail: /must keep running/
    },
    {
      name: 'CannotPullContainerError → short title (first sentence), full reason in the detail',
      tasks: [
        task('t1', {
          stopCode: 'TaskFailedToStart',
          stoppedReason: PULL,
          containers: [{ name: 'web', reason: PULL }]
        }),
        task('t2', {
          stopCode: 'TaskFailedToStart',
          stoppedReason: PULL,
          containers: [{ name: 'web', reason: PULL }]
        })
      ],
      expected: [
        {
          title: `CannotPullContainerError: ${trimText(PULL.slice('CannotPullContainerError: '.length, PULL.indexOf(' Check') - 1), 100)}`,
          count: 2,
          taskIds: ['t1', 't2'],
          container: 'web'
        }
      ],
      detail: /Check the image exists\.$/
    },
    {
      name: 'CannotPullContainerError only in the container reason',
      tasks: [
        task('t1', {
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'Task failed to start',
          containers: [{ name: 'web', reason: 'CannotPullContainerError: manifest unknown' }]
        })
      ],
      expected: [
        { title: 'CannotPullContainerError: manifest unknown', count: 1, taskIds: ['t1'], container: 'web' }
      ]
    },
    {
      name: 'ResourceInitializationError keeps its name',
      tasks: [
        task('t1', {
          stopCode: 'TaskFailedToStart',
          stoppedReason:
            'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm. Check your task network configuration.'
        })
      ],
      expected: [
        {
          title:
            'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve se…',
          count: 1,
          taskIds: ['t1']
        }
      ]
    },
    {
      name: 'OutOfMemoryError with exit code 137',
      tasks: [
        task('t1', {
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'OutOfMemoryError: Container killed due to memory usage',
          containers: [
            { name: 'web', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }
          ]
        })
      ],
      expected: [
        {
          title: 'web: container ran out of memory (exit code 137)',
          count: 1,
          taskIds: ['t1'],
          container: 'web',
          exitCode: 137,
          logGroup: '/ecs/web',
          logStream: 'ecs/web/t1'
        }
      ]
    },
    {
      name: 'container health checks name the unhealthy container',
      tasks: [
        task('t1', {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Task failed container health checks',
          containers: [
            { name: 'web', healthStatus: 'UNHEALTHY', exitCode: 137 },
            { name: 'sidecar', healthStatus: 'UNKNOWN' }
          ]
        })
      ],
      expected: [
        {
          title: 'web: container failed health checks',
          count: 1,
          taskIds: ['t1'],
          container: 'web',
          logGroup: '/ecs/web',
          logStream: 'ecs/web/t1'
        }
      ]
    },
    {
      name: 'ELB health checks name the target group',
      tasks: [
        task('t1', {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason:
            'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web-tg/0123456789abcdef)'
        })
      ],
      // The logs of the one essential container with awslogs explain why it did not answer.
      expected: [
        {
          title: 'Task failed ELB health checks in target group web-tg',
          count: 1,
          taskIds: ['t1'],
          container: 'web',
          logGroup: '/ecs/web',
          logStream: 'ecs/web/t1'
        }
      ]
    },
    {
      name: 'other reasons verbatim',
      tasks: [task('t1', { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' })],
      expected: [{ title: 'Your Spot Task was interrupted', count: 1, taskIds: ['t1'] }],
      detail: /^Your Spot Task was interrupted\.$/
    },
    {
      name: 'routine scale-in is ignored when there is anything else',
      tasks: [
        task('t0', {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)'
        }),
        exited('t1', 3)
      ],
      expected: [
        {
          title: 'web: container exited with code 3',
          count: 1,
          taskIds: ['t1'],
          container: 'web',
          exitCode: 3,
          logGroup: '/ecs/web',
          logStream: 'ecs/web/t1'
        }
      ]
    }
  ]

  it.each(cases)('$name', c => {
    const causes = diagnose(outcome(c.tasks), taskDefinition)
    expect(causes.map(pick)).toEqual(
      c.expected.map(e => ({
        container: undefined,
        exitCode: undefined,
        logGroup: undefined,
        logStream: undefined,
        ...e
      }))
    )
    if (c.detail) expect(causes[0]!.detail).toMatch(c.detail)
  })

  it('works without a task definition (no log streams, any container may be the one)', () => {
    const causes = diagnose(outcome([exited('t1', 3)]))
    expect(causes.map(pick)).toEqual([
      {
        title: 'web: container exited with code 3',
        count: 1,
        taskIds: ['t1'],
        container: 'web',
        exitCode: 3,
        logGroup: undefined,
        logStream: undefined
      }
    ])
  })

  it('falls back to the routine scale-in when it is the only thing there is (after the outcome)', () => {
    const scaleIn = task('t0', {
      stopCode: 'ServiceSchedulerInitiated',
      stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)'
    })
    const causes = diagnose(
      outcome([scaleIn], { status: 'rolled-back', message: 'Deployment ecs-svc/1 was replaced by web:7' })
    )
    expect(causes.map(c => c.title)).toEqual([
      'Deployment failed',
      'Scaling activity initiated by (deployment ecs-svc/1)'
    ])
  })
})

describe('a native deployment rolled back by ECS', () => {
  test('its own record is the cause; the lifecycle events that restate it add none', () => {
    const causes = diagnose(
      outcome([], {
        status: 'rolled-back',
        message: 'ECS rolled back service deployment Abc123: alarm "web-5xx" went into ALARM',
        cause: 'alarm "web-5xx" went into ALARM',
        serviceDeployment: {
          serviceDeploymentArn: 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/Abc123',
          status: 'ROLLBACK_SUCCESSFUL',
          alarms: { triggeredAlarmNames: ['web-5xx'] }
        },
        events: [
          { id: 'e1', message: '(service web) (deployment ecs-svc/1) deployment failed: alarm detected.' },
          { id: 'e2', message: '(service web) rolling back to deployment ecs-svc/0.' }
        ]
      })
    )
    expect(causes.map(c => c.title)).toEqual(['Rolled back: alarm "web-5xx" went into ALARM'])
    // Nothing to add but the record itself: the detail does not restate the verdict's message.
    expect(causes[0].detail).toBe(causes[0].title)
  })

  test.each<[string, Record<string, unknown>, string]>([
    ['the stage it was in', { lifecycleStage: 'BAKE_TIME' }, 'stage BAKE_TIME'],
    [
      'a failed Lambda hook: its id and function ARN',
      {
        lifecycleStage: 'POST_SCALE_UP',
        lifecycleHookDetails: [
          {
            hookId: 'ecs-hook-1',
            targetType: 'AWS_LAMBDA',
            targetArn: 'arn:aws:lambda:eu-west-1:1:function:f',
            status: 'FAILED'
          }
        ]
      },
      'stage POST_SCALE_UP, hook ecs-hook-1 (target arn:aws:lambda:eu-west-1:1:function:f)'
    ],
    [
      'a timed-out PAUSE hook (its title names its id): its timeout action',
      {
        lifecycleHookDetails: [
          { hookId: 'ecs-pause-1', targetType: 'PAUSE', status: 'TIMED_OUT', timeoutAction: 'ROLLBACK' },
          { hookId: 'ecs-pause-0', targetType: 'PAUSE', status: 'SUCCEEDED' }
        ]
      },
      'timeout action ROLLBACK'
    ]
  ])('the detail: %s', (_name, record, detail) => {
    const causes = diagnose(
      outcome([], {
        status: 'rolled-back',
        message: 'ECS rolled back service deployment Abc123: it',
        cause: 'it',
        serviceDeployment: { status: 'ROLLBACK_SUCCESSFUL', ...record }
      })
    )
    expect(causes[0]).toMatchObject({ title: 'Rolled back: it', detail })
  })
})

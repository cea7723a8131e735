import { describe, expect, it } from '@jest/globals'
import type { RegisterTaskDefinitionCommandInput, ServiceEvent, Task } from '@aws-sdk/client-ecs'
import { blameContainers, diagnose, eventTitle, trimText, type Cause } from '../src/diagnose.js'
import type { WatchOutcome } from '../src/watch/loop.js'

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/prod/'

const taskDefinition: RegisterTaskDefinitionCommandInput = {
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

function task(id: string, t: Partial<Task>): Task {
  return { taskArn: `${ARN}${id}`, lastStatus: 'STOPPED', startedBy: 'ecs-svc/1', ...t }
}

function outcome(stoppedTasks: Task[], o: Partial<WatchOutcome> = {}): WatchOutcome {
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

const exited = (id: string, code: number, name = 'web', reason?: string): Task =>
  task(id, {
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    containers: [
      { name: 'sidecar', exitCode: 0 },
      { name, exitCode: code, reason }
    ]
  })

const PULL =
  'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc: not found. Check the image exists.'

const pick = (c: Cause): Partial<Cause> => ({
  title: c.title,
  count: c.count,
  taskIds: c.taskIds,
  container: c.container,
  exitCode: c.exitCode,
  logGroup: c.logGroup,
  logStream: c.logStream
})

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

/** web and an essential sidecar (both with awslogs), and a log router that is not essential. */
const withSidecar: RegisterTaskDefinitionCommandInput = {
  family: 'web',
  containerDefinitions: [
    {
      name: 'web',
      image: 'web',
      essential: true,
      healthCheck: { command: ['CMD', 'true'] },
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'ecs' }
      }
    },
    {
      name: 'sidecar',
      image: 'envoy',
      essential: true,
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/web', 'awslogs-stream-prefix': 'ecs' }
      }
    },
    { name: 'log-router', image: 'fluent-bit', essential: false }
  ]
}

const ESSENTIAL_EXITED = {
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited'
} as const
const OOM = 'OutOfMemoryError: Container killed due to memory usage'

describe('blameContainers: which container stopped the task, which ECS stopped', () => {
  const rows: Array<{
    name: string
    task: Partial<Task>
    td?: RegisterTaskDefinitionCommandInput | null
    cause?: [string, number | undefined, 'exited' | 'oom' | 'unhealthy']
    stoppedByEcs?: string[]
    notEssential?: string[]
  }> = [
    {
      name: 'an essential sidecar exits 3, then ECS kills web (SIGKILL after the stop timeout, 137)',
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'web', exitCode: 137 },
          { name: 'sidecar', exitCode: 3 }
        ]
      },
      cause: ['sidecar', 3, 'exited'],
      stoppedByEcs: ['web']
    },
    {
      name: 'the same with web ending on SIGTERM (143)',
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'web', exitCode: 143 },
          { name: 'sidecar', exitCode: 3 }
        ]
      },
      cause: ['sidecar', 3, 'exited'],
      stoppedByEcs: ['web']
    },
    {
      name: 'the same with web shutting down cleanly on SIGTERM (0)',
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'web', exitCode: 0 },
          { name: 'sidecar', exitCode: 3 }
        ]
      },
      cause: ['sidecar', 3, 'exited'],
      stoppedByEcs: ['web']
    },
    {
      name: 'an essential container that exits 0 stops the task; the killed sidecar is not the cause',
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'sidecar', exitCode: 137 },
          { name: 'web', exitCode: 0 }
        ]
      },
      cause: ['web', 0, 'exited'],
      stoppedByEcs: ['sidecar']
    },
    {
      name: 'every container exited 0: the first essential one is named',
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'web', exitCode: 0 },
          { name: 'sidecar', exitCode: 0 }
        ]
      },
      cause: ['web', 0, 'exited'],
      stoppedByEcs: ['sidecar']
    },
    {
      name: 'a 137 with the OutOfMemoryError reason is the cause, not a stop',
      task: {
        stopCode: 'EssentialContainerExited',
        stoppedReason: OOM,
        containers: [
          { name: 'sidecar', exitCode: 137 },
          { name: 'web', exitCode: 137, reason: OOM }
        ]
      },
      cause: ['web', 137, 'oom'],
      stoppedByEcs: ['sidecar']
    },
    {
      name: 'OutOfMemoryError only in the task reason: the essential 137 is the cause, the 143 a stop',
      task: {
        stopCode: 'EssentialContainerExited',
        stoppedReason: OOM,
        containers: [
          { name: 'sidecar', exitCode: 143 },
          { name: 'web', exitCode: 137 }
        ]
      },
      cause: ['web', 137, 'oom'],
      stoppedByEcs: ['sidecar']
    },
    {
      name: 'a non-essential container that exited by itself is never the cause',
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'log-router', exitCode: 1 },
          { name: 'web', exitCode: 2 },
          { name: 'sidecar', exitCode: 143 }
        ]
      },
      cause: ['web', 2, 'exited'],
      stoppedByEcs: ['sidecar'],
      notEssential: ['log-router']
    },
    {
      name: 'a non-essential container killed with the task was stopped by ECS',
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'web', exitCode: 1 },
          { name: 'sidecar', exitCode: 143 },
          { name: 'log-router', exitCode: 137 }
        ]
      },
      cause: ['web', 1, 'exited'],
      stoppedByEcs: ['sidecar', 'log-router']
    },
    {
      name: 'only stop codes: the first essential one was killed by something else than ECS',
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'web', exitCode: 137 },
          { name: 'sidecar', exitCode: 137 }
        ]
      },
      cause: ['web', 137, 'exited'],
      stoppedByEcs: ['sidecar']
    },
    {
      name: 'container health checks: the unhealthy container is the cause, the rest stopped by ECS',
      task: {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Task failed container health checks',
        containers: [
          { name: 'sidecar', exitCode: 143, healthStatus: 'UNKNOWN' },
          { name: 'web', exitCode: 137, healthStatus: 'UNHEALTHY' }
        ]
      },
      cause: ['web', 137, 'unhealthy'],
      stoppedByEcs: ['sidecar']
    },
    {
      name: 'ELB health checks: no container is the cause, ECS stopped them all',
      task: {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Task failed ELB health checks in (target-group arn:…:targetgroup/web-tg/0123)',
        containers: [
          { name: 'web', exitCode: 143 },
          { name: 'sidecar', exitCode: 143 }
        ]
      },
      stoppedByEcs: ['web', 'sidecar']
    },
    {
      name: 'a scale-in: no cause',
      task: {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)',
        containers: [
          { name: 'web', exitCode: 0 },
          { name: 'sidecar', exitCode: 143 }
        ]
      },
      stoppedByEcs: ['web', 'sidecar']
    },
    {
      name: 'without the task definition every container may be essential: still the sidecar',
      td: null,
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'web', exitCode: 137 },
          { name: 'sidecar', exitCode: 3 }
        ]
      },
      cause: ['sidecar', 3, 'exited'],
      stoppedByEcs: ['web']
    },
    {
      name: 'containers that never ran (no exit code) are neither cause nor stopped',
      task: {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'web', lastStatus: 'STOPPED' },
          { name: 'sidecar', exitCode: 1 }
        ]
      },
      cause: ['sidecar', 1, 'exited']
    }
  ]

  it.each(rows)('$name', row => {
    const blame = blameContainers(task('t1', row.task), row.td === null ? undefined : (row.td ?? withSidecar))
    expect(blame.cause && [blame.cause.name, blame.cause.exitCode, blame.cause.why]).toEqual(row.cause)
    expect(blame.stoppedByEcs.map(e => e.name)).toEqual(row.stoppedByEcs ?? [])
    expect(blame.notEssential.map(e => e.name)).toEqual(row.notEssential ?? [])
  })

  it('the sidecar-crash case names the sidecar and its code 3 first, with its own log stream', () => {
    const crash = (id: string): Task =>
      task(id, {
        ...ESSENTIAL_EXITED,
        containers: [
          { name: 'web', exitCode: 137 },
          { name: 'sidecar', exitCode: 3 },
          { name: 'log-router', exitCode: 137 }
        ]
      })
    const causes = diagnose(outcome([crash('t1'), crash('t2')]), withSidecar)
    expect(causes.map(pick)).toEqual([
      {
        title: 'sidecar: container exited with code 3',
        count: 2,
        taskIds: ['t1', 't2'],
        container: 'sidecar',
        exitCode: 3,
        logGroup: '/ecs/web',
        logStream: 'ecs/sidecar/t1'
      }
    ])
    expect(causes[0]!.detail).toBe(
      "Essential container sidecar exited with code 3. ECS then stopped the task's other containers: " +
        'web (exit code 137, SIGKILL after the stop timeout), log-router (exit code 137, SIGKILL after the stop timeout)'
    )
    expect(causes[0]!.stoppedByEcs).toEqual(['web', 'log-router'])
  })

  it.each([
    [
      'exit 0 of an essential container',
      [
        { name: 'web', exitCode: 0 },
        { name: 'sidecar', exitCode: 143 }
      ],
      'web: container exited with code 0',
      /^Essential container web exited with code 0; .*even with code 0, stops the task\. ECS then stopped the task's other containers: sidecar \(exit code 143, SIGTERM\)$/
    ],
    [
      'a lone 137 without an out-of-memory reason',
      [{ name: 'web', exitCode: 137 }],
      'web: container exited with code 137',
      /^Essential container web was ended by SIGKILL \(exit code 137\) before ECS stopped the task/
    ],
    [
      'a non-essential container that crashed on its own',
      [
        { name: 'log-router', exitCode: 1 },
        { name: 'web', exitCode: 2 }
      ],
      'web: container exited with code 2',
      /^Essential container web exited with code 2\. log-router \(not essential\) exited with code 1; a container that is not essential does not stop the task$/
    ]
  ])('detail: %s', (_name, containers, title, detail) => {
    const [cause] = diagnose(outcome([task('t1', { ...ESSENTIAL_EXITED, containers })]), withSidecar)
    expect(cause!.title).toBe(title)
    expect(cause!.detail).toMatch(detail)
  })
})

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

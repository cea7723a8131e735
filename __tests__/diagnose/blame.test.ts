import { describe, expect, it } from '@jest/globals'
import type { RegisterTaskDefinitionCommandInput, Task } from '@aws-sdk/client-ecs'
import { blameContainers } from '../../src/diagnose/blame.js'
import { diagnose } from '../../src/diagnose/causes.js'
import { task, outcome, pick } from './fixtures.js'

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

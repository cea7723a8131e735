/**
 * Reports of the runs a person meets, as main.ts fills them: shared by the summary's snapshot tests and
 * `npm run screenshots` (scripts/screenshots.ts), so the pictures in the README are the tested Markdown.
 */
import type { ServiceEvent } from '@aws-sdk/client-ecs'
import { metricsWindow, type DeployMetrics, type SeriesId } from '../../src/metrics.js'
import type { DeployReport, RunContext } from '../../src/report/types.js'

const ACCOUNT = '123456789012'
const REGION = 'eu-west-1'
const td = (rev: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/shop-web:${rev}`
const REPO = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/shop/web`
const NEW_DIGEST = 'sha256:5f0c7e2b9a41d8c3e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9'
const OLD_DIGEST = 'sha256:0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c'
const TASKS = [
  '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  '1234abcd5678ef901234abcd5678ef90',
  'fedcba98765432100123456789abcdef'
]
const CONSOLE = `https://${REGION}.console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments?region=${REGION}`

const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 21, 4, s))
const event = (s: number, message: string): ServiceEvent => ({ id: `e${s}`, createdAt: at(s), message })
const started = (s: number, ids: string[]) =>
  event(s, `(service web) has started ${ids.length} tasks: ${ids.map(id => `(task ${id})`).join(' ')}.`)

export const CONTEXT: RunContext = {
  sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e',
  subject: 'Read the config from /etc/shop (fixes #41)',
  actor: 'alice',
  event: 'push',
  repositoryUrl: 'https://github.com/acme/shop'
}

const phases = (watchMs: number, id: 'watch' | 'register' = 'watch') => [
  { phase: 'Plan', id: 'plan' as const, ms: 640, at: at(0) },
  { phase: 'Image', id: 'image' as const, ms: 5200, at: at(1) },
  { phase: 'Register task definition', id: 'register' as const, ms: 310, at: at(6) },
  ...(id === 'watch'
    ? [
        { phase: 'Update service', id: 'update' as const, ms: 420, at: at(6) },
        { phase: 'Wait for the deployment', id: 'watch' as const, ms: watchMs, at: at(7) }
      ]
    : [])
]

const base: DeployReport = {
  ok: false,
  headline: '',
  image: `${REPO}@${NEW_DIGEST}`,
  imageDigest: NEW_DIGEST,
  imageTags: ['sha-a1b2c3d', 'latest'],
  previousImage: `${REPO}@${OLD_DIGEST}`,
  taskDefinitionArn: td(3),
  previousTaskDefinitionArn: td(2),
  deploymentId: 'ecs-svc/9011923842869707980',
  consoleUrl: CONSOLE,
  cluster: 'prod',
  service: 'web',
  causes: [],
  notes: [],
  updatedAt: at(7)
}

const rolledBack = (s: number): DeployReport['rollback'] => ({
  status: 'completed',
  message: 'Rolled back to shop-web:2: deployment ecs-svc/6789012345678901234 completed.',
  taskDefinitionArn: td(2),
  startedAt: at(s),
  events: [
    event(s + 1, '(service web) has stopped 1 running tasks: (task 1234abcd5678ef901234abcd5678ef90).'),
    event(s + 6, '(service web) (deployment ecs-svc/6789012345678901234) deployment completed.'),
    event(s + 7, '(service web) has reached a steady state.')
  ]
})

/**
 * CPU and memory as CloudWatch returns them for a green deploy at at(7) that ran 32 s, read up to 10 minutes
 * after it (as with a post-deploy watch): one point a minute, a wobble before, CPU up after; the cluster (EC2
 * container instances) reserves more while old and new tasks run side by side. A minute without a point.
 */
function greenMetrics(): DeployMetrics {
  const deployAt = at(7)
  const deployEnd = at(39)
  const end = new Date(deployAt.getTime() + 10 * 60_000)
  const window = metricsWindow(deployAt, end)
  const minutes = Math.round((window.to.getTime() - window.from.getTime()) / 60_000)
  const wobble = (i: number, size: number) => Math.round(Math.sin(i * 1.7) * size * 10) / 10
  const shape: Record<SeriesId, (i: number, after: boolean, during: boolean) => number> = {
    'service-cpu': (i, after) => (after ? 63 : 41) + wobble(i, 4),
    'service-memory': (i, after) => (after ? 55 : 52) + wobble(i, 1),
    'service-tasks': (_i, _after, during) => (during ? 4 : 2),
    'cluster-cpu': (i, after) => (after ? 45 : 35) + wobble(i, 3),
    'cluster-memory': (i, after) => (after ? 50 : 48) + wobble(i, 1),
    'cluster-cpu-reservation': (_i, _after, during) => (during ? 62 : 50),
    'cluster-memory-reservation': (_i, _after, during) => (during ? 70 : 60)
  }
  const series = (Object.keys(shape) as SeriesId[]).map(id => ({
    id,
    points: Array.from({ length: minutes }, (_, i) => new Date(window.from.getTime() + i * 60_000))
      // 20:50 has no point (CloudWatch leaves a period out when ECS sent nothing in it).
      .filter(t => t.getUTCMinutes() !== 50)
      .map((t, i) => ({
        at: t,
        value: shape[id](i, t >= deployAt, t.getTime() + 60_000 > deployAt.getTime() && t <= deployEnd)
      }))
  }))
  return { ...window, deployAt, deployEnd, source: 'AWS/ECS', series }
}

export const SCENARIOS: Record<string, DeployReport> = {
  green: {
    ...base,
    ok: true,
    headline: 'Deployment ecs-svc/9011923842869707980 completed: 2/2 tasks running',
    outcome: {
      status: 'completed',
      message: 'Deployment ecs-svc/9011923842869707980 completed: 2/2 tasks running',
      events: [
        started(9, TASKS.slice(0, 2)),
        event(
          31,
          '(service web) has stopped 2 running tasks: (task 1234abcd5678ef901234abcd5678ef90) (task fedcba98765432100123456789abcdef).'
        ),
        event(38, '(service web) (deployment ecs-svc/9011923842869707980) deployment completed.'),
        event(39, '(service web) has reached a steady state.')
      ],
      stoppedTasks: [],
      notes: []
    },
    timings: phases(32_400),
    metrics: greenMetrics()
  },
  'red-crash': {
    ...base,
    headline:
      'Deployment ecs-svc/9011923842869707980 stopped after 4 failed tasks (limit 3): 0/2 tasks running, 4 failed. Rolled back to shop-web:2: deployment ecs-svc/6789012345678901234 completed.',
    failedPhase: 'watch',
    outcome: {
      status: 'too-many-failed-tasks',
      message:
        'Deployment ecs-svc/9011923842869707980 stopped after 4 failed tasks (limit 3): 0/2 tasks running, 4 failed',
      events: [
        started(9, TASKS.slice(0, 2)),
        event(14, `(service web) has stopped 2 running tasks: (task ${TASKS[0]}) (task ${TASKS[1]}).`),
        started(16, TASKS.slice(2, 4))
      ],
      stoppedTasks: [],
      notes: []
    },
    causes: [
      {
        title: 'web: container exited with code 3',
        detail: 'Essential container in task exited',
        count: 4,
        taskIds: TASKS,
        container: 'web',
        exitCode: 3,
        logGroup: '/ecs/shop-web',
        logStream: `ecs/web/${TASKS[0]}`,
        logLines: [
          'listening on :8080',
          'loading config from /etc/shop/config.yaml',
          'FATAL: no config: open /etc/shop/config.yaml: no such file or directory'
        ]
      }
    ],
    rollback: rolledBack(24),
    timings: phases(17_800)
  },
  'red-pull': {
    ...base,
    image: `${REPO}:v9`,
    imageDigest: undefined,
    imageTags: ['v9'],
    headline: 'Deployment failed',
    failedPhase: 'watch',
    outcome: {
      status: 'failed',
      message:
        'Deployment ecs-svc/9011923842869707980 failed: ECS deployment circuit breaker: tasks failed to start. (0/2 tasks running, 3 failed)',
      events: [
        started(9, TASKS.slice(0, 2)),
        event(
          21,
          '(service web) (deployment ecs-svc/9011923842869707980) deployment failed: tasks failed to start.'
        )
      ],
      stoppedTasks: [],
      notes: []
    },
    causes: [
      {
        title: `CannotPullContainerError: pull image manifest has been retried 5 time(s): ${REPO}:v9: not found`,
        detail: `CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref ${REPO}:v9: ${REPO}:v9: not found`,
        count: 3,
        taskIds: TASKS.slice(0, 3)
      }
    ],
    rollback: rolledBack(23),
    timings: phases(15_100)
  },
  'timeout-rollback': {
    ...base,
    headline: 'Deployment timed out',
    failedPhase: 'watch',
    outcome: {
      status: 'timeout',
      message:
        'Deployment ecs-svc/9011923842869707980 did not complete within 10 minutes: 1/2 tasks running, 0 failed',
      events: [started(9, TASKS.slice(0, 2))],
      stoppedTasks: [],
      notes: []
    },
    rollback: rolledBack(607),
    timings: phases(600_000)
  },
  cancelled: {
    ...base,
    headline: 'The run was cancelled',
    failedPhase: 'watch',
    outcome: {
      status: 'cancelled',
      message:
        'The run was cancelled while waiting for deployment ecs-svc/9011923842869707980: 0/2 tasks running',
      events: [started(9, TASKS.slice(0, 2))],
      stoppedTasks: [],
      notes: []
    },
    rollback: {
      status: 'started',
      message:
        'Rollback to shop-web:2 started (deployment ecs-svc/6789012345678901234); the run was cancelled, so it was not waited for.',
      taskDefinitionArn: td(2),
      startedAt: at(12)
    },
    timings: phases(4_900)
  },
  'register-only': {
    ...base,
    ok: true,
    headline: 'Registered shop-web:3 (no service to update)',
    service: undefined,
    consoleUrl: undefined,
    deploymentId: undefined,
    previousTaskDefinitionArn: undefined,
    previousImage: undefined,
    updatedAt: undefined,
    timings: phases(0, 'register')
  }
}

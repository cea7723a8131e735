/**
 * The verdict is pure: each row is a snapshot of what the wait saw, and what it must conclude. No client,
 * no mock, no clock. The rows are the ECS facts the code must respect (the "Facts about ECS" of the design notes).
 */
import { describe, expect, it } from '@jest/globals'
import type { Deployment, ServiceEvent } from '@aws-sdk/client-ecs'
import { verdictFor } from '../../src/watch/strategies.js'
import {
  endOfWait,
  failedLimitText,
  rollingVerdict,
  type Snapshot,
  type Verdict
} from '../../src/watch/verdict.js'

const OURS = 'ecs-svc/1111'
const OLD = 'ecs-svc/0000'
const NEWER = 'ecs-svc/2222'
const TD_NEW = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8'
const TD_OLD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7'
const SINCE = Date.parse('2024-05-01T12:00:00Z')
const at = (seconds: number): Date => new Date(SINCE + seconds * 1000)

const ours = (d: Partial<Deployment> = {}): Deployment => ({
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
})
const old = (d: Partial<Deployment> = {}): Deployment => ({
  id: OLD,
  status: 'ACTIVE',
  taskDefinition: TD_OLD,
  desiredCount: 2,
  runningCount: 2,
  rolloutState: 'COMPLETED',
  createdAt: at(-3600),
  ...d
})
/** ECS's rollback (or another run's update): a new PRIMARY created after ours. */
const newer = (d: Partial<Deployment> = {}): Deployment =>
  old({ id: NEWER, status: 'PRIMARY', rolloutState: 'IN_PROGRESS', createdAt: at(60), ...d })
const event = (message: string, seconds = 30): ServiceEvent => ({
  id: `e${seconds}`,
  createdAt: at(seconds),
  message
})

/** A snapshot after one DescribeServices answer listing `deployments`, at t = 10 s of a 30-minute wait. */
function snapshot(deployments: Deployment[], s: Partial<Snapshot> = {}): Snapshot {
  const found = deployments.find(d => d.id === OURS)
  return {
    deploymentId: OURS,
    taskDefinitionArn: TD_NEW,
    ours: found,
    lastSeen: found,
    primary: deployments.find(d => d.status === 'PRIMARY'),
    deployments,
    events: [],
    sinceMs: SINCE - 1000,
    limits: { maxFailedTasks: Infinity, pollIntervalMs: 2000, timeoutMs: 30 * 60_000 },
    lastRead: { at: SINCE + 10_000, failed: found?.failedTasks ?? 0 },
    previousRead: { at: SINCE + 8_000, failed: 0 },
    now: SINCE + 10_000,
    deadline: SINCE + 30 * 60_000,
    cancelled: false,
    ...s
  }
}

type Row = { fact: string; snapshot: Snapshot; verdict: Verdict | undefined }

const rows: Row[] = [
  // "Stable" to the SDK waiter is one deployment at running == desired; we watch our deployment's rollout.
  {
    fact: 'our deployment COMPLETED and PRIMARY: completed',
    snapshot: snapshot([ours({ runningCount: 2, rolloutState: 'COMPLETED' })]),
    verdict: { status: 'completed', message: 'Deployment ecs-svc/1111 completed: 2/2 tasks running on web:8' }
  },
  {
    fact: 'running == desired while the rollout is IN_PROGRESS: still going (not "stable")',
    snapshot: snapshot([ours({ runningCount: 2 })]),
    verdict: undefined
  },
  {
    fact: 'running == desired beside the old deployment still draining: still going',
    snapshot: snapshot([ours({ runningCount: 2 }), old({ runningCount: 1 })]),
    verdict: undefined
  },
  {
    fact: 'after a circuit-breaker rollback the OLD revision is "stable": that is a rollback, never completed',
    snapshot: snapshot([newer({ rolloutState: 'COMPLETED', runningCount: 2 })], {
      lastSeen: ours({ rolloutState: 'FAILED', failedTasks: 3 })
    }),
    verdict: {
      status: 'rolled-back',
      message: 'Deployment ecs-svc/1111 failed and ECS rolled back to web:7 (deployment ecs-svc/2222)',
      rollbackDeploymentId: NEWER
    }
  },
  {
    fact: 'COMPLETED but no longer PRIMARY (a newer PRIMARY): replaced, not completed',
    snapshot: snapshot([newer(), ours({ status: 'ACTIVE', rolloutState: 'COMPLETED', runningCount: 2 })]),
    verdict: {
      status: 'rolled-back',
      message:
        'Deployment ecs-svc/1111 was replaced by deployment ecs-svc/2222 (web:7) before it completed (2/2 tasks running)',
      rollbackDeploymentId: NEWER
    }
  },
  // rolloutState FAILED comes only with the circuit breaker; with rollback on, a new PRIMARY follows.
  {
    fact: 'FAILED (circuit breaker without rollback): failed, with ECS reason and counts',
    snapshot: snapshot([
      ours({
        rolloutState: 'FAILED',
        failedTasks: 3,
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.'
      }),
      old()
    ]),
    verdict: {
      status: 'failed',
      message:
        'Deployment ecs-svc/1111 failed: ECS deployment circuit breaker: tasks failed to start. (0/2 tasks running, 3 failed)'
    }
  },
  {
    fact: 'FAILED and a PRIMARY on the old revision: ECS rolled back',
    snapshot: snapshot([newer(), ours({ status: 'ACTIVE', rolloutState: 'FAILED', failedTasks: 3 })]),
    verdict: {
      status: 'rolled-back',
      message: 'Deployment ecs-svc/1111 failed; ECS rolled back to web:7 (deployment ecs-svc/2222)',
      rollbackDeploymentId: NEWER
    }
  },
  {
    fact: 'FAILED and a newer PRIMARY on the same revision with a "rolling back" event: rolled back',
    snapshot: snapshot(
      [newer({ taskDefinition: TD_NEW }), ours({ status: 'ACTIVE', rolloutState: 'FAILED' })],
      { events: [event('(service web) rolling back to deployment ecs-svc/2222.')] }
    ),
    verdict: {
      status: 'rolled-back',
      message: 'Deployment ecs-svc/1111 failed; ECS rolled back to web:8 (deployment ecs-svc/2222)',
      rollbackDeploymentId: NEWER
    }
  },
  {
    fact: 'FAILED and a newer PRIMARY on the same revision, no event: failed (another run redeployed it)',
    snapshot: snapshot([
      newer({ taskDefinition: TD_NEW }),
      ours({ status: 'ACTIVE', rolloutState: 'FAILED' })
    ]),
    verdict: { status: 'failed', message: 'Deployment ecs-svc/1111 failed (0/2 tasks running)' }
  },
  {
    fact: 'FAILED with a "rolling back" event before the new PRIMARY shows: ECS is rolling back',
    snapshot: snapshot([ours({ rolloutState: 'FAILED' }), old()], {
      events: [event('(service web) rolling back to deployment ecs-svc/0000.')]
    }),
    verdict: { status: 'rolled-back', message: 'Deployment ecs-svc/1111 failed; ECS is rolling back' }
  },
  // Without a rolloutState (no circuit breaker information) the only deployment left at its count is done.
  {
    fact: 'no rolloutState, the only deployment, running == desired: completed',
    snapshot: snapshot([ours({ rolloutState: undefined, runningCount: 2 })]),
    verdict: { status: 'completed', message: 'Deployment ecs-svc/1111 completed: 2/2 tasks running on web:8' }
  },
  {
    fact: 'no rolloutState, running == desired, but the old deployment still listed: still going',
    snapshot: snapshot([
      ours({ rolloutState: undefined, runningCount: 2 }),
      old({ rolloutState: undefined })
    ]),
    verdict: undefined
  },
  {
    fact: 'no rolloutState, the only deployment, a task still pending: still going',
    snapshot: snapshot([ours({ rolloutState: undefined, runningCount: 2, pendingCount: 1 })]),
    verdict: undefined
  },
  // Our deployment not listed: a PRIMARY created after our update replaced it; an older one means not yet.
  {
    fact: 'ours vanished, a newer PRIMARY and a "rolling back" event: failed and rolled back',
    snapshot: snapshot([newer()], {
      lastSeen: ours(),
      events: [event('(service web) rolling back to deployment ecs-svc/2222.')]
    }),
    verdict: {
      status: 'rolled-back',
      message: 'Deployment ecs-svc/1111 failed and ECS rolled back to web:7 (deployment ecs-svc/2222)',
      rollbackDeploymentId: NEWER
    }
  },
  {
    fact: 'ours vanished, a newer PRIMARY, nothing failed: replaced before it completed',
    snapshot: snapshot([newer()], { lastSeen: ours({ runningCount: 1 }) }),
    verdict: {
      status: 'rolled-back',
      message: 'Deployment ecs-svc/1111 was replaced by web:7 (deployment ecs-svc/2222) before it completed',
      rollbackDeploymentId: NEWER
    }
  },
  {
    fact: 'ours not listed yet, only the PRIMARY from before our update: still going',
    snapshot: snapshot([old({ status: 'PRIMARY' })]),
    verdict: undefined
  },
  {
    fact: 'ours not listed, a PRIMARY within the 1 s clock slack before the update counts as newer',
    snapshot: snapshot([newer({ createdAt: at(-0.5) })], { lastSeen: ours() }),
    verdict: {
      status: 'rolled-back',
      message: 'Deployment ecs-svc/1111 was replaced by web:7 (deployment ecs-svc/2222) before it completed',
      rollbackDeploymentId: NEWER
    }
  },
  // The failed-task limit (the circuit breaker's own threshold is 0.5 × desired, at least 3, at most 200).
  {
    fact: 'failedTasks reaches the limit: stopped after that many failed tasks',
    snapshot: snapshot([ours({ failedTasks: 3 }), old()], {
      limits: { maxFailedTasks: 3, pollIntervalMs: 2000, timeoutMs: 30 * 60_000 }
    }),
    verdict: {
      status: 'too-many-failed-tasks',
      message: 'Deployment ecs-svc/1111 stopped after 3 failed tasks (limit 3): 0/2 tasks running, 3 failed'
    }
  },
  {
    fact: 'failedTasks below the limit: still going',
    snapshot: snapshot([ours({ failedTasks: 2 }), old()], {
      limits: { maxFailedTasks: 3, pollIntervalMs: 2000, timeoutMs: 30 * 60_000 }
    }),
    verdict: undefined
  },
  {
    fact: 'no limit (Infinity): any number of failed tasks is still going',
    snapshot: snapshot([ours({ failedTasks: 50 }), old()]),
    verdict: undefined
  },
  {
    fact: 'ECS starts a batch of desired tasks at once: past the limit by more than a batch, says what was missed',
    snapshot: snapshot([ours({ failedTasks: 8 }), old()], {
      limits: { maxFailedTasks: 3, pollIntervalMs: 2000, timeoutMs: 30 * 60_000 },
      previousRead: { at: SINCE - 14_000, failed: 2 }
    }),
    verdict: {
      status: 'too-many-failed-tasks',
      message:
        'Deployment ecs-svc/1111 stopped after 8 failed tasks (limit 3; ECS starts tasks in batches of 2; 6 of them failed in the 24 seconds ECS could not be read): 0/2 tasks running, 8 failed'
    }
  },
  {
    fact: 'the circuit breaker FAILED decides before the limit',
    snapshot: snapshot([ours({ rolloutState: 'FAILED', failedTasks: 3 }), old()], {
      limits: { maxFailedTasks: 3, pollIntervalMs: 2000, timeoutMs: 30 * 60_000 }
    }),
    verdict: { status: 'failed', message: 'Deployment ecs-svc/1111 failed (0/2 tasks running, 3 failed)' }
  },
  // The clock and the cancellation.
  {
    fact: 'the deadline passed while the rollout goes on: timeout, with the counts and the rollout state',
    snapshot: snapshot([ours({ runningCount: 1, pendingCount: 1 }), old()], {
      now: SINCE + 60_000,
      deadline: SINCE + 60_000,
      limits: { maxFailedTasks: Infinity, pollIntervalMs: 2000, timeoutMs: 60_000 }
    }),
    verdict: {
      status: 'timeout',
      message:
        'Deployment ecs-svc/1111 did not complete within 1 minute: 1/2 tasks running, 1 pending (rollout IN_PROGRESS)'
    }
  },
  {
    fact: 'a deployment that completed at the deadline is completed',
    snapshot: snapshot([ours({ runningCount: 2, rolloutState: 'COMPLETED' })], { now: SINCE + 30 * 60_000 }),
    verdict: { status: 'completed', message: 'Deployment ecs-svc/1111 completed: 2/2 tasks running on web:8' }
  },
  {
    fact: 'cancelled: stopped waiting, with the deployment as last seen',
    snapshot: snapshot([ours({ runningCount: 1 }), old()], { cancelled: true }),
    verdict: {
      status: 'cancelled',
      message: 'Stopped waiting for deployment ecs-svc/1111: cancelled (1/2 tasks running)'
    }
  },
  {
    fact: 'cancelled at the deadline: cancelled (the run is going away; no timeout rollback wait)',
    snapshot: snapshot([ours()], { cancelled: true, now: SINCE + 30 * 60_000 }),
    verdict: {
      status: 'cancelled',
      message: 'Stopped waiting for deployment ecs-svc/1111: cancelled (0/2 tasks running)'
    }
  },
  {
    fact: 'cancelled before the first answer: the deployment was not seen',
    snapshot: snapshot([], { cancelled: true }),
    verdict: {
      status: 'cancelled',
      message: 'Stopped waiting for deployment ecs-svc/1111: cancelled (deployment not seen)'
    }
  },
  {
    fact: 'cancelled in the poll that shows the rollout COMPLETED: completed (nothing to roll back)',
    snapshot: snapshot([ours({ runningCount: 2, rolloutState: 'COMPLETED' })], { cancelled: true }),
    verdict: { status: 'completed', message: 'Deployment ecs-svc/1111 completed: 2/2 tasks running on web:8' }
  }
]

describe('rollingVerdict: the ECS facts as rows (no client, no mock)', () => {
  it.each(rows)('$fact', row => {
    expect(rollingVerdict(row.snapshot)).toEqual(row.verdict)
  })
})

describe('endOfWait: what no strategy decides', () => {
  it.each<[string, Partial<Snapshot>, string | undefined]>([
    ['before the deadline, not cancelled', {}, undefined],
    ['at the deadline', { now: SINCE + 30 * 60_000 }, 'timeout'],
    ['past the deadline', { now: SINCE + 31 * 60_000 }, 'timeout'],
    ['cancelled', { cancelled: true }, 'cancelled'],
    ['cancelled past the deadline', { cancelled: true, now: SINCE + 31 * 60_000 }, 'cancelled']
  ])('%s → %p', (_name, s, status) => {
    expect(endOfWait(snapshot([ours()], s))?.status).toBe(status)
  })
})

describe('verdictFor: one verdict per deployment strategy', () => {
  it.each<[string | undefined]>([['ROLLING'], [undefined], ['BLUE_GREEN'], ['LINEAR'], ['CANARY']])(
    '%p is judged as a rolling update (the only verdict so far)',
    strategy => {
      expect(verdictFor(strategy)).toBe(rollingVerdict)
    }
  )
})

describe('failedLimitText', () => {
  type Since = Parameters<typeof failedLimitText>[3]
  it.each<[number, number, number, Since, string]>([
    [3, 3, 2, undefined, 'limit 3'],
    [4, 3, 2, undefined, 'limit 3; ECS starts tasks in batches of 2'],
    [4, 3, 2, { failed: 0, ms: 20_000, unread: true }, 'limit 3; ECS starts tasks in batches of 2'],
    [
      8,
      3,
      2,
      { failed: 2, ms: 24_000, unread: true },
      'limit 3; ECS starts tasks in batches of 2; 6 of them failed in the 24 seconds ECS could not be read'
    ],
    [
      8,
      3,
      2,
      { failed: 2, ms: 2_000, unread: false },
      'limit 3; ECS starts tasks in batches of 2; 6 of them failed between two reads 2 seconds apart'
    ],
    [4, 3, 0, undefined, 'limit 3; ECS starts tasks in batches of 1'],
    [8, 3, 2, { failed: 0, ms: 0, unread: false }, 'limit 3; ECS starts tasks in batches of 2']
  ])(
    '%p failed, limit %p, desired %p, since the last read %p → "%s"',
    (failed, limit, desired, since, text) => {
      expect(failedLimitText(failed, limit, desired, since)).toBe(text)
    }
  )
})

import { describe, expect, it } from '@jest/globals'
import type { Cause } from '../../src/diagnose/causes.js'
import { failureMessage, withoutStatedCause } from '../../src/report/annotations.js'
import { runContextFrom } from '../../src/report/context.js'
import { duration } from '../../src/report/format.js'
import { causeText } from '../../src/report/headline.js'
import { byteLength, fitSummary, SUMMARY_MAX_BYTES } from '../../src/report/limits.js'
import { renderSummary } from '../../src/report/summary.js'
import { logEvent, shortEvent } from '../../src/report/timeline.js'
import { imageParts } from '../../src/report/what-changed.js'
import { CONTEXT, SCENARIOS } from './scenarios.js'

const ID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9'

describe('shortEvent', () => {
  it.each([
    ['(service web) has reached a steady state.', 'steady state'],
    [`(service web) has started 2 tasks: (task ${ID}) (task t2).`, 'started 2 tasks: `0a1b2c3d`, `t2`'],
    [`(service web) has started 1 tasks: (task ${ID}).`, 'started 1 task: `0a1b2c3d`'],
    [`(service web) has stopped 1 running tasks: (task ${ID}).`, 'stopped 1 task: `0a1b2c3d`'],
    ['(service web) (deployment ecs-svc/1) deployment completed.', 'deployment completed'],
    [
      '(service web) (deployment ecs-svc/1) deployment failed: tasks failed to start.',
      'deployment failed: tasks failed to start'
    ],
    ['(service web) rolling back to deployment ecs-svc/7.', 'rolling back to ecs-svc/7'],
    ['(service web) has begun draining connections on 2 tasks.', 'draining connections on 2 tasks'],
    [
      '(service web) registered 1 targets in (target-group arn:aws:elasticloadbalancing:x)',
      'registered 1 target'
    ],
    [
      `(service web) was unable to place a task because no container instance met all of its requirements. (task ${ID})`,
      'was unable to place a task because no container instance met all of its requirements. (task 0a1b2c3d)'
    ],
    ['(service web) has started 2 tasks: (task a`b) (task <x>).', 'started 2 tasks: `ab`, `x`'],
    ['<img src=x> *boom* | ::error::x', '&lt;img src=x&gt; \\*boom\\* \\| ::error::x']
  ])('%s → %s', (message, short) => {
    expect(shortEvent(message)).toBe(short)
  })
})

describe('the log tells events the same way, in plain text (logEvent)', () => {
  it.each([
    ['(service web) has reached a steady state.', '12:00:03 steady state'],
    [`(service web) has started 2 tasks: (task ${ID}) (task t2).`, '12:00:03 started 2 tasks: 0a1b2c3d, t2'],
    ['(service web) rolling back to deployment ecs-svc/7.', '12:00:03 rolling back to ecs-svc/7'],
    // Plain text is not escaped here: the log's printer (inert) is the gate for the log.
    ['<img src=x> *boom*', '12:00:03 <img src=x> *boom*']
  ])('%s → %s', (message, line) => {
    expect(logEvent({ message, createdAt: new Date('2026-12-01T12:00:03Z') })).toBe(line)
  })
})

describe('causeText (the headline’s cause)', () => {
  const cause = (c: Partial<Cause>): Cause => ({ title: 't', detail: 'd', count: 1, taskIds: [], ...c })
  it.each([
    [{ title: 'web: container exited with code 3', container: 'web' }, 'container `web` exited with code 3'],
    [{ title: 'web: container exited with code 3' }, 'web: container exited with code 3'],
    [
      {
        title:
          'CannotPullContainerError: pull image manifest has been retried 5 time(s): 1.dkr.ecr.x.amazonaws.com/shop/web:v9: not found'
      },
      'cannot pull `shop/web:v9`: not found'
    ],
    [
      { title: 'ResourceInitializationError: unable to pull secrets' },
      'ResourceInitializationError: unable to pull secrets'
    ]
  ])('%j → %s', (c, text) => {
    expect(causeText(cause(c), 80)).toBe(text)
  })
})

describe('imageParts', () => {
  it.each([
    [
      '1.dkr.ecr.eu-west-1.amazonaws.com/shop/web@sha256:abc',
      { repository: 'shop/web', version: 'sha256:abc' }
    ],
    ['127.0.0.1:5001/web:v9', { repository: 'web', version: 'v9' }],
    ['localhost/web', { repository: 'web', version: undefined }],
    ['nginx:1.27', { repository: 'nginx', version: '1.27' }],
    ['library/nginx', { repository: 'library/nginx', version: undefined }]
  ])('%s', (ref, parts) => expect(imageParts(ref)).toEqual(parts))
})

describe('the image before → after', () => {
  const D1 = `sha256:${'1'.repeat(64)}`
  const D2 = `sha256:${'2'.repeat(64)}`
  const row = (before: string | undefined, after: string) =>
    renderSummary(
      { ...SCENARIOS.green, previousImage: before, image: after, imageDigest: undefined },
      CONTEXT
    )
      .split('\n')
      .find(l => l.startsWith('| Image'))
  it.each([
    [
      `r.example/shop/web@${D1}`,
      `r.example/shop/web@${D2}`,
      '| Image `shop/web` | `sha256:111111111111…` | `sha256:222222222222…` |'
    ],
    [
      `r.example/good/app@${D1}`,
      `r.example/crash/app@${D2}`,
      '| Image | `good/app@sha256:111111111111…` | `crash/app@sha256:222222222222…` |'
    ],
    ['r.example/web:v1', 'r.example/web:v2', '| Image `web` | `v1` | `v2` |'],
    [undefined, 'r.example/web:v2', '| Image `web` | — | `v2` |'],
    ['r.example/web:v2', 'r.example/web:v2', '| Image `web` | `v2` | unchanged |']
  ])('%s → %s', (before, after, expected) => expect(row(before, after)).toBe(expected))
})

describe('duration', () => {
  it.each([
    [850, '850 ms'],
    [8000, '8 s'],
    [8040, '8 s'],
    [41_500, '41.5 s'],
    [125_000, '2 min 5 s'],
    [600_000, '10 min']
  ])('%d ms → %s', (ms, text) => expect(duration(ms)).toBe(text))
})

describe('runContextFrom', () => {
  it.each([
    [
      {
        sha: 'abc1234def',
        actor: 'alice',
        eventName: 'push',
        serverUrl: 'https://github.com/',
        repository: 'acme/shop',
        payload: { head_commit: { id: 'abc1234def', message: 'Fix it\n\nLong body' } }
      },
      {
        sha: 'abc1234def',
        subject: 'Fix it',
        actor: 'alice',
        event: 'push',
        repositoryUrl: 'https://github.com/acme/shop'
      }
    ],
    // workflow_dispatch: no head commit in the payload, so no subject.
    [
      { sha: 'abc1234def', actor: 'bob', eventName: 'workflow_dispatch', payload: {} },
      {
        sha: 'abc1234def',
        subject: undefined,
        actor: 'bob',
        event: 'workflow_dispatch',
        repositoryUrl: undefined
      }
    ],
    // A head commit that is not the one deployed says nothing about it.
    [
      { sha: 'abc1234def', payload: { head_commit: { id: 'other', message: 'Other' } } },
      { sha: 'abc1234def', subject: undefined, actor: undefined, event: undefined, repositoryUrl: undefined }
    ],
    [{}, { sha: undefined, subject: undefined, actor: undefined, event: undefined, repositoryUrl: undefined }]
  ])('%j', (context, expected) => {
    expect(runContextFrom(context)).toEqual(expected)
  })
})

describe('failureMessage (the one "Deployment failed" error)', () => {
  it('carries the first cause, who had it, and the verdict', () => {
    const report = SCENARIOS['red-crash']
    expect(failureMessage(report)).toBe(
      'web: container exited with code 3 (4 tasks (0a1b2c3d, 9f8e7d6c, 1234abcd, fedcba98)): Essential container in task exited.\n' +
        'Deployment ecs-svc/9011923842869707980 stopped after 4 failed tasks (limit 3): 0/2 tasks running, 4 failed. ' +
        'Rolled back to shop-web:2: deployment ecs-svc/6789012345678901234 completed.'
    )
  })

  it('without a cause, the verdict alone', () => {
    expect(failureMessage(SCENARIOS['timeout-rollback'])).toBe(
      'Deployment ecs-svc/9011923842869707980 did not complete within 10 minutes: 1/2 tasks running, 0 failed. ' +
        'Rolled back to shop-web:2: deployment ecs-svc/6789012345678901234 completed.'
    )
  })
})

describe('a native rollback says its cause once (failureMessage, withoutStatedCause)', () => {
  const ALARM = 'alarm "web-5xx" went into ALARM'
  it('the cause in the first line; the verdict without it', () => {
    const message = failureMessage({
      causes: [{ title: `Rolled back: ${ALARM}`, detail: 'stage BAKE_TIME', count: 1, taskIds: [] }],
      outcome: {
        status: 'rolled-back',
        message: `ECS rolled back service deployment Abc123: ${ALARM}`,
        cause: ALARM,
        events: [],
        stoppedTasks: [],
        notes: []
      },
      rollback: {
        status: 'ecs',
        message: 'ecs-deploy started no rollback of its own: the service is already on shop-web:2.'
      }
    })
    expect(message).toBe(
      `Rolled back: ${ALARM}: stage BAKE_TIME.\n` +
        'ECS rolled back service deployment Abc123. ecs-deploy started no rollback of its own: the service is already on shop-web:2.'
    )
    expect(message.split(ALARM)).toHaveLength(2)
  })

  it('a cancelled run: the verdict the cause states already is not repeated', () => {
    const verdict = 'The run was cancelled while Abc123 was in progress'
    const message = failureMessage({
      causes: [
        { title: 'Cancelled while waiting for the deployment', detail: verdict, count: 1, taskIds: [] }
      ],
      outcome: { status: 'cancelled', message: verdict, events: [], stoppedTasks: [], notes: [] },
      rollback: { status: 'started', message: 'Rollback of service deployment Abc123 started.' }
    })
    expect(message).toBe(
      `Cancelled while waiting for the deployment: ${verdict}.\nRollback of service deployment Abc123 started.`
    )
  })

  it.each<[string, string, string | undefined, string | undefined, string]>([
    ['stated: dropped', `rolled back X: ${ALARM}`, ALARM, `Rolled back: ${ALARM}`, 'rolled back X'],
    ['no cause', 'rolled back X', undefined, `Rolled back: ${ALARM}`, 'rolled back X'],
    [
      'the first line is another cause',
      `rolled back X: ${ALARM}`,
      ALARM,
      'web: exited',
      `rolled back X: ${ALARM}`
    ],
    ['no first line', `rolled back X: ${ALARM}`, ALARM, undefined, `rolled back X: ${ALARM}`],
    [
      'the cause not at the end',
      `${ALARM}: then more`,
      ALARM,
      `Rolled back: ${ALARM}`,
      `${ALARM}: then more`
    ],
    [
      'a title trimmed short of the cause',
      `rolled back X: ${ALARM}`,
      ALARM,
      'Rolled back: alarm "web-5…',
      `rolled back X: ${ALARM}`
    ],
    [
      'the whole verdict stated already',
      'The run was cancelled while X was in progress',
      undefined,
      'Cancelled: The run was cancelled while X was in progress.',
      ''
    ],
    ['the whole verdict with its full stop', 'Timed out.', undefined, 'Slow: Timed out.', ''],
    ['an empty verdict', '', ALARM, `Rolled back: ${ALARM}`, '']
  ])('%s', (_name, message, cause, stated, expected) => {
    expect(withoutStatedCause(message, cause, stated)).toBe(expected)
  })
})

describe('within GitHub’s 1 MiB', () => {
  const huge = {
    ...SCENARIOS['red-crash'],
    causes: Array.from({ length: 200 }, (_, i) => ({
      ...SCENARIOS['red-crash'].causes[0],
      title: `web: container exited with code ${i}`,
      taskIds: Array.from({ length: 500 }, (_, j) => `${i}-${j}-0123456789abcdef0123456789`),
      logLines: Array.from({ length: 5000 }, (_, j) => `line ${j} ${'x'.repeat(2000)}`)
    })),
    notes: Array.from({ length: 1000 }, (_, i) => `note ${i} ${'y'.repeat(5000)}`),
    outcome: {
      ...SCENARIOS['red-crash'].outcome!,
      events: Array.from({ length: 100_000 }, (_, i) => ({
        createdAt: new Date(i * 1000),
        message: `event ${i} ${'z'.repeat(3000)}`
      }))
    }
  }

  it('a run with megabytes of logs, events and notes still gets its summary, headline first', () => {
    const text = renderSummary(huge, CONTEXT)
    expect(byteLength(text)).toBeLessThan(SUMMARY_MAX_BYTES)
    expect(text).toMatch(/^## ❌ web: container `web` exited with code 0 — rolled back to shop-web:2\n/)
    expect(text).toContain('…and 190 more causes.')
    expect(text).toContain('earlier rows not shown')
  })

  it('fitSummary drops whole sections from the end and closes a fence it cuts', () => {
    const text =
      `## head\n\n### A\n\n${'a\n'.repeat(10)}\n### B\n\n\`\`\`text\n${'b'.repeat(50)}\n`.repeat(1) +
      `${'c\n'.repeat(400)}\`\`\`\n`
    const fitted = fitSummary(text, 300)
    expect(byteLength(fitted)).toBeLessThanOrEqual(300)
    expect(fitted).toMatch(/^## head\n\n### A\n/)
    expect((fitted.match(/^```/gm) ?? []).length % 2).toBe(0)
    expect(fitted).toContain('1 MiB limit')
    expect(fitSummary('small', 300)).toBe('small')
  })
})

import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Cause } from '../src/diagnose/causes.js'
import type { WatchOutcome } from '../src/watch/loop.js'

const summaryText: string[] = []
const summary = {
  addRaw: jest.fn((text: string) => {
    summaryText.push(text)
    return summary
  }),
  write: jest.fn(async () => summary),
  emptyBuffer: jest.fn(() => summary)
}
const core = {
  error: jest.fn(),
  warning: jest.fn(),
  info: jest.fn(),
  setOutput: jest.fn(),
  summary
}
jest.unstable_mockModule('@actions/core', () => core)

const { annotateCauses } = await import('../src/report/annotations.js')
const { printCauses } = await import('../src/report/log.js')
const { consoleUrl, setOutputs } = await import('../src/report/outputs.js')
const { summaryHeadline } = await import('../src/report/headline.js')
const { renderSummary, writeSummary } = await import('../src/report/summary.js')
const { runnerCommands } = await import('../scripts/run-action.js')
type DeployReport = import('../src/report/types.js').DeployReport

function cause(i: number, c: Partial<Cause> = {}): Cause {
  return {
    title: `web: container exited with code ${i}`,
    detail: `Essential container web exited with code ${i}`,
    count: 1,
    taskIds: [`t${i}`],
    ...c
  }
}

const TD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:8'
const URL_ = consoleUrl('eu-west-1', 'prod', 'web')

const outcome: WatchOutcome = {
  status: 'too-many-failed-tasks',
  message: 'Deployment ecs-svc/1 stopped after 3 failed tasks (limit 3): 0/2 tasks running, 3 failed',
  events: [
    {
      id: 'e1',
      createdAt: new Date('2024-05-01T12:00:03Z'),
      message: '(service web) has started 2 tasks: (task t1) (task t2).'
    },
    {
      id: 'e2',
      createdAt: new Date('2024-05-01T12:00:41Z'),
      message: '(service web) has stopped 1 running tasks: (task t1).'
    }
  ],
  stoppedTasks: [],
  notes: []
}

function report(r: Partial<DeployReport> = {}): DeployReport {
  return {
    ok: false,
    headline: 'Deployment failed: web: container exited with code 3',
    image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc',
    imageDigest: 'sha256:abc',
    imageTags: ['sha-1234567', 'latest'],
    taskDefinitionArn: TD,
    previousTaskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7',
    deploymentId: 'ecs-svc/1',
    consoleUrl: URL_,
    cluster: 'prod',
    service: 'web',
    outcome,
    causes: [
      cause(3, {
        count: 3,
        taskIds: ['t1', 't2', 't3'],
        container: 'web',
        logGroup: '/ecs/web',
        logStream: 'ecs/web/t1',
        logLines: ['connecting to db', 'Error: ```boom``` | <fatal>']
      })
    ],
    rollback: {
      status: 'completed',
      message: 'Service web is back on web:7',
      taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7'
    },
    notes: ['Could not read logs for init (AccessDeniedException): denied'],
    timings: [{ phase: 'watch', ms: 41_500 }],
    ...r
  }
}

beforeEach(() => {
  jest.clearAllMocks()
  summaryText.length = 0
})

describe('annotateCauses', () => {
  it.each([
    { causes: 1, limit: undefined, annotations: 1, more: undefined },
    { causes: 9, limit: undefined, annotations: 9, more: undefined },
    { causes: 10, limit: undefined, annotations: 9, more: '…and 2 more causes, see the job summary' },
    { causes: 25, limit: undefined, annotations: 9, more: '…and 17 more causes, see the job summary' },
    { causes: 4, limit: 3, annotations: 3, more: '…and 2 more causes, see the job summary' },
    { causes: 0, limit: undefined, annotations: 0, more: undefined }
  ])('$causes causes, limit $limit → $annotations error annotations', c => {
    const causes = Array.from({ length: c.causes }, (_, i) => cause(i))
    annotateCauses(causes, c.limit)
    expect(core.error).toHaveBeenCalledTimes(c.annotations)
    const calls = core.error.mock.calls as unknown as Array<[string, { title: string }]>
    const causeCalls = c.more ? calls.slice(0, -1) : calls
    expect(causeCalls.map(([, p]) => p.title)).toEqual(causes.slice(0, causeCalls.length).map(x => x.title))
    if (c.more) expect(calls.at(-1)![0]).toBe(c.more)
  })

  it('titles are the cause, messages the detail with who had it, log lines stay out', () => {
    annotateCauses(report().causes)
    expect(core.error).toHaveBeenCalledWith(
      '3 tasks (t1, t2, t3): Essential container web exited with code 3',
      {
        title: 'web: container exited with code 3'
      }
    )
    expect(JSON.stringify(core.error.mock.calls)).not.toContain('connecting to db')
  })

  it('a cause from one task or from events says so', () => {
    annotateCauses([
      cause(1),
      { title: 'Deployment failed: tasks failed to start', detail: 'd', count: 2, taskIds: [] }
    ])
    expect(core.error.mock.calls).toEqual([
      ['task t1: Essential container web exited with code 1', { title: 'web: container exited with code 1' }],
      ['2 times: d', { title: 'Deployment failed: tasks failed to start' }]
    ])
  })
})

describe('printCauses', () => {
  it('prints each cause with its log tail underneath', () => {
    printCauses(report().causes)
    const lines = core.info.mock.calls.map(c => c[0])
    expect(lines).toEqual([
      '✖ web: container exited with code 3 — 3 tasks (t1, t2, t3)',
      '    Essential container web exited with code 3',
      '    Last 2 log lines of web (task t1), /ecs/web/ecs/web/t1:',
      '    | connecting to db',
      '    | Error: ```boom``` | <fatal>'
    ])
  })
})

describe('printCauses with hostile text', () => {
  const HOSTILE = [
    '::error::x',
    '  ::add-mask::y',
    'z\r::warning::w',
    '::stop-commands::tok',
    'a ##[group]g',
    'cr\r::error::cr-injected'
  ]

  it('no line of a cause, its detail or its log tail reaches the runner as a command', () => {
    const causes = HOSTILE.map(h =>
      cause(1, {
        title: `t ${h}`,
        detail: `d\n${h}`,
        container: h,
        logGroup: 'g',
        logStream: 's',
        logLines: [h, `x\r\n${h}`]
      })
    )
    printCauses(causes)
    const printed = core.info.mock.calls.map(c => `${String(c[0])}\n`).join('')
    expect(runnerCommands(printed)).toEqual([])
    // Every log tail line keeps its prefix, also after a lone \r.
    expect(printed).toContain('    | cr\n    | ::error::cr-injected')
    expect(printed).toContain('    | z\n    | ::warning::w')
  })
})

describe('summaryHeadline', () => {
  const rb = (status: NonNullable<DeployReport['rollback']>['status'], arn?: string) => ({
    status,
    message: 'm',
    taskDefinitionArn: arn
  })
  const WEB7 = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:7'
  it.each([
    [{}, '❌ web: container `web` exited with code 3 — rolled back to web:7'],
    [{ service: 'shop' }, '❌ shop: container `web` exited with code 3 — rolled back to web:7'],
    [
      { rollback: rb('ecs', WEB7) },
      '❌ web: container `web` exited with code 3 — rolled back by ECS to web:7'
    ],
    [
      { rollback: rb('started', WEB7) },
      '❌ web: container `web` exited with code 3 — rollback started to web:7'
    ],
    [{ rollback: rb('failed', WEB7) }, '❌ web: container `web` exited with code 3 — rollback failed'],
    [{ rollback: rb('skipped') }, '❌ web: container `web` exited with code 3 — not rolled back'],
    [{ rollback: undefined }, '❌ web: container `web` exited with code 3'],
    // A cause without its container keeps diagnose's title, and the service is not said twice.
    [{ causes: [cause(3)] }, '❌ web: container exited with code 3 — rolled back to web:7'],
    [
      { causes: [], outcome: { ...outcome, status: 'timeout' as const } },
      '❌ web: the deployment timed out — rolled back to web:7'
    ],
    [{ causes: [cause(1, { title: 'x'.repeat(200) })] }, `❌ web: ${'x'.repeat(59)}… — rolled back to web:7`],
    [
      { causes: [cause(1, { title: 'a *b* <i>c</i>' })] },
      '❌ web: a \\*b\\* &lt;i&gt;c&lt;/i&gt; — rolled back to web:7'
    ],
    [{ outcome: undefined, headline: 'Input "cluster" is empty.' }, '❌ Input "cluster" is empty.'],
    [{ ok: true, headline: 'Deployment ecs-svc/1 completed' }, '✅ web → web:8 in 41.5 s'],
    [{ ok: true, outcome: undefined }, '✅ web → web:8 started (not waited for)'],
    [{ ok: true, service: undefined }, '✅ Registered web:8 in 41.5 s'],
    [
      {
        outcome: undefined,
        headline: 'docker build exited with code 1:\nStep 5/9 : RUN make\nmake: *** failed'
      },
      '❌ docker build exited with code 1:'
    ]
  ])('%j → %s', (r, expected) => {
    const headline = summaryHeadline(report(r as Partial<DeployReport>))
    expect(headline).toBe(expected)
    expect(headline.length).toBeLessThanOrEqual(90)
  })

  it('names the commit deployed', () => {
    const headline = summaryHeadline(report({ ok: true }), {
      sha: 'A1B2C3D4E5F60718293A4B5C6D7E8F9A0B1C2D3E'
    })
    expect(headline).toBe('✅ web → web:8 (a1b2c3d) in 41.5 s')
  })
})

describe('the summary with hostile text', () => {
  const NASTY = [
    '</details><img src=x onerror=alert(1)>',
    '![x](http://evil.example/x.png)',
    '[click](http://evil.example)',
    'a | b | c',
    'line\n## heading\r- item\r\n| x | y |',
    '```\n</details>\n```',
    '&lt;script&gt; &#60;',
    '<!-- comment -->'
  ]

  const withText = (t: string) =>
    report({
      headline: t,
      service: t,
      cluster: t,
      image: t,
      imageTags: [t],
      deploymentId: t,
      consoleUrl: consoleUrl('eu-west-1', `c)${t}`, t),
      outcome: { ...outcome, message: t, events: [{ id: 'e', createdAt: new Date(0), message: t }] },
      causes: [
        cause(1, { title: t, detail: t, container: t, logGroup: t, logStream: t, logLines: [t, '```', t] })
      ],
      rollback: { status: 'failed', message: t },
      notes: [t]
    })
  /** The summary with each log-tail fence replaced by one line: what Markdown reads as markup. */
  const outsideFences = (text: string) => text.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, 'FENCE')

  it.each(NASTY)('%j: no tag, image, link, table break or new block', nasty => {
    const text = renderSummary(withText(nasty))
    const outside = outsideFences(text)
    // The same lines as with harmless text: nothing ended a row or started a block.
    const lines = outside.split(/\r\n|\r|\n/)
    const benign = outsideFences(renderSummary(withText('benign'))).split('\n')
    expect(lines).toHaveLength(benign.length)
    lines.forEach((line, i) => expect(line.slice(0, 2)).toBe(benign[i].slice(0, 2)))
    // Every table row keeps the cells it has with harmless text.
    const cells = (line: string) => line.replace(/\\\|/g, '').split('|').length
    lines.forEach((line, i) => {
      if (line.startsWith('|')) expect(cells(line)).toBe(cells(benign[i]))
    })
    // No raw HTML but our own collapsed blocks, no image or link syntax other than our console link
    // (code spans are literal).
    const markup = outside
      .replace(/(?<!\\)`[^`]*`/g, 'CODE')
      .replace(/^<details><summary>[^<]*<\/summary>$|^<\/details>$/gm, 'DETAILS')
    expect(markup).not.toMatch(/<[a-z!/]/i)
    expect(markup.replace('[Open the deployment in the ECS console](', '')).not.toMatch(
      /(?<!\\)\[[^\]]*(?<!\\)\]\(/
    )
    // The console link stays one link: its target has no ( ) < > or space.
    const link = /\[Open the deployment in the ECS console\]\(([^)]*)\)/.exec(text)?.[1] ?? ''
    expect(link).toMatch(/^https:\/\/[^\s()<>]+\/deployments\?region=eu-west-1$/)
    // The log tail is fenced longer than any run of backticks in it.
    expect(text).toContain('````text\n')
  })
})

describe('setOutputs', () => {
  it('sets every known output', () => {
    setOutputs(report())
    expect(Object.fromEntries(core.setOutput.mock.calls as unknown as Array<[string, string]>)).toEqual({
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc',
      'image-digest': 'sha256:abc',
      'image-tags': 'sha-1234567,latest',
      'task-definition-arn': TD,
      'deployment-id': 'ecs-svc/1',
      'console-url': URL_
    })
  })

  it('sets only those known (a failure before the update)', () => {
    setOutputs({ ok: false, headline: 'x', causes: [], notes: [], image: 'repo@sha256:1', imageTags: [] })
    expect(core.setOutput.mock.calls).toEqual([['image', 'repo@sha256:1']])
  })
})

describe('consoleUrl', () => {
  it.each([
    [
      'eu-west-1',
      'prod',
      'web',
      'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments?region=eu-west-1'
    ],
    [
      'us-east-1',
      'my cluster',
      'a/b',
      'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/my%20cluster/services/a%2Fb/deployments?region=us-east-1'
    ]
  ])('%s %s %s', (region, cluster, service, url) => {
    expect(consoleUrl(region, cluster, service)).toBe(url)
  })
})

describe('writeSummary', () => {
  it('writes headline, cause first, what changed, rollback, phases, timeline, notes, ids', async () => {
    await writeSummary(report(), {})
    expect(summary.write).toHaveBeenCalledTimes(1)
    const text = summaryText.join('')
    expect(text).toBe(renderSummary(report()))
    expect(text).toMatch(/^## ❌ web: container `web` exited with code 3 — rolled back to web:7\n\n/)
    // Each fact once: the outcome's ids in the details, the rollback in its section.
    expect(text.split(outcome.message)).toHaveLength(2)
    expect(text.split('Service web is back on web:7')).toHaveLength(2)
    // The image once (its digest is in the reference), the revision change, no empty header row.
    expect(text).toContain('| Image `web` | — | `sha256:abc` |')
    expect(text).toContain('| Image | `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:abc` |')
    expect(text).not.toContain('| Image digest |')
    expect(text).toContain('| Task definition | `web:7` | `web:8` |')
    expect(text).not.toMatch(/^\| \| \|/m)
    expect(text).toContain(`| Task definition ARN | \`${TD}\` |`)
    expect(text).toContain('| Deployment | `ecs-svc/1` |')
    expect(text).toContain(`| Console | [Open the deployment in the ECS console](${URL_}) |`)
    // The cause first, then who had it, collapsed.
    expect(text.indexOf('### Why it failed')).toBeLessThan(text.indexOf('### What changed'))
    expect(text).toContain(
      '#### web: container exited with code 3\n\nContainer `web`: Essential container web exited with code 3'
    )
    expect(text).toContain(
      '<details><summary>3 tasks failed the same way</summary>\n\n`t1`, `t2`, `t3`\n\n</details>'
    )
    // The log tail in a fence longer than any run of backticks in it, unescaped.
    expect(text).toContain('````text\nconnecting to db\nError: ```boom``` | <fatal>\n````')
    expect(text).toContain('### Rollback\n\n**Rolled back.** Service web is back on web:7')
    // The timeline: ECS's events short, task ids as code.
    expect(text).toContain('| 12:00:03 | ECS | started 2 tasks: `t1`, `t2` |')
    expect(text).toContain('| 12:00:41 | ECS | stopped 1 task: `t1` |')
    expect(text).toContain('- Could not read logs for init (AccessDeniedException): denied')
    expect(text).toContain('| watch | 41.5 s | ❌ failed |')
  })

  it('escapes table cells and headings', () => {
    const text = renderSummary(
      report({
        outcome: { ...outcome, events: [{ id: 'x', createdAt: new Date(0), message: 'a | b <script> *c*' }] }
      })
    )
    expect(text).toContain('| 00:00:00 | ECS | a \\| b &lt;script&gt; \\*c\\* |')
  })

  it('a failure of several lines: its first line as the headline, the rest fenced once under it', () => {
    const text = renderSummary(
      report({
        outcome: undefined,
        causes: [],
        rollback: undefined,
        headline: 'docker build exited with code 1:\n<b>x</b>\r::error::y'
      })
    )
    expect(text).toMatch(/^## ❌ docker build exited with code 1:\n\n```text\n<b>x<\/b>\n::error::y\n```\n/)
    expect(text.match(/docker build exited/g)).toHaveLength(1)
  })

  it('a success says so and has no causes section', () => {
    const text = renderSummary(
      report({ ok: true, headline: 'Deployed web:8', causes: [], rollback: undefined })
    )
    expect(text).toMatch(/^## ✅ web → web:8 in 41\.5 s\n/)
    expect(text).not.toContain('Why it failed')
    expect(text).not.toContain('### Rollback')
  })

  it("includes the watch's own notes once, and a rollback that was only started", () => {
    const text = renderSummary(
      report({
        notes: ['same note'],
        outcome: {
          ...outcome,
          notes: ['same note', 'Could not read the stopped tasks of ecs-svc/1 (AccessDeniedException): no']
        },
        rollback: { status: 'started', message: 'Rollback to web:7 started; the run was cancelled.' }
      })
    )
    expect(text.match(/same note/g)).toHaveLength(1)
    expect(text).toContain('- Could not read the stopped tasks of ecs-svc/1 (AccessDeniedException): no')
    expect(text).toContain('**Rollback started.** Rollback to web:7 started; the run was cancelled.')
  })

  it('a summary that cannot be written only warns', async () => {
    summary.write.mockRejectedValueOnce(
      new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY')
    )
    await expect(writeSummary(report())).resolves.toBeUndefined()
    expect(core.warning).toHaveBeenCalledWith(
      'Could not write the job summary: Unable to find environment variable for $GITHUB_STEP_SUMMARY'
    )
    expect(core.error).not.toHaveBeenCalled()
  })
})

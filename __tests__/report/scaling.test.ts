/** The summary's auto scaling and post-deploy watch sections, as tables of reports → Markdown. */
import { describe, expect, test } from '@jest/globals'
import { renderAfterWatch, renderScaling } from '../../src/report/scaling.js'
import { renderSummary } from '../../src/report/summary.js'
import type { DeployReport } from '../../src/report/types.js'

const report = (extra: Partial<DeployReport>): DeployReport => ({
  ok: true,
  headline: 'Deployment ecs-svc/1 completed',
  causes: [],
  notes: [],
  ...extra
})
const cpu = (targetValue: number) => ({
  name: 'ecs-deploy-cpu',
  metric: 'ECSServiceAverageCPUUtilization',
  targetValue
})

describe('renderScaling', () => {
  test.each<[string, DeployReport['scaling'], string[]]>([
    [
      'registered now',
      {
        resourceId: 'service/prod/web',
        before: { policies: [] },
        after: { target: { min: 1, max: 4 }, policies: [cpu(50)] },
        changed: true
      },
      [
        '`service/prod/web`: applied before the update.',
        '| Scalable target | not registered | 1–4 tasks |',
        '| `ecs-deploy-cpu` | — | average CPU 50% |'
      ]
    ],
    [
      'unchanged',
      {
        resourceId: 'service/prod/web',
        before: { target: { min: 1, max: 4 }, policies: [cpu(50)] },
        after: { target: { min: 1, max: 4 }, policies: [cpu(50)] },
        changed: false
      },
      ['unchanged (already as the inputs say)', '| `ecs-deploy-cpu` | average CPU 50% | average CPU 50% |']
    ],
    [
      'a policy removed, another kept by name only, requests with cooldowns',
      {
        resourceId: 'service/prod/web',
        before: { target: { min: 2, max: 8 }, policies: [cpu(50), { name: 'team-step' }] },
        after: {
          target: { min: 2, max: 10 },
          policies: [
            { name: 'team-step' },
            {
              name: 'ecs-deploy-requests',
              metric: 'ALBRequestCountPerTarget',
              targetValue: 1000,
              scaleOutCooldown: 60
            }
          ]
        },
        changed: true
      },
      [
        '| Scalable target | 2–8 tasks | 2–10 tasks |',
        '| `ecs-deploy-cpu` | average CPU 50% | — |',
        '| `team-step` | not target tracking | not target tracking |',
        '| `ecs-deploy-requests` | — | ALB requests per target 1000 (cooldown out 60s, in default) |'
      ]
    ]
  ])('%s', (_name, scaling, lines) => {
    const out = renderScaling(report({ scaling })).join('\n')
    expect(out.startsWith('### Auto scaling')).toBe(true)
    for (const line of lines) expect(out).toContain(line)
  })

  test('no scaling inputs: no section', () => {
    expect(renderScaling(report({}))).toEqual([])
  })
})

describe('renderAfterWatch', () => {
  test.each<[string, DeployReport['afterWatch'], string]>([
    [
      'green',
      { minutes: 10, alarms: ['web-5xx', 'p99'], status: 'green' },
      'Watched `web-5xx`, `p99` for 10 minutes after the deployment: none went into ALARM.'
    ],
    [
      'an alarm, its reason made inert',
      {
        minutes: 0.5,
        alarms: ['web-5xx'],
        status: 'alarm',
        alarm: 'web-5xx',
        reason: 'Threshold <b>Crossed</b>'
      },
      'Alarm `web-5xx` went into ALARM within 0.5 minutes after the deployment: Threshold &lt;b&gt;Crossed&lt;/b&gt;'
    ],
    [
      'cancelled',
      { minutes: 1, alarms: [], status: 'cancelled' },
      'Watching no alarms for 1 minute after the deployment: the run was cancelled.'
    ]
  ])('%s', (_name, afterWatch, line) => {
    expect(renderAfterWatch(report({ afterWatch }))).toEqual(['### After the deployment', '', line, ''])
  })

  test('both sections appear in the summary', () => {
    const md = renderSummary(
      report({
        afterWatch: { minutes: 10, alarms: ['web-5xx'], status: 'green' },
        scaling: {
          resourceId: 'service/prod/web',
          before: { policies: [] },
          after: { target: { min: 1, max: 4 }, policies: [cpu(50)] },
          changed: true
        }
      })
    )
    expect(md).toContain('### After the deployment')
    expect(md).toContain('### Auto scaling')
  })
})

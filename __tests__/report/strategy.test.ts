/** The summary's Stages section (src/report/strategy.ts): what it shows for each kind of deployment. */
import { describe, expect, test } from '@jest/globals'
import { renderStrategy } from '../../src/report/strategy.js'
import type { DeployReport } from '../../src/report/types.js'

function report(extra: Partial<DeployReport>): DeployReport {
  return { ok: true, ...extra } as DeployReport
}

const outcome = (stages: Array<{ stage: string; ms: number; traffic?: string }>) =>
  ({ status: 'completed', message: 'done', events: [], stoppedTasks: [], notes: [], stages }) as never

describe('the Stages section', () => {
  test.each<[string, Partial<DeployReport>, string[], string[]]>([
    ['a rolling update with no alarms: no section', { strategy: 'ROLLING' }, [], ['### Stages']],
    [
      'blue/green: the weights each stage ended with, in their own column',
      {
        strategy: 'BLUE_GREEN',
        outcome: outcome([
          { stage: 'SCALE_UP', ms: 4000, traffic: 'production 0% new / 100% old, test 0% new' },
          { stage: 'BAKE_TIME', ms: 15000, traffic: 'production 100% new / 0% old, test 100% new' }
        ])
      },
      [
        '**Strategy:** BLUE\\_GREEN',
        '| Stage | Time | Traffic at its end |',
        '| SCALE\\_UP | 4 s | production 0% new / 100% old, test 0% new |',
        '| BAKE\\_TIME | 15 s | production 100% new / 0% old, test 100% new |'
      ],
      []
    ],
    [
      'stages but no weights seen: two columns',
      { strategy: 'LINEAR', outcome: outcome([{ stage: 'SCALE_UP', ms: 1000 }]) },
      ['| Stage | Time |', '| SCALE\\_UP | 1 s |'],
      ['Traffic at its end']
    ],
    [
      'an alarm that went into ALARM is marked',
      {
        strategy: 'ROLLING',
        alarms: ['web-5xx', 'web-latency'],
        outcome: {
          ...(outcome([]) as object),
          serviceDeployment: { alarms: { triggeredAlarmNames: ['web-5xx'] } }
        } as never
      },
      ['### Stages', '**Alarms:** `web-5xx` (in ALARM), `web-latency`'],
      ['**Strategy:**']
    ]
  ])('%s', (_name, extra, present, absent) => {
    const text = renderStrategy(report(extra)).join('\n')
    for (const p of present) expect(text).toContain(p)
    for (const a of absent) expect(text).not.toContain(a)
  })
})

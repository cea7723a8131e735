/**
 * What `npm run demo` expects of its blue/green and scaling acts (scripts/demo-expect.ts) and which parts of a job
 * summary it shows (scripts/demo-print.ts), as tables. The rolling deploys' rows are in testkit.test.ts.
 */
import { describe, expect, test } from '@jest/globals'
import {
  alarmProblems,
  blueGreenProblems,
  scalingProblems,
  type ScalingSeen,
  type Seen
} from '../scripts/demo-expect.js'
import { summaryParts } from '../scripts/demo-print.js'

const td = (n: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/demo-web:${n}`
const blue = td(2)
const greenArn = td(4)
const bothRunning = new Map([
  [greenArn, ['a3325ef4', '5ec74db1']],
  [blue, ['54288bc4', 'fe633575']]
])
const succeeded: Seen = {
  atBake: bothRunning,
  last: {
    status: 'SUCCESSFUL',
    targetServiceRevision: { requestedProductionTrafficWeight: 100 },
    sourceServiceRevisions: [{ requestedProductionTrafficWeight: 0 }]
  }
}
const greenRun = {
  exitCode: 0,
  errors: [],
  outputs: { 'deployment-id': 'ecs-svc/1', 'task-definition-arn': greenArn },
  output: ''
}

describe('deploy #3, blue/green: green only after the bake', () => {
  test.each([
    { name: 'as expected', run: greenRun, seen: succeeded, on: greenArn, problems: [] },
    {
      name: 'green during the bake',
      run: greenRun,
      seen: { ...succeeded, last: { ...succeeded.last, status: 'IN_PROGRESS' as const } },
      on: greenArn,
      problems: ['the service deployment was IN_PROGRESS when the run ended, not SUCCESSFUL']
    },
    {
      name: 'the bake never seen',
      run: greenRun,
      seen: { last: succeeded.last },
      on: greenArn,
      problems: ['the demo never saw the bake (lifecycle stage BAKE_TIME)']
    },
    {
      name: 'blue gone before the bake',
      run: greenRun,
      seen: { ...succeeded, atBake: new Map([[greenArn, ['a3325ef4']]]) },
      on: greenArn,
      problems: ['no blue task was running in Docker during the bake']
    },
    {
      name: 'no green container',
      run: greenRun,
      seen: { ...succeeded, atBake: new Map([[blue, ['54288bc4']]]) },
      on: greenArn,
      problems: ['no green task was running in Docker during the bake']
    },
    {
      name: 'the watch failed',
      run: greenRun,
      seen: { ...succeeded, error: 'socket hang up' },
      on: greenArn,
      problems: ['the demo could not follow the service deployment: socket hang up']
    },
    {
      name: 'red, traffic not on green, the service elsewhere',
      run: { ...greenRun, exitCode: 1, errors: [{ message: 'x' }] },
      seen: {
        ...succeeded,
        last: { ...succeeded.last, targetServiceRevision: { requestedProductionTrafficWeight: 0 } }
      },
      on: blue,
      problems: [
        'exit code 1',
        '1 error annotation(s)',
        'production traffic on green is 0%, not 100%',
        `the service is on ${blue}, not ${greenArn}`
      ]
    }
  ])('$name', ({ run, seen, on, problems }) => {
    expect(blueGreenProblems(run, seen, on, blue)).toEqual(problems)
  })
})

describe('deploy #4, the alarm in the bake: red, traffic back on blue', () => {
  const alarm = 'demo-web-5xx'
  const blue4 = greenArn
  const green5 = td(5)
  const rolledBack: Seen = {
    atBake: new Map([
      [green5, ['75a475a4']],
      [blue4, ['a3325ef4']]
    ]),
    last: {
      status: 'ROLLBACK_SUCCESSFUL',
      targetServiceRevision: { requestedProductionTrafficWeight: 0 },
      sourceServiceRevisions: [{ requestedProductionTrafficWeight: 100 }]
    }
  }
  const redRun = {
    exitCode: 1,
    errors: [{ title: 'Deployment failed', message: `Rolled back: alarm "${alarm}" went into ALARM` }],
    outputs: { 'task-definition-arn': green5 },
    output: ''
  }
  test.each([
    { name: 'as expected', run: redRun, seen: rolledBack, on: blue4, problems: [] },
    {
      name: 'green: the alarm was missed',
      run: { ...redRun, exitCode: 0, errors: [] },
      seen: {
        ...rolledBack,
        last: {
          status: 'SUCCESSFUL' as const,
          targetServiceRevision: { requestedProductionTrafficWeight: 100 },
          sourceServiceRevisions: [{ requestedProductionTrafficWeight: 0 }]
        }
      },
      on: green5,
      problems: [
        'it exited with code 0',
        `no error annotation naming the alarm "${alarm}"`,
        'the service deployment ended SUCCESSFUL, not ROLLBACK_SUCCESSFUL',
        'production traffic is 100% green / 0% blue, not back on blue',
        `the service is on ${green5}, not still on ${blue4}`
      ]
    },
    {
      name: 'red for another cause',
      run: { ...redRun, errors: [{ title: 'Deployment failed', message: 'tasks failed to start' }] },
      seen: rolledBack,
      on: blue4,
      problems: [`no error annotation naming the alarm "${alarm}"`]
    },
    {
      name: 'stopped without a rollback',
      run: redRun,
      seen: {
        ...rolledBack,
        last: {
          status: 'STOPPED' as const,
          targetServiceRevision: { requestedProductionTrafficWeight: 100 },
          sourceServiceRevisions: [{ requestedProductionTrafficWeight: 0 }]
        }
      },
      on: blue4,
      problems: [
        'the service deployment ended STOPPED, not ROLLBACK_SUCCESSFUL',
        'production traffic is 100% green / 0% blue, not back on blue'
      ]
    }
  ])('$name', ({ run, seen, on, problems }) => {
    expect(alarmProblems(run, seen, on, blue4, alarm)).toEqual(problems)
  })
})

describe('summaryParts: the headline and the named sections, no details block', () => {
  const summary = [
    '## ✅ web → demo-web:4',
    '',
    '### What changed',
    'changes',
    '### Stages',
    '| Stage | Time |',
    '### Timeline',
    '| 01:55:08 | ECS | started |',
    '',
    '<details><summary>Ids and ARNs</summary>',
    '| Cluster | `demo` |',
    '</details>'
  ].join('\n')
  test.each([
    { name: 'all', sections: undefined, shown: summary.split('\n') },
    {
      name: 'Stages and Timeline',
      sections: ['Stages', 'Timeline'],
      shown: [
        '## ✅ web → demo-web:4',
        '### Stages',
        '| Stage | Time |',
        '### Timeline',
        '| 01:55:08 | ECS | started |',
        ''
      ]
    },
    {
      sections: ['Timeline'],
      shown: ['## ✅ web → demo-web:4', '### Timeline', '| 01:55:08 | ECS | started |', '']
    },
    { name: 'a section it lacks', sections: ['Missing'], shown: ['## ✅ web → demo-web:4'] }
  ])('$name', ({ sections, shown }) => {
    expect(summaryParts(summary, sections)).toEqual(shown)
  })
})

describe('deploy #5, auto scaling on CPU: scaled out under load, the chart and the table', () => {
  const chart = [
    '### CPU and memory',
    '',
    '```mermaid',
    '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#d0d7de, #0969da"}}}}%%',
    'xychart-beta',
    '  title "Service CPU and memory"',
    '  line "Service CPU" [1.2, 286.4, 95.3]',
    '```'
  ]
  const table = [
    '### Auto scaling',
    '',
    '|  | Before | After |',
    '|---|---|---|',
    '| Scalable target | not registered | 1–3 tasks |',
    '| `ecs-deploy-cpu` | — | average CPU 50% |'
  ]
  const summary = ['## ✅ web-scaling → demo-web:6', ...chart, '', ...table, ''].join('\n')
  const scaled: ScalingSeen = {
    startDesired: 1,
    peakDesired: 3,
    peakInDocker: 3,
    activities: [{ description: 'Setting desired count to 3.', statusCode: 'Successful' }],
    loadOnAt: 1
  }
  const run = { exitCode: 0, errors: [], outputs: { 'deployment-id': 'ecs-svc/5' }, output: '' }
  const bounds = { min: 1, max: 3 }
  test.each([
    { name: 'as expected', run, seen: scaled, summary, problems: [] },
    {
      name: 'a chart without the init line',
      run,
      seen: scaled,
      summary: summary.replace(/^%%.*%%\n/m, ''),
      problems: []
    },
    {
      name: 'the load never put on',
      run,
      seen: { ...scaled, loadOnAt: undefined, activities: [], peakInDocker: 0, peakDesired: 1 },
      summary,
      problems: [
        'the demo never put load on a task of the new revision',
        'no successful scale-out activity (DescribeScalingActivities)',
        "at most 0 of the service's tasks ran in Docker under load, not ≥ 2"
      ]
    },
    {
      name: 'the scale-out failed (ECS refused the desired count)',
      run,
      seen: {
        ...scaled,
        activities: [{ description: 'Setting desired count to 3.', statusCode: 'Failed' }],
        peakInDocker: 1
      },
      summary,
      problems: [
        'no successful scale-out activity (DescribeScalingActivities)',
        "at most 1 of the service's tasks ran in Docker under load, not ≥ 2"
      ]
    },
    {
      name: 'a scale-in is no scale-out',
      run,
      seen: {
        ...scaled,
        activities: [{ description: 'Setting desired count to 1.', statusCode: 'Successful' }]
      },
      summary,
      problems: ['no successful scale-out activity (DescribeScalingActivities)']
    },
    {
      name: 'desired 3 but the tasks never ran in Docker',
      run,
      seen: { ...scaled, peakInDocker: 1 },
      summary,
      problems: ["at most 1 of the service's tasks ran in Docker under load, not ≥ 2"]
    },
    {
      name: 'red, and the watch failed',
      run: { ...run, exitCode: 1, errors: [{ message: 'x' }] },
      seen: { ...scaled, error: 'socket hang up' },
      summary,
      problems: [
        'exit code 1',
        '1 error annotation(s)',
        'the demo could not follow the service: socket hang up'
      ]
    },
    {
      name: 'no chart (sparklines only)',
      run,
      seen: scaled,
      summary: ['## ✅ web-scaling', 'CPU and memory: no metrics yet for the window.', ...table].join('\n'),
      problems: ['the summary has no CPU and memory chart (xychart-beta)']
    },
    {
      name: 'the target unchanged (a second run)',
      run,
      seen: scaled,
      summary: summary.replace('| not registered | 1–3 tasks |', '| 1–3 tasks | 1–3 tasks |'),
      problems: [
        'the Auto scaling section does not show the scalable target before → after 1–3 tasks (1–3 tasks → 1–3 tasks)'
      ]
    },
    {
      name: 'other bounds',
      run,
      seen: scaled,
      summary: summary.replace('| not registered | 1–3 tasks |', '| not registered | 2–10 tasks |'),
      problems: [
        'the Auto scaling section does not show the scalable target before → after 1–3 tasks (not registered → 2–10 tasks)'
      ]
    },
    {
      name: 'no Auto scaling section',
      run,
      seen: scaled,
      summary: ['## ✅ web-scaling', ...chart].join('\n'),
      problems: [
        'the Auto scaling section does not show the scalable target before → after 1–3 tasks (no row)'
      ]
    }
  ])('$name', ({ run, seen, summary, problems }) => {
    expect(scalingProblems(run, seen, summary, bounds)).toEqual(problems)
  })
})

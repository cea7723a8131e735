import { describe, expect, test } from '@jest/globals'
import type { DeploymentLifecycleHookDetail, ServiceDeployment } from '@aws-sdk/client-ecs'
import type { OnPause } from '../src/inputs.js'
import { pauseResponse, pauseText } from '../src/pause.js'

const SD = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/prod/web/Sd9'
const URL = 'https://eu-west-1.console.aws.amazon.com/ecs/v2/clusters/prod/services/web/deployments'
const hook: DeploymentLifecycleHookDetail = {
  hookId: 'gate',
  targetType: 'PAUSE',
  status: 'AWAITING_ACTION',
  expiresAt: new Date('2026-01-01T10:00:00Z'),
  timeoutAction: 'ROLLBACK'
}
const deployment: ServiceDeployment = { serviceDeploymentArn: SD, lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' }

describe('on-pause', () => {
  test.each<[OnPause, ReturnType<typeof pauseResponse>]>([
    ['wait', { end: false }],
    ['continue', { answer: 'CONTINUE', end: false }],
    ['rollback', { answer: 'ROLLBACK', end: false }],
    ['return', { end: true }]
  ])('%s → %j', (onPause, response) => {
    expect(pauseResponse(onPause)).toEqual(response)
  })

  test.each<[OnPause, RegExp]>([
    [
      'wait',
      /^Service deployment Sd9 is paused at hook gate in stage POST_TEST_TRAFFIC_SHIFT\. Waiting until it is continued elsewhere \(ContinueServiceDeployment\)\. Unless it is continued, ECS will rollback at 2026-01-01T10:00:00\.000Z\. Console: https:/
    ],
    [
      'return',
      /The step ends here \(on-pause: return\); continue it with a step that has resume: arn:aws:ecs:.*Sd9 Console: /
    ],
    ['continue', /paused at hook gate .*Continuing it \(on-pause: continue\)\.$/],
    ['rollback', /Rolling it back \(on-pause: rollback\)\.$/]
  ])('the notice for %s', (onPause, text) => {
    expect(pauseText(hook, deployment, onPause, URL)).toMatch(text)
  })

  test('a hook without an expiry says nothing of a timeout', () => {
    expect(pauseText({ hookId: 'gate' }, deployment, 'wait')).not.toMatch(/Unless/)
  })
})

import { beforeEach, describe, expect, it } from '@jest/globals'
import { DescribeServicesCommand, type ServiceEvent } from '@aws-sdk/client-ecs'
import { EVENT_SLACK_MS, eventKey, newEvents } from '../../src/watch/events.js'
import { watchDeployment } from '../../src/watch/loop.js'
import { at, ours, old, svc, fakeClock, options, ecsMock, resetEcsMock } from './fixtures.js'

beforeEach(resetEcsMock)

describe('watchDeployment: events', () => {
  it('streams each event since the update once, oldest first', async () => {
    const e = (id: string, seconds: number, message: string): ServiceEvent => ({
      id,
      createdAt: at(seconds),
      message
    })
    const before = e('e0', -120, '(service web) has reached a steady state.')
    const e1 = e('e1', 1, '(service web) has started 2 tasks: (task a) (task b).')
    const e2 = e('e2', 5, '(service web) has stopped 1 running tasks: (task a).')
    const e3 = e('e3', 5, '(service web) has started 1 tasks: (task c).') // same second, listed first = newer
    const e4 = e('e4', 12, '(service web) (deployment ecs-svc/1111) deployment completed.')
    const slack = e('e5', -0.5, '(service web) updated computedDesiredCount for taskSet') // within the 1 s slack
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([ours(), old()], [e1, slack, before]))
      .resolvesOnce(svc([ours(), old()], [e3, e2, e1, slack, before]))
      .resolvesOnce(svc([ours(), old()], [e3, e2, e1, slack, before]))
      .resolves(svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })], [e4, e3, e2, e1, slack, before]))
    const streamed: string[] = []

    const outcome = await watchDeployment(options(fakeClock(), { onEvent: ev => streamed.push(ev.id!) }))

    expect(streamed).toEqual(['e5', 'e1', 'e2', 'e3', 'e4'])
    expect(outcome.events.map(ev => ev.id)).toEqual(streamed)
  })

  it('never reports events the service already had before the update, even within the slack', async () => {
    const slack = { id: 'e5', createdAt: at(-0.5), message: '(service web) has reached a steady state.' }
    const mine = {
      id: 'e6',
      createdAt: at(1),
      message: '(service web) has started 2 tasks: (task a) (task b).'
    }
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([ours(), old()], [mine, slack]))
      .resolves(svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })], [mine, slack]))
    const streamed: string[] = []

    await watchDeployment(
      options(fakeClock(), { knownEventIds: ['e5'], onEvent: ev => streamed.push(ev.id!) })
    )

    expect(streamed).toEqual(['e6'])
  })
})

describe('newEvents: ours and new, oldest first (pure)', () => {
  const e = (id: string, seconds: number): ServiceEvent => ({ id, createdAt: at(seconds), message: id })
  const sinceMs = at(0).getTime() - EVENT_SLACK_MS
  it.each<[string, ServiceEvent[], string[], string[]]>([
    ['newest first in, oldest first out', [e('c', 3), e('b', 2), e('a', 1)], [], ['a', 'b', 'c']],
    ['before the update (beyond the slack) is not ours', [e('b', 2), e('a', -5)], [], ['b']],
    ['within the 1 s slack is ours', [e('a', -0.5)], [], ['a']],
    ['already seen (or on the service before the update) is not new', [e('b', 2), e('a', 1)], ['a'], ['b']],
    [
      'same time: ECS lists the newer first, so the order is reversed',
      [e('y', 5), e('x', 5)],
      [],
      ['x', 'y']
    ],
    ['no time: not ours', [{ id: 'n', message: 'n' }], [], []]
  ])('%s', (_name, listed, seen, expected) => {
    expect(newEvents(listed, { sinceMs, seen: new Set(seen) }).map(ev => ev.id)).toEqual(expected)
  })

  it('an event without an id is known by its time and text', () => {
    const noId: ServiceEvent = { createdAt: at(1), message: 'has started 1 tasks' }
    expect(eventKey(noId)).toBe(`${at(1).getTime()}|has started 1 tasks`)
    expect(newEvents([noId], { sinceMs, seen: new Set([eventKey(noId)]) })).toEqual([])
  })
})

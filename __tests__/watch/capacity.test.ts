/** The capacity reads behind "unable to place a task" (mocked ECS), and what the wait does with them. */
import { beforeEach, describe, expect, it } from '@jest/globals'
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ListContainerInstancesCommand,
  type Service
} from '@aws-sdk/client-ecs'
import { capacityWatcher, checkCapacity } from '../../src/watch/capacity.js'
import { watchDeployment } from '../../src/watch/loop.js'
import type { PlacementFinding } from '../../src/diagnose/placement.js'
import {
  at,
  awsError,
  callsOf,
  ecs,
  ecsMock,
  fakeClock,
  options,
  ours,
  old,
  resetEcsMock,
  svc
} from './fixtures.js'

beforeEach(resetEcsMock)

const EVENT =
  '(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 0a1b) has insufficient memory available. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
const NEEDS = { cpu: 256, memory: 512, ports: [] }

function instancesLeft(memory: number) {
  ecsMock
    .on(ListContainerInstancesCommand)
    .resolves({ containerInstanceArns: ['arn:aws:ecs:eu-west-1:1:container-instance/prod/0a1b'] })
  ecsMock.on(DescribeContainerInstancesCommand).resolves({
    containerInstances: [
      {
        containerInstanceArn: 'arn:aws:ecs:eu-west-1:1:container-instance/prod/0a1b',
        remainingResources: [
          { name: 'CPU', type: 'INTEGER', integerValue: 768 },
          { name: 'MEMORY', type: 'INTEGER', integerValue: memory },
          { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22'] }
        ]
      }
    ]
  })
}

function provider(status: 'ENABLED' | 'DISABLED') {
  ecsMock.on(DescribeCapacityProvidersCommand).resolves({
    capacityProviders: [
      {
        name: 'asg-cp',
        autoScalingGroupProvider: { autoScalingGroupArn: 'arn:asg', managedScaling: { status } }
      }
    ]
  })
}

describe('checkCapacity', () => {
  it.each([
    {
      name: "the service's own strategy, managed scaling on: wait",
      service: { capacityProviderStrategy: [{ capacityProvider: 'asg-cp' }] },
      scaling: 'ENABLED' as const,
      action: 'wait',
      clusterRead: 0
    },
    {
      name: 'the cluster default (no launch type), managed scaling off: fail',
      service: {},
      scaling: 'DISABLED' as const,
      action: 'fail',
      clusterRead: 1
    },
    {
      name: 'launchType EC2: no provider, fail without reading providers',
      service: { launchType: 'EC2' },
      scaling: undefined,
      action: 'fail',
      clusterRead: 0
    }
  ])('$name', async ({ service, scaling, action, clusterRead }) => {
    instancesLeft(256)
    ecsMock
      .on(DescribeClustersCommand)
      .resolves({ clusters: [{ defaultCapacityProviderStrategy: [{ capacityProvider: 'asg-cp' }] }] })
    if (scaling) provider(scaling)
    const check = await checkCapacity(ecs, {
      cluster: 'prod',
      event: EVENT,
      service: service as Service,
      needs: NEEDS
    })
    expect(check.finding).toMatchObject({ action, resource: 'memory' })
    expect(check.finding?.detail).toContain(
      'the task needs 512 MiB; the most the container instance has left is 256 MiB'
    )
    expect(callsOf(DescribeClustersCommand)).toBe(clusterRead)
    expect(callsOf(DescribeCapacityProvidersCommand)).toBe(scaling ? 1 : 0)
  })

  it('a refused read is a note naming the permission, not a failure', async () => {
    ecsMock.on(ListContainerInstancesCommand).rejects(awsError('AccessDeniedException', 'not allowed', 400))
    const check = await checkCapacity(ecs, {
      cluster: 'prod',
      event: EVENT,
      service: { launchType: 'EC2' },
      needs: NEEDS
    })
    expect(check.finding).toBeUndefined()
    expect(check.note).toMatch(
      /^Could not tell which resource ran out: ListContainerInstances \(cluster prod\): AccessDeniedException: not allowed \(check permission ecs:ListContainerInstances\)$/
    )
  })
})

describe('the wait with onUnplaced', () => {
  const unplaced = [{ id: 'e1', createdAt: at(5), message: EVENT }]

  it('fails fast when no instance will be added, with the finding on the outcome', async () => {
    instancesLeft(256)
    ecsMock.on(DescribeClustersCommand).resolves({ clusters: [{ defaultCapacityProviderStrategy: [] }] })
    ecsMock.on(DescribeServicesCommand).resolves({ ...svc([ours(), old()], unplaced) })
    const clock = fakeClock()
    const seen: PlacementFinding[] = []
    const outcome = await watchDeployment(
      options(clock, { onUnplaced: capacityWatcher(ecs, 'prod', NEEDS, f => seen.push(f)) })
    )
    expect(outcome.status).toBe('failed')
    expect(outcome.message).toBe(
      'Deployment ecs-svc/1111 cannot place its tasks: not enough memory on any container instance'
    )
    expect(outcome.capacity).toMatchObject({ action: 'fail', resource: 'memory' })
    expect(outcome.capacity?.hint).toMatch(/add container instances/)
    expect(seen).toEqual([])
    expect(callsOf(DescribeServicesCommand)).toBe(1)
  })

  it('keeps waiting when managed scaling adds instances, tells once, and completes', async () => {
    instancesLeft(256)
    provider('ENABLED')
    const withEvent = svc([ours(), old()], unplaced)
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({
        ...withEvent,
        services: [{ ...withEvent.services![0], capacityProviderStrategy: [{ capacityProvider: 'asg-cp' }] }]
      })
      .resolvesOnce(svc([ours({ runningCount: 1 }), old()], unplaced))
      .resolves(svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })], unplaced))
    const clock = fakeClock()
    const seen: PlacementFinding[] = []
    const outcome = await watchDeployment(
      options(clock, { onUnplaced: capacityWatcher(ecs, 'prod', NEEDS, f => seen.push(f)) })
    )
    expect(outcome.status).toBe('completed')
    expect(outcome.capacity).toMatchObject({ action: 'wait', resource: 'memory', provider: 'asg-cp' })
    expect(seen).toHaveLength(1)
    // The same event is not checked twice.
    expect(callsOf(ListContainerInstancesCommand)).toBe(1)
  })

  it('a read that fails leaves the wait as it was, with a note', async () => {
    ecsMock.on(ListContainerInstancesCommand).rejects(awsError('AccessDeniedException', 'no', 400))
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce(svc([ours(), old()], unplaced))
      .resolves(svc([ours({ runningCount: 2, rolloutState: 'COMPLETED' })], unplaced))
    const outcome = await watchDeployment(
      options(fakeClock(), { onUnplaced: capacityWatcher(ecs, 'prod', NEEDS, () => {}) })
    )
    expect(outcome.status).toBe('completed')
    expect(outcome.capacity).toBeUndefined()
    expect(outcome.notes).toEqual([
      expect.stringMatching(/^Could not tell which resource ran out: ListContainerInstances/)
    ])
  })
})

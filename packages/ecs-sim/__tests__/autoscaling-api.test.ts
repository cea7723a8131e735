/**
 * The local Application Auto Scaling through the real SDK client (@aws-sdk/client-application-auto-scaling) against
 * a started sim with the scripted backend: each operation and what it answers (the refusals are in
 * autoscaling-refusals.test.ts, the alarms in autoscaling-alarms.test.ts), the metric each predefined type
 * reads, and injected faults.
 */
import { describe, expect, it } from '@jest/globals'
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand
} from '@aws-sdk/client-application-auto-scaling'
import { DeleteServiceCommand } from '@aws-sdk/client-ecs'
import { predefinedMetric } from '../autoscaling/policies.js'
import { getCalls, setFaults } from '../testing.js'
import { aasWorld, cpu, dim, ns, rid, target } from './autoscaling-helpers.js'
import { errorOf, service, waitFor } from './helpers.js'

const w = aasWorld()

describe('scalable targets', () => {
  it('RegisterScalableTarget creates, answers its ARN, and DescribeScalableTargets shows it', async () => {
    const before = Date.now()
    const out = await w.aas.send(
      new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 })
    )
    expect(out.ScalableTargetARN).toMatch(
      /^arn:aws:application-autoscaling:eu-west-1:\d{12}:scalable-target\/[0-9a-f]+$/
    )
    const { ScalableTargets } = await w.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns }))
    expect(ScalableTargets).toEqual([
      {
        ServiceNamespace: ns,
        ResourceId: rid,
        ScalableDimension: dim,
        MinCapacity: 1,
        MaxCapacity: 4,
        RoleARN: expect.stringMatching(/AWSServiceRoleForApplicationAutoScaling_ECSService$/),
        CreationTime: expect.any(Date),
        SuspendedState: {
          DynamicScalingInSuspended: false,
          DynamicScalingOutSuspended: false,
          ScheduledScalingSuspended: false
        },
        ScalableTargetARN: out.ScalableTargetARN
      }
    ])
    expect(ScalableTargets![0].CreationTime!.getTime()).toBeGreaterThanOrEqual(before - 1000)
    // The call log names the service by its signing name.
    const calls = await getCalls(w.sim.url, 'RegisterScalableTarget')
    expect(calls[0]).toMatchObject({ service: 'application-autoscaling', status: 200 })
    expect(calls[0].request).toMatchObject({ ResourceId: rid, MinCapacity: 1, MaxCapacity: 4 })
  })

  it('registering again is idempotent and updates only what it names (same ARN)', async () => {
    const first = await w.aas.send(
      new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 })
    )
    const again = await w.aas.send(
      new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 })
    )
    expect(again.ScalableTargetARN).toBe(first.ScalableTargetARN)
    await w.aas.send(
      new RegisterScalableTargetCommand({
        ...target,
        MaxCapacity: 6,
        SuspendedState: { DynamicScalingInSuspended: true }
      })
    )
    const [t] = (
      await w.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns, ResourceIds: [rid] }))
    ).ScalableTargets!
    expect(t).toMatchObject({
      MinCapacity: 1,
      MaxCapacity: 6,
      SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false }
    })
    const other = await w.aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: ns, ResourceIds: ['service/aas-api/other'] })
    )
    expect(other.ScalableTargets).toEqual([])
  })

  it('a new range clamps the desired count at once, through UpdateService, and says so in an activity', async () => {
    await w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 2, MaxCapacity: 4 }))
    expect((await service(w.ecs, 'aas-api', 'web')).desiredCount).toBe(2)
    await waitFor(
      '2 running',
      () => service(w.ecs, 'aas-api', 'web'),
      s => s.runningCount === 2
    )
    await w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 0, MaxCapacity: 1 }))
    expect((await service(w.ecs, 'aas-api', 'web')).desiredCount).toBe(1)
    const { ScalingActivities } = await w.aas.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: ns, ResourceId: rid, ScalableDimension: dim })
    )
    expect(ScalingActivities!.map(a => [a.Description, a.Cause, a.StatusCode])).toEqual([
      ['Setting desired count to 1.', 'maximum capacity was set to 1', 'Successful'],
      ['Setting desired count to 2.', 'minimum capacity was set to 2', 'Successful']
    ])
    expect(ScalingActivities![0]).toMatchObject({
      ServiceNamespace: ns,
      ScalableDimension: dim,
      ResourceId: rid,
      ActivityId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      StartTime: expect.any(Date),
      EndTime: expect.any(Date),
      StatusMessage: 'Successfully set desired count to 1. Change successfully fulfilled by ecs.'
    })
  })

  it('DeregisterScalableTarget removes the target and its policies', async () => {
    await w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
    await w.aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: cpu(50)
      })
    )
    await w.aas.send(new DeregisterScalableTargetCommand(target))
    expect(
      (await w.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns }))).ScalableTargets
    ).toEqual([])
    expect(
      (await w.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: ns }))).ScalingPolicies
    ).toEqual([])
  })

  it('deleting the ECS service deregisters its target', async () => {
    await w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 0, MaxCapacity: 4 }))
    await w.ecs.send(new DeleteServiceCommand({ cluster: 'aas-api', service: 'web', force: true }))
    await waitFor(
      'target gone',
      async () =>
        (await w.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns }))).ScalableTargets!,
      ts => ts.length === 0
    )
  })
})

describe('scaling policies', () => {
  beforeEach(async () => {
    await w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
  })

  it('PutScalingPolicy answers the PolicyARN and its two alarms; DescribeScalingPolicies shows the policy', async () => {
    const config = { ...cpu(50), ScaleOutCooldown: 60, ScaleInCooldown: 120 }
    const out = await w.aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'cpu50',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: config
      })
    )
    expect(out.PolicyARN).toMatch(
      /^arn:aws:autoscaling:eu-west-1:\d{12}:scalingPolicy:[0-9a-f-]{36}:resource\/ecs\/service\/aas-api\/web:policyName\/cpu50$/
    )
    expect(out.Alarms!.map(a => a.AlarmName)).toEqual([
      expect.stringMatching(/^TargetTracking-service\/aas-api\/web-AlarmHigh-[0-9a-f-]{36}$/),
      expect.stringMatching(/^TargetTracking-service\/aas-api\/web-AlarmLow-[0-9a-f-]{36}$/)
    ])
    expect(out.Alarms![0].AlarmARN).toBe(
      `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${out.Alarms![0].AlarmName}`
    )
    const { ScalingPolicies } = await w.aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: ns, ResourceId: rid })
    )
    expect(ScalingPolicies).toEqual([
      {
        PolicyARN: out.PolicyARN,
        PolicyName: 'cpu50',
        ServiceNamespace: ns,
        ResourceId: rid,
        ScalableDimension: dim,
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: config,
        Alarms: out.Alarms,
        CreationTime: expect.any(Date)
      }
    ])
  })

  it('putting it again updates it in place (same ARN); DisableScaleIn leaves only AlarmHigh', async () => {
    const put = (c: object) =>
      w.aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: 'cpu',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { ...cpu(50), ...c }
        })
      )
    const first = await put({})
    const second = await put({ TargetValue: 70, DisableScaleIn: true })
    expect(second.PolicyARN).toBe(first.PolicyARN)
    expect(second.Alarms).toEqual([first.Alarms![0]])
    const { ScalingPolicies } = await w.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: ns }))
    expect(ScalingPolicies!.map(p => p.TargetTrackingScalingPolicyConfiguration!.TargetValue)).toEqual([70])
  })

  it('memory, ALB requests per target (with its ResourceLabel) and a customized metric are accepted', async () => {
    const label = 'app/my-alb/778d41231b141a0f/targetgroup/my-tg/943f017f100becff'
    for (const [name, spec] of [
      [
        'mem',
        { PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' } }
      ],
      [
        'alb',
        {
          PredefinedMetricSpecification: {
            PredefinedMetricType: 'ALBRequestCountPerTarget',
            ResourceLabel: label
          }
        }
      ],
      [
        'custom',
        { CustomizedMetricSpecification: { Namespace: 'App', MetricName: 'Queue', Statistic: 'Average' } }
      ]
    ] as const)
      await w.aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: name,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, ...spec }
        })
      )
    const names = (
      await w.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: ns }))
    ).ScalingPolicies!.map(p => p.PolicyName)
    expect(names).toEqual(['mem', 'alb', 'custom'])
    const some = await w.aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: ns, PolicyNames: ['alb'] })
    )
    expect(some.ScalingPolicies!.map(p => p.PolicyName)).toEqual(['alb'])
    const paged = await w.aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: ns, MaxResults: 2 })
    )
    expect(paged.ScalingPolicies).toHaveLength(2)
    const rest = await w.aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: ns, NextToken: paged.NextToken })
    )
    expect(rest.ScalingPolicies!.map(p => p.PolicyName)).toEqual(['custom'])
    expect(rest.NextToken).toBeUndefined()
  })

  it('DeleteScalingPolicy removes it', async () => {
    await w.aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: cpu(50)
      })
    )
    await w.aas.send(new DeleteScalingPolicyCommand({ ...target, PolicyName: 'cpu' }))
    expect(
      (await w.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: ns }))).ScalingPolicies
    ).toEqual([])
  })
})

describe('the metric each predefined type names (what the loop reads from the metric store)', () => {
  it.each<[string, string | undefined, object]>([
    [
      'ECSServiceAverageCPUUtilization',
      undefined,
      {
        namespace: 'AWS/ECS',
        metricName: 'CPUUtilization',
        statistic: 'Average',
        dimensions: [
          { Name: 'ClusterName', Value: 'c' },
          { Name: 'ServiceName', Value: 's' }
        ]
      }
    ],
    [
      'ECSServiceAverageMemoryUtilization',
      undefined,
      {
        namespace: 'AWS/ECS',
        metricName: 'MemoryUtilization',
        statistic: 'Average',
        dimensions: [
          { Name: 'ClusterName', Value: 'c' },
          { Name: 'ServiceName', Value: 's' }
        ]
      }
    ],
    [
      'ALBRequestCountPerTarget',
      'app/my-alb/778d41231b141a0f/targetgroup/my-tg/943f017f100becff',
      {
        namespace: 'AWS/ApplicationELB',
        metricName: 'RequestCountPerTarget',
        statistic: 'Sum',
        dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/my-tg/943f017f100becff' }]
      }
    ]
  ])('%s', (type, label, metric) => {
    expect(predefinedMetric(type, label, 'c', 's')).toEqual(metric)
  })
})

describe('faults', () => {
  it.each([
    ['error', { errorRate: 1 }, 'InternalServiceException', 500],
    ['throttle', { throttleRate: 1 }, 'ThrottlingException', 400]
  ] as const)('an injected %s is what Application Auto Scaling answers', async (_, rates, name, status) => {
    await setFaults(w.sim.url, { ...rates, operations: ['DescribeScalableTargets'] })
    const err = await errorOf(w.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns })))
    expect([err.name, err.$metadata.httpStatusCode]).toEqual([name, status])
    const [call] = await getCalls(w.sim.url, 'DescribeScalableTargets')
    expect(call).toMatchObject({ service: 'application-autoscaling', error: name, faultDraw: 0 })
  })
})

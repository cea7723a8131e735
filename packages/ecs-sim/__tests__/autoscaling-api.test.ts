/**
 * The local Application Auto Scaling through the real SDK client (@aws-sdk/client-application-auto-scaling) against
 * a started sim with the scripted backend: each operation, what it answers, and its refusals as AWS words them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand
} from '@aws-sdk/client-application-auto-scaling'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import { predefinedMetric } from '../autoscaling/policies.js'
import { getCalls, reset, RunningSim, setFaults, startSim } from '../testing.js'
import { clients, errorOf, service, waitFor } from './helpers.js'

let sim: RunningSim
let ecs: ECSClient
let aas: ApplicationAutoScalingClient

const ns = 'ecs' as const
const dim = 'ecs:service:DesiredCount' as const
const rid = 'service/aas-api/web'
const TG_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/my-tg/943f017f100becff'
const target = { ServiceNamespace: ns, ScalableDimension: dim, ResourceId: rid }
const cpu = (value: number) => ({
  TargetValue: value,
  PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' as const }
})

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.02 })
  ecs = clients(sim.url).ecs
  aas = new ApplicationAutoScalingClient({
    endpoint: sim.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' },
    maxAttempts: 1
  })
})

afterAll(async () => {
  await sim?.stop()
})

beforeEach(async () => {
  await reset(sim.url)
  await ecs.send(new CreateClusterCommand({ clusterName: 'aas-api' }))
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      containerDefinitions: [{ name: 'a', image: 'x:1', memory: 128 }]
    })
  )
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'aas-api',
      serviceName: 'web',
      taskDefinition: 'web',
      desiredCount: 1,
      loadBalancers: [{ targetGroupArn: TG_ARN, containerName: 'a', containerPort: 80 }]
    })
  )
})

describe('scalable targets', () => {
  it('RegisterScalableTarget creates, answers its ARN, and DescribeScalableTargets shows it', async () => {
    const before = Date.now()
    const out = await aas.send(
      new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 })
    )
    expect(out.ScalableTargetARN).toMatch(
      /^arn:aws:application-autoscaling:eu-west-1:\d{12}:scalable-target\/[0-9a-f]+$/
    )
    const { ScalableTargets } = await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns }))
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
    const calls = await getCalls(sim.url, 'RegisterScalableTarget')
    expect(calls[0]).toMatchObject({ service: 'application-autoscaling', status: 200 })
    expect(calls[0].request).toMatchObject({ ResourceId: rid, MinCapacity: 1, MaxCapacity: 4 })
  })

  it('registering again is idempotent and updates only what it names (same ARN)', async () => {
    const first = await aas.send(
      new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 })
    )
    const again = await aas.send(
      new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 })
    )
    expect(again.ScalableTargetARN).toBe(first.ScalableTargetARN)
    await aas.send(
      new RegisterScalableTargetCommand({
        ...target,
        MaxCapacity: 6,
        SuspendedState: { DynamicScalingInSuspended: true }
      })
    )
    const [t] = (
      await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns, ResourceIds: [rid] }))
    ).ScalableTargets!
    expect(t).toMatchObject({
      MinCapacity: 1,
      MaxCapacity: 6,
      SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: false }
    })
    const other = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: ns, ResourceIds: ['service/aas-api/other'] })
    )
    expect(other.ScalableTargets).toEqual([])
  })

  it('a new range clamps the desired count at once, through UpdateService, and says so in an activity', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 2, MaxCapacity: 4 }))
    expect((await service(ecs, 'aas-api', 'web')).desiredCount).toBe(2)
    await waitFor(
      '2 running',
      () => service(ecs, 'aas-api', 'web'),
      s => s.runningCount === 2
    )
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 0, MaxCapacity: 1 }))
    expect((await service(ecs, 'aas-api', 'web')).desiredCount).toBe(1)
    const { ScalingActivities } = await aas.send(
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
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
    await aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: cpu(50)
      })
    )
    await aas.send(new DeregisterScalableTargetCommand(target))
    expect(
      (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns }))).ScalableTargets
    ).toEqual([])
    expect(
      (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: ns }))).ScalingPolicies
    ).toEqual([])
  })

  it('deleting the ECS service deregisters its target', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 0, MaxCapacity: 4 }))
    await ecs.send(new DeleteServiceCommand({ cluster: 'aas-api', service: 'web', force: true }))
    await waitFor(
      'target gone',
      async () =>
        (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns }))).ScalableTargets!,
      ts => ts.length === 0
    )
  })
})

describe('scaling policies', () => {
  beforeEach(async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
  })

  it('PutScalingPolicy answers the PolicyARN and its two alarms; DescribeScalingPolicies shows the policy', async () => {
    const config = { ...cpu(50), ScaleOutCooldown: 60, ScaleInCooldown: 120 }
    const out = await aas.send(
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
    const { ScalingPolicies } = await aas.send(
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
      aas.send(
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
    const { ScalingPolicies } = await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: ns }))
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
      await aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: name,
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, ...spec }
        })
      )
    const names = (
      await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: ns }))
    ).ScalingPolicies!.map(p => p.PolicyName)
    expect(names).toEqual(['mem', 'alb', 'custom'])
    const some = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: ns, PolicyNames: ['alb'] })
    )
    expect(some.ScalingPolicies!.map(p => p.PolicyName)).toEqual(['alb'])
    const paged = await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: ns, MaxResults: 2 }))
    expect(paged.ScalingPolicies).toHaveLength(2)
    const rest = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: ns, NextToken: paged.NextToken })
    )
    expect(rest.ScalingPolicies!.map(p => p.PolicyName)).toEqual(['custom'])
    expect(rest.NextToken).toBeUndefined()
  })

  it('DeleteScalingPolicy removes it', async () => {
    await aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: cpu(50)
      })
    )
    await aas.send(new DeleteScalingPolicyCommand({ ...target, PolicyName: 'cpu' }))
    expect(
      (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: ns }))).ScalingPolicies
    ).toEqual([])
  })
})

const tt = (config: object, name = 'p') =>
  new PutScalingPolicyCommand({
    ...target,
    PolicyName: name,
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: config as never
  })

describe('refusals', () => {
  it.each<[string, () => Promise<unknown>, string, string | RegExp]>([
    [
      'a policy for an unregistered target',
      () => aas.send(tt(cpu(50))),
      'ObjectNotFoundException',
      `No scalable target registered for service namespace: ecs, resource ID: ${rid}, scalable dimension: ${dim}`
    ],
    [
      'deregistering an unknown target',
      () => aas.send(new DeregisterScalableTargetCommand(target)),
      'ObjectNotFoundException',
      `No scalable target found for service namespace: ecs, resource ID: ${rid}, scalable dimension: ${dim}`
    ],
    [
      'deleting an unknown policy',
      () => aas.send(new DeleteScalingPolicyCommand({ ...target, PolicyName: 'nope' })),
      'ObjectNotFoundException',
      `No scaling policy found for service namespace: ecs, resource ID: ${rid}, scalable dimension: ${dim}, policy name: nope`
    ],
    [
      'min > max',
      () => aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 5, MaxCapacity: 2 })),
      'ValidationException',
      'Minimum capacity cannot be greater than maximum capacity'
    ],
    [
      'an unknown service',
      () =>
        aas.send(
          new RegisterScalableTargetCommand({
            ...target,
            ResourceId: 'service/aas-api/nope',
            MinCapacity: 1,
            MaxCapacity: 2
          })
        ),
      'ValidationException',
      "ECS service doesn't exist: service/aas-api/nope"
    ],
    [
      'an unknown cluster',
      () =>
        aas.send(
          new RegisterScalableTargetCommand({
            ...target,
            ResourceId: 'service/nope/web',
            MinCapacity: 1,
            MaxCapacity: 2
          })
        ),
      'ValidationException',
      "ECS service doesn't exist: service/nope/web"
    ],
    [
      'a new target without a maximum',
      () => aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1 })),
      'ValidationException',
      /MinCapacity and MaxCapacity are required/
    ],
    [
      'a negative capacity',
      () => aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: -1, MaxCapacity: 2 })),
      'ValidationException',
      "1 validation error detected: Value '-1' at 'minCapacity' failed to satisfy constraint: Member must have value greater than or equal to 0"
    ],
    [
      'a resource ID that is not service/<cluster>/<service>',
      () =>
        aas.send(
          new RegisterScalableTargetCommand({ ...target, ResourceId: 'web', MinCapacity: 1, MaxCapacity: 2 })
        ),
      'ValidationException',
      'Unsupported service namespace, resource type or scalable dimension'
    ],
    [
      'another dimension for ecs',
      () =>
        aas.send(
          new RegisterScalableTargetCommand({
            ...target,
            ScalableDimension: 'dynamodb:table:ReadCapacityUnits',
            MinCapacity: 1,
            MaxCapacity: 2
          })
        ),
      'ValidationException',
      'Unsupported service namespace, resource type or scalable dimension'
    ],
    [
      'no namespace',
      () => aas.send(new DescribeScalableTargetsCommand({} as never)),
      'ValidationException',
      "1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null"
    ],
    [
      'a bad NextToken',
      () => aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns, NextToken: 'bm9wZQ==' })),
      'InvalidNextTokenException',
      'Invalid NextToken.'
    ]
  ])('%s', async (_, call, name, message) => {
    const err = await errorOf(call())
    expect(err.name).toBe(name)
    if (typeof message === 'string') expect(err.message).toBe(message)
    else expect(err.message).toMatch(message)
    expect(err.$metadata.httpStatusCode).toBe(400)
  })

  it.each<[string, object, RegExp]>([
    [
      'no metric',
      { TargetValue: 50 },
      /Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification/
    ],
    [
      'both metrics',
      {
        ...cpu(50),
        CustomizedMetricSpecification: { Namespace: 'A', MetricName: 'B', Statistic: 'Average' }
      },
      /Exactly one of/
    ],
    [
      'no target value',
      { PredefinedMetricSpecification: cpu(1).PredefinedMetricSpecification },
      /TargetValue is required/
    ],
    [
      'a metric type of another service',
      {
        TargetValue: 50,
        PredefinedMetricSpecification: { PredefinedMetricType: 'DynamoDBReadCapacityUtilization' }
      },
      /Unsupported metric type DynamoDBReadCapacityUtilization/
    ],
    [
      'ALB requests without a ResourceLabel',
      {
        TargetValue: 50,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' }
      },
      /^Resource label should be specified for predefined metric type ALBRequestCountPerTarget$/
    ],
    [
      'a ResourceLabel on the CPU metric',
      {
        TargetValue: 50,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ECSServiceAverageCPUUtilization',
          ResourceLabel: 'x'
        }
      },
      /ResourceLabel can only be specified with the ALBRequestCountPerTarget/
    ],
    [
      'ALB requests of a target group the service is not attached to',
      {
        TargetValue: 50,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: 'app/my-alb/778d41231b141a0f/targetgroup/other-tg/0123456789abcdef'
        }
      },
      /^Target group targetgroup\/other-tg\/0123456789abcdef is not attached to ECS service service\/aas-api\/web\.$/
    ],
    [
      'a malformed ResourceLabel',
      {
        TargetValue: 50,
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: 'my-tg'
        }
      },
      /^Invalid resource label 'my-tg' for predefined metric type ALBRequestCountPerTarget$/
    ],
    [
      'a negative cooldown',
      { ...cpu(50), ScaleInCooldown: -5 },
      /at 'scaleInCooldown' failed to satisfy constraint/
    ]
  ])('PutScalingPolicy refuses %s', async (_, config, message) => {
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
    const err = await errorOf(aas.send(tt(config)))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toMatch(message)
  })

  it('a step scaling policy (the default PolicyType) is refused: the local ECS evaluates target tracking only', async () => {
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
    const err = await errorOf(aas.send(new PutScalingPolicyCommand({ ...target, PolicyName: 'step' })))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toMatch(/TargetTrackingScaling policies only, not StepScaling/)
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
    await setFaults(sim.url, { ...rates, operations: ['DescribeScalableTargets'] })
    const err = await errorOf(aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns })))
    expect([err.name, err.$metadata.httpStatusCode]).toEqual([name, status])
    const [call] = await getCalls(sim.url, 'DescribeScalableTargets')
    expect(call).toMatchObject({ service: 'application-autoscaling', error: name, faultDraw: 0 })
  })
})

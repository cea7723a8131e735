/**
 * What the local Application Auto Scaling refuses, through the real SDK client against a started sim: the
 * exception and message, AWS's own where known (packages/ecs-sim/README.md says which are ours).
 */
import { describe, expect, it } from '@jest/globals'
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand
} from '@aws-sdk/client-application-auto-scaling'
import { aasWorld, cpu, dim, ns, rid, target } from './autoscaling-helpers.js'
import { errorOf } from './helpers.js'

const w = aasWorld()

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
      () => w.aas.send(tt(cpu(50))),
      'ObjectNotFoundException',
      `No scalable target registered for service namespace: ecs, resource ID: ${rid}, scalable dimension: ${dim}`
    ],
    [
      'deregistering an unknown target',
      () => w.aas.send(new DeregisterScalableTargetCommand(target)),
      'ObjectNotFoundException',
      `No scalable target found for service namespace: ecs, resource ID: ${rid}, scalable dimension: ${dim}`
    ],
    [
      'deleting an unknown policy',
      () => w.aas.send(new DeleteScalingPolicyCommand({ ...target, PolicyName: 'nope' })),
      'ObjectNotFoundException',
      `No scaling policy found for service namespace: ecs, resource ID: ${rid}, scalable dimension: ${dim}, policy name: nope`
    ],
    [
      'min > max',
      () => w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 5, MaxCapacity: 2 })),
      'ValidationException',
      'Minimum capacity cannot be greater than maximum capacity'
    ],
    [
      'an unknown service',
      () =>
        w.aas.send(
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
        w.aas.send(
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
      () => w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1 })),
      'ValidationException',
      /MinCapacity and MaxCapacity are required/
    ],
    [
      'a negative capacity',
      () => w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: -1, MaxCapacity: 2 })),
      'ValidationException',
      "1 validation error detected: Value '-1' at 'minCapacity' failed to satisfy constraint: Member must have value greater than or equal to 0"
    ],
    [
      'a resource ID that is not service/<cluster>/<service>',
      () =>
        w.aas.send(
          new RegisterScalableTargetCommand({ ...target, ResourceId: 'web', MinCapacity: 1, MaxCapacity: 2 })
        ),
      'ValidationException',
      'Unsupported service namespace, resource type or scalable dimension'
    ],
    [
      'another dimension for ecs',
      () =>
        w.aas.send(
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
      () => w.aas.send(new DescribeScalableTargetsCommand({} as never)),
      'ValidationException',
      "1 validation error detected: Value null at 'serviceNamespace' failed to satisfy constraint: Member must not be null"
    ],
    [
      'a bad NextToken',
      () => w.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: ns, NextToken: 'bm9wZQ==' })),
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
    await w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
    const err = await errorOf(w.aas.send(tt(config)))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toMatch(message)
  })

  it('a step scaling policy (the default PolicyType) is refused: the local ECS evaluates target tracking only', async () => {
    await w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
    const err = await errorOf(w.aas.send(new PutScalingPolicyCommand({ ...target, PolicyName: 'step' })))
    expect(err.name).toBe('ValidationException')
    expect(err.message).toMatch(/TargetTrackingScaling policies only, not StepScaling/)
  })
})

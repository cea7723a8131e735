/**
 * The CloudWatch alarms a target tracking policy creates, as the local CloudWatch's DescribeAlarms shows them
 * (the real SDK clients against a started sim): their definition, and that they go with the policy.
 */
import { describe, expect, it } from '@jest/globals'
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand
} from '@aws-sdk/client-application-auto-scaling'
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch'
import { aasWorld, cpu, target } from './autoscaling-helpers.js'

const w = aasWorld()

describe('the alarms a policy creates, in the local CloudWatch', () => {
  const alarmNames = async () =>
    (
      (await w.cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-' }))).MetricAlarms ?? []
    ).map(a => a.AlarmName)

  it('DescribeAlarms shows AlarmHigh and AlarmLow as AWS defines them; they go with the policy', async () => {
    await w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
    const put = (c: object) =>
      w.aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: 'cpu',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { ...cpu(50), ...c }
        })
      )
    const { PolicyARN, Alarms } = await put({})
    const { MetricAlarms } = await w.cw.send(
      new DescribeAlarmsCommand({ AlarmNames: Alarms!.map(a => a.AlarmName!) })
    )
    const common = {
      Namespace: 'AWS/ECS',
      MetricName: 'CPUUtilization',
      Dimensions: expect.arrayContaining([
        { Name: 'ClusterName', Value: 'aas-api' },
        { Name: 'ServiceName', Value: 'web' }
      ]),
      Statistic: 'Average',
      Period: 60,
      AlarmActions: [PolicyARN],
      AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${PolicyARN}.`
    }
    const byName = Object.fromEntries(MetricAlarms!.map(a => [a.AlarmName, a]))
    expect(byName[Alarms![0].AlarmName!]).toMatchObject({
      ...common,
      AlarmArn: Alarms![0].AlarmARN,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 50,
      EvaluationPeriods: 3
    })
    expect(byName[Alarms![1].AlarmName!]).toMatchObject({
      ...common,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 45,
      EvaluationPeriods: 15
    })
    // DisableScaleIn: AlarmLow goes; deleting the policy takes AlarmHigh too.
    await put({ DisableScaleIn: true })
    expect(await alarmNames()).toEqual([Alarms![0].AlarmName])
    await w.aas.send(new DeleteScalingPolicyCommand({ ...target, PolicyName: 'cpu' }))
    expect(await alarmNames()).toEqual([])
  })

  it("deregistering the target deletes its policies' alarms", async () => {
    await w.aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 4 }))
    await w.aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: 'cpu',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: cpu(50)
      })
    )
    expect(await alarmNames()).toHaveLength(2)
    await w.aas.send(new DeregisterScalableTargetCommand(target))
    expect(await alarmNames()).toEqual([])
  })
})

/**
 * CloudWatch's metric alarm operations: PutMetricAlarm, DescribeAlarms, SetAlarmState, DeleteAlarms,
 * DescribeAlarmHistory.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmsForMetric.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DeleteAlarms.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarmHistory.html
 */
import type { AlarmState } from '../ecs/alarms.js'
import type { Json } from '../util.js'
import { isStat } from './aggregate.js'
import { metricId } from './store.js'
import type { AlarmDefinition, AlarmRecord, AlarmStore, Comparison, TreatMissing } from './alarm-store.js'
import { CloudWatchError, combination, invalidValue, missing } from './errors.js'
import { dimensions, offsetOf, optInt, optStr, reqNum, reqStr, strings, time, token } from './params.js'

const COMPARISONS: Comparison[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold'
]
const TREATMENTS: TreatMissing[] = ['breaching', 'notBreaching', 'ignore', 'missing']
const STATES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA']
const BASIC = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'] as const

export function putMetricAlarm(alarms: AlarmStore, region: string, input: Json, now = Date.now()): Json {
  const name = reqStr(input, 'AlarmName')
  if (name.length > 255) throw invalidValue('AlarmName', name, 'It is longer than 255 characters.')
  if (input.Metrics !== undefined && input.Metrics !== null)
    throw invalidValue('Metrics', 'Metrics', 'Metric math alarms are not supported by the local CloudWatch.')
  if (input.ThresholdMetricId !== undefined && input.ThresholdMetricId !== null)
    throw invalidValue(
      'ThresholdMetricId',
      input.ThresholdMetricId,
      'Anomaly detection alarms are not supported by the local CloudWatch.'
    )
  const evaluationPeriods = optInt(input, 'EvaluationPeriods', 1, 100_000)
  if (evaluationPeriods === undefined) throw missing('EvaluationPeriods')
  const comparison = reqStr(input, 'ComparisonOperator') as Comparison
  if (!COMPARISONS.includes(comparison)) throw invalidValue('ComparisonOperator', comparison)
  const namespace = reqStr(input, 'Namespace')
  const metricName = reqStr(input, 'MetricName')
  const period = optInt(input, 'Period', 1, 604_800)
  if (period === undefined) throw missing('Period')
  if (period < 60 ? ![10, 20, 30].includes(period) : period % 60 !== 0)
    throw invalidValue('Period', period, 'The period must be 10, 20, 30 or a multiple of 60 seconds.')
  if (period * evaluationPeriods > (period < 60 ? 86_400 : 604_800))
    throw invalidValue(
      'EvaluationPeriods',
      evaluationPeriods,
      `Period × EvaluationPeriods may be at most ${period < 60 ? 'one day' : 'seven days'}.`
    )
  const statistic = optStr(input, 'Statistic')
  const extendedStatistic = optStr(input, 'ExtendedStatistic')
  if ((statistic === undefined) === (extendedStatistic === undefined))
    throw combination('Exactly one of the parameters Statistic and ExtendedStatistic must be specified.')
  if (statistic !== undefined && !(BASIC as readonly string[]).includes(statistic))
    throw invalidValue('Statistic', statistic)
  if (extendedStatistic !== undefined && (!/^p/.test(extendedStatistic) || !isStat(extendedStatistic)))
    throw invalidValue('ExtendedStatistic', extendedStatistic)
  const datapointsToAlarm = optInt(input, 'DatapointsToAlarm', 1, 100_000) ?? evaluationPeriods
  if (datapointsToAlarm > evaluationPeriods)
    throw invalidValue('DatapointsToAlarm', datapointsToAlarm, 'It must be at most EvaluationPeriods.')
  const threshold = reqNum(input, 'Threshold')
  const treatMissingData = (optStr(input, 'TreatMissingData') ?? 'missing') as TreatMissing
  if (!TREATMENTS.includes(treatMissingData)) throw invalidValue('TreatMissingData', treatMissingData)
  const definition: AlarmDefinition = {
    namespace,
    metricName,
    dimensions: dimensions(input.Dimensions, 'Dimensions'),
    statistic: statistic as AlarmDefinition['statistic'],
    extendedStatistic,
    period,
    evaluationPeriods,
    datapointsToAlarm,
    threshold,
    comparison,
    treatMissingData,
    unit: optStr(input, 'Unit'),
    description: optStr(input, 'AlarmDescription'),
    actionsEnabled: input.ActionsEnabled !== false,
    okActions: strings(input, 'OKActions') ?? [],
    alarmActions: strings(input, 'AlarmActions') ?? [],
    insufficientDataActions: strings(input, 'InsufficientDataActions') ?? [],
    updatedAt: now
  }
  alarms.define(name, region, definition, now)
  return {}
}

/** One alarm as DescribeAlarms shows it (a bare control-API alarm has only its name and state). */
export function renderAlarm(r: AlarmRecord): Json {
  const d = r.definition
  const state = {
    StateValue: r.state,
    StateReason: r.reason,
    ...(r.reasonData ? { StateReasonData: r.reasonData } : {}),
    StateUpdatedTimestamp: r.updatedAt / 1000,
    StateTransitionedTimestamp: r.transitionedAt / 1000
  }
  if (!d)
    return {
      AlarmName: r.name,
      AlarmArn: r.arn,
      ActionsEnabled: false,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      Dimensions: [],
      ...state
    }
  return {
    AlarmName: r.name,
    AlarmArn: r.arn,
    ...(d.description !== undefined ? { AlarmDescription: d.description } : {}),
    AlarmConfigurationUpdatedTimestamp: d.updatedAt / 1000,
    ActionsEnabled: d.actionsEnabled,
    OKActions: d.okActions,
    AlarmActions: d.alarmActions,
    InsufficientDataActions: d.insufficientDataActions,
    ...state,
    MetricName: d.metricName,
    Namespace: d.namespace,
    ...(d.statistic ? { Statistic: d.statistic } : { ExtendedStatistic: d.extendedStatistic }),
    Dimensions: d.dimensions,
    Period: d.period,
    ...(d.unit ? { Unit: d.unit } : {}),
    EvaluationPeriods: d.evaluationPeriods,
    DatapointsToAlarm: d.datapointsToAlarm,
    Threshold: d.threshold,
    ComparisonOperator: d.comparison,
    TreatMissingData: d.treatMissingData
  }
}

export function describeAlarms(alarms: AlarmStore, input: Json): Json {
  const names = strings(input, 'AlarmNames')
  const prefix = optStr(input, 'AlarmNamePrefix')
  if (names && prefix !== undefined)
    throw combination('The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.')
  if (names && names.length > 100)
    throw invalidValue('AlarmNames', `${names.length} names`, 'At most 100 are allowed.')
  const state = optStr(input, 'StateValue') as AlarmState | undefined
  if (state !== undefined && !STATES.includes(state)) throw invalidValue('StateValue', state)
  const types = strings(input, 'AlarmTypes')
  const max = optInt(input, 'MaxRecords', 1, 100) ?? 50
  const actionPrefix = optStr(input, 'ActionPrefix')
  const family = optStr(input, 'ChildrenOfAlarmName') ?? optStr(input, 'ParentsOfAlarmName')
  // Composite alarms are not modelled: asking only for them, or for an alarm's children/parents, finds none.
  const wantMetric = (!types || types.includes('MetricAlarm')) && family === undefined
  const matching = !wantMetric
    ? []
    : alarms
        .all()
        .filter(
          r =>
            (!names || names.includes(r.name)) &&
            (prefix === undefined || r.name.startsWith(prefix)) &&
            (state === undefined || r.state === state) &&
            (actionPrefix === undefined ||
              [
                ...(r.definition?.alarmActions ?? []),
                ...(r.definition?.okActions ?? []),
                ...(r.definition?.insufficientDataActions ?? [])
              ].some(a => a.startsWith(actionPrefix)))
        )
  const request = JSON.stringify({ ...input, NextToken: undefined })
  const offset = offsetOf(optStr(input, 'NextToken'), request)
  return {
    MetricAlarms: matching.slice(offset, offset + max).map(renderAlarm),
    CompositeAlarms: [],
    ...(offset + max < matching.length ? { NextToken: token(offset + max, request) } : {})
  }
}

/** The metric alarms on one metric (its exact dimensions), narrowed by statistic, period and unit when given. */
export function describeAlarmsForMetric(alarms: AlarmStore, input: Json): Json {
  const id = metricId({
    namespace: reqStr(input, 'Namespace'),
    metricName: reqStr(input, 'MetricName'),
    dimensions: dimensions(input.Dimensions, 'Dimensions')
  })
  const statistic = optStr(input, 'Statistic')
  const extended = optStr(input, 'ExtendedStatistic')
  const period = optInt(input, 'Period', 1, 604_800)
  const unit = optStr(input, 'Unit')
  const found = alarms.all().filter(r => {
    const d = r.definition
    return (
      d !== undefined &&
      metricId(d) === id &&
      (statistic === undefined || d.statistic === statistic) &&
      (extended === undefined || d.extendedStatistic === extended) &&
      (period === undefined || d.period === period) &&
      (unit === undefined || d.unit === unit)
    )
  })
  return { MetricAlarms: found.map(renderAlarm) }
}

export function setAlarmState(alarms: AlarmStore, input: Json, now = Date.now()): Json {
  const name = reqStr(input, 'AlarmName')
  const state = reqStr(input, 'StateValue') as AlarmState
  if (!STATES.includes(state)) throw invalidValue('StateValue', state)
  const reason = reqStr(input, 'StateReason')
  if (reason.length > 1023)
    throw invalidValue('StateReason', reason.slice(0, 40) + '…', 'It is longer than 1023 characters.')
  const data = optStr(input, 'StateReasonData')
  if (data !== undefined) {
    try {
      JSON.parse(data)
    } catch {
      throw new CloudWatchError('InvalidFormatFault', 'StateReasonData is not valid JSON.')
    }
  }
  if (!alarms.record(name)) throw new CloudWatchError('ResourceNotFound', `Alarm ${name} not found`)
  alarms.setState(name, state, reason, data, now)
  return {}
}

export function deleteAlarms(alarms: AlarmStore, input: Json): Json {
  const names = strings(input, 'AlarmNames')
  if (!names || names.length === 0) throw missing('AlarmNames')
  if (names.length > 100)
    throw invalidValue('AlarmNames', `${names.length} names`, 'At most 100 are allowed.')
  const unknown = names.filter(n => !alarms.record(n))
  // As CloudWatch: with an unknown name, no alarm is deleted.
  if (unknown.length > 0)
    throw new CloudWatchError(
      'ResourceNotFound',
      `${unknown.length} alarm(s) not found: ${unknown.join(', ')}`
    )
  for (const n of names) alarms.delete(n)
  return {}
}

export function describeAlarmHistory(alarms: AlarmStore, input: Json): Json {
  const name = optStr(input, 'AlarmName')
  const type = optStr(input, 'HistoryItemType')
  if (
    type !== undefined &&
    ![
      'ConfigurationUpdate',
      'StateUpdate',
      'Action',
      'AlarmContributorStateUpdate',
      'AlarmContributorAction'
    ].includes(type)
  )
    throw invalidValue('HistoryItemType', type)
  const from = time(input, 'StartDate')
  const to = time(input, 'EndDate')
  const max = optInt(input, 'MaxRecords', 1, 100) ?? 100
  const scanBy = optStr(input, 'ScanBy') ?? 'TimestampDescending'
  if (scanBy !== 'TimestampDescending' && scanBy !== 'TimestampAscending')
    throw invalidValue('ScanBy', scanBy)
  const types = strings(input, 'AlarmTypes')
  const items =
    types && !types.includes('MetricAlarm')
      ? []
      : alarms
          .all()
          .filter(r => name === undefined || r.name === name)
          .flatMap(r => r.history.map(h => ({ name: r.name, h })))
          .filter(
            ({ h }) =>
              (type === undefined || h.type === type) &&
              (from === undefined || h.timestamp >= from) &&
              (to === undefined || h.timestamp <= to)
          )
          .sort((a, b) =>
            scanBy === 'TimestampAscending' ? a.h.timestamp - b.h.timestamp : b.h.timestamp - a.h.timestamp
          )
  const request = JSON.stringify({ ...input, NextToken: undefined })
  const offset = offsetOf(optStr(input, 'NextToken'), request)
  return {
    AlarmHistoryItems: items.slice(offset, offset + max).map(({ name: n, h }) => ({
      AlarmName: n,
      AlarmType: 'MetricAlarm',
      Timestamp: h.timestamp / 1000,
      HistoryItemType: h.type,
      HistorySummary: h.summary,
      HistoryData: JSON.stringify(h.data)
    })),
    ...(offset + max < items.length ? { NextToken: token(offset + max, request) } : {})
  }
}

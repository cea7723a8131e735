/**
 * The one alarm model of the local ECS: CloudWatch alarms by name. It is a Map of name → state, the shape
 * the deployment strategies read (`ctx.alarms.get(name)`) and `PUT /_sim/alarms` writes (`set`: SetAlarmState
 * for an alarm that exists, a bare alarm state for a name no PutMetricAlarm created). Metric alarms
 * (PutMetricAlarm) keep their definition here and are evaluated from the metric store (evaluator.ts);
 * every state change is recorded in the alarm's history (DescribeAlarmHistory).
 */
import type { AlarmState } from '../ecs/alarms.js'
import { ACCOUNT_ID, type Json } from '../util.js'
import type { MetricDimension } from './reader.js'

export type Comparison =
  | 'GreaterThanOrEqualToThreshold'
  | 'GreaterThanThreshold'
  | 'LessThanThreshold'
  | 'LessThanOrEqualToThreshold'
export type TreatMissing = 'breaching' | 'notBreaching' | 'ignore' | 'missing'

export interface AlarmDefinition {
  namespace: string
  metricName: string
  dimensions: MetricDimension[]
  /** One of the two is set. */
  statistic?: 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount'
  extendedStatistic?: string
  /** Seconds. */
  period: number
  evaluationPeriods: number
  datapointsToAlarm: number
  threshold: number
  comparison: Comparison
  treatMissingData: TreatMissing
  unit?: string
  description?: string
  actionsEnabled: boolean
  okActions: string[]
  alarmActions: string[]
  insufficientDataActions: string[]
  /** When PutMetricAlarm last set it (AlarmConfigurationUpdatedTimestamp). */
  updatedAt: number
}

export interface HistoryItem {
  timestamp: number
  type: 'ConfigurationUpdate' | 'StateUpdate'
  summary: string
  data: Json
}

export interface AlarmRecord {
  name: string
  arn: string
  /** Absent for a bare alarm state set through the control API. */
  definition?: AlarmDefinition
  state: AlarmState
  reason: string
  reasonData?: string
  /** When its state or reason was last set; when its state last changed. */
  updatedAt: number
  transitionedAt: number
  lastEvaluatedAt?: number
  history: HistoryItem[]
}

const MAX_HISTORY = 100

export const CONTROL_REASON = 'Set through the local ECS control API (PUT /_sim/alarms).'

export class AlarmStore extends Map<string, AlarmState> {
  private readonly records = new Map<string, AlarmRecord>()

  record(name: string): AlarmRecord | undefined {
    return this.records.get(name)
  }

  all(): AlarmRecord[] {
    return [...this.records.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** `PUT /_sim/alarms`: the alarm's new state (a bare alarm when no alarm has that name). */
  override set(name: string, state: AlarmState): this {
    // Map's constructor calls set before the fields exist; it is never given entries here.
    if (!this.records) return super.set(name, state)
    this.setState(name, state, CONTROL_REASON)
    return this
  }

  override delete(name: string): boolean {
    this.records.delete(name)
    return super.delete(name)
  }

  override clear(): void {
    this.records.clear()
    super.clear()
  }

  /** PutMetricAlarm: a new alarm (INSUFFICIENT_DATA) or a new definition for one (its state kept). */
  define(name: string, region: string, definition: AlarmDefinition, now = Date.now()): AlarmRecord {
    let r = this.records.get(name)
    const created = !r
    if (!r) {
      r = {
        name,
        arn: `arn:aws:cloudwatch:${region}:${ACCOUNT_ID}:alarm:${name}`,
        state: 'INSUFFICIENT_DATA',
        reason: 'Unchecked: Initial alarm creation',
        updatedAt: now,
        transitionedAt: now,
        history: []
      }
      this.records.set(name, r)
      super.set(name, r.state)
    }
    r.definition = definition
    r.lastEvaluatedAt = undefined
    this.note(r, {
      timestamp: now,
      type: 'ConfigurationUpdate',
      summary: `Alarm "${name}" ${created ? 'created' : 'updated'}`,
      data: { version: '1.0', type: created ? 'Create' : 'Update', createdAlarm: { alarmName: name } }
    })
    return r
  }

  /** SetAlarmState, an evaluation, or the control API: the state and reason, a history item when it changed. */
  setState(
    name: string,
    state: AlarmState,
    reason: string,
    reasonData?: string,
    now = Date.now()
  ): AlarmRecord {
    let r = this.records.get(name)
    if (!r) {
      r = {
        name,
        arn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT_ID}:alarm:${name}`,
        state: 'INSUFFICIENT_DATA',
        reason,
        updatedAt: now,
        transitionedAt: now,
        history: []
      }
      this.records.set(name, r)
    }
    const old = { stateValue: r.state, stateReason: r.reason }
    const changed = r.state !== state
    r.state = state
    r.reason = reason
    r.reasonData = reasonData
    r.updatedAt = now
    super.set(name, state)
    if (changed) {
      r.transitionedAt = now
      this.note(r, {
        timestamp: now,
        type: 'StateUpdate',
        summary: `Alarm updated from ${old.stateValue} to ${state}`,
        data: {
          version: '1.0',
          oldState: old,
          newState: {
            stateValue: state,
            stateReason: reason,
            ...(reasonData ? { stateReasonData: JSON.parse(reasonData) as unknown } : {})
          }
        }
      })
    }
    return r
  }

  private note(r: AlarmRecord, item: HistoryItem): void {
    r.history.push(item)
    if (r.history.length > MAX_HISTORY) r.history.splice(0, r.history.length - MAX_HISTORY)
  }
}

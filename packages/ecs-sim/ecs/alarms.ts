/**
 * CloudWatch alarms as state: their names and states are set through the control API
 * (`PUT /_sim/alarms`); a deployment whose configuration names an alarm in ALARM fails.
 */
import { AwsError } from '../util.js'

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'
const STATES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA']

/** `{"web-5xx": "ALARM", ...}`: each named alarm's new state (other alarms keep theirs). */
export function parseAlarmStates(body: unknown): Map<string, AlarmState> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new AwsError('InvalidParameterException', 'the body must be an object of alarm name → state')
  const out = new Map<string, AlarmState>()
  for (const [name, state] of Object.entries(body)) {
    if (!STATES.includes(state as AlarmState))
      throw new AwsError(
        'InvalidParameterException',
        `alarm ${name}: state must be one of ${STATES.join(', ')}`
      )
    out.set(name, state as AlarmState)
  }
  return out
}

/** The named alarms now in ALARM (an alarm never set is INSUFFICIENT_DATA). */
export function alarmsInAlarm(alarms: Map<string, AlarmState>, names: string[]): string[] {
  return names.filter(n => alarms.get(n) === 'ALARM')
}

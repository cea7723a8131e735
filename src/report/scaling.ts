/**
 * Two small summary sections: auto scaling before → after (the scalable target's bounds and each
 * target-tracking policy), and the post-deploy watch (what was watched, how it ended). Pure.
 */
import { METRICS, type ScalingState, type TrackingPolicy } from '../scaling-plan.js'
import { clip, code, md, table } from './format.js'
import type { DeployReport } from './types.js'

const METRIC_WORDS: Record<string, string> = {
  [METRICS.cpu]: 'average CPU',
  [METRICS.memory]: 'average memory',
  [METRICS.requests]: 'ALB requests per target'
}

const seconds = (n: number | undefined): string => (n === undefined ? 'default' : `${n}s`)

function policyValue(p: TrackingPolicy | { name: string } | undefined): string {
  if (!p) return '—'
  if (!('metric' in p)) return 'not target tracking'
  const unit = p.metric === METRICS.requests ? '' : '%'
  const cooldowns =
    p.scaleOutCooldown !== undefined || p.scaleInCooldown !== undefined
      ? ` (cooldown out ${seconds(p.scaleOutCooldown)}, in ${seconds(p.scaleInCooldown)})`
      : ''
  return `${METRIC_WORDS[p.metric] ?? md(clip(p.metric, 60))} ${p.targetValue}${unit}${cooldowns}`
}

function bounds(state: ScalingState): string {
  return state.target ? `${state.target.min}–${state.target.max} tasks` : 'not registered'
}

export function renderScaling(report: DeployReport): string[] {
  const s = report.scaling
  if (!s) return []
  const names = [...new Set([...s.before.policies, ...s.after.policies].map(p => p.name))].slice(0, 20)
  const rows = [
    ['Scalable target', bounds(s.before), bounds(s.after)],
    ...names.map(name => [
      code(clip(name, 255)),
      policyValue(s.before.policies.find(p => p.name === name)),
      policyValue(s.after.policies.find(p => p.name === name))
    ])
  ]
  const said = s.changed ? 'applied before the update' : 'unchanged (already as the inputs say)'
  return [
    '### Auto scaling',
    '',
    `${code(clip(s.resourceId, 300))}: ${said}.`,
    '',
    table(['', 'Before', 'After'], rows),
    ''
  ]
}

export function renderAfterWatch(report: DeployReport): string[] {
  const w = report.afterWatch
  if (!w) return []
  const watched =
    w.alarms.length === 0
      ? 'no alarms'
      : w.alarms
          .slice(0, 20)
          .map(a => code(clip(a, 255)))
          .join(', ') + (w.alarms.length > 20 ? ` and ${w.alarms.length - 20} more` : '')
  const minutes = `${Number(w.minutes.toFixed(2))} minute${w.minutes === 1 ? '' : 's'}`
  const line =
    w.status === 'green'
      ? `Watched ${watched} for ${minutes} after the deployment: none went into ALARM.`
      : w.status === 'cancelled'
        ? `Watching ${watched} for ${minutes} after the deployment: the run was cancelled.`
        : `Alarm ${code(clip(w.alarm ?? '', 255))} went into ALARM within ${minutes} after the deployment` +
          (w.reason ? `: ${md(clip(w.reason, 500))}` : '.')
  return ['### After the deployment', '', line, '']
}

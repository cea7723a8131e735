/**
 * How ECS deployed it, for the strategies that have more to tell than a rolling update: the strategy,
 * the alarms ECS watched (marked when one went into ALARM), how long each lifecycle stage took and where
 * the traffic stood when it ended. Pure.
 */
import { clip, code, duration, md, table } from './format.js'
import type { DeployReport } from './types.js'

export function renderStrategy(report: DeployReport): string[] {
  const lines: string[] = []
  if (report.strategy && report.strategy !== 'ROLLING') lines.push(`**Strategy:** ${md(report.strategy)}`, '')
  if (report.alarms && report.alarms.length > 0) {
    const triggered = new Set(report.outcome?.serviceDeployment?.alarms?.triggeredAlarmNames ?? [])
    const names = report.alarms
      .slice(0, 20)
      .map(a => `${code(clip(a, 255))}${triggered.has(a) ? ' (in ALARM)' : ''}`)
    lines.push(`**Alarms:** ${names.join(', ')}`, '')
  }
  const stages = report.outcome?.stages ?? []
  if (stages.length > 0) {
    const shown = stages.slice(0, 40)
    // The weights as they stood when each stage ended: the traffic shift and a rollback, told in one column.
    if (shown.some(t => t.traffic)) {
      const rows = shown.map(t => [md(t.stage), duration(t.ms), t.traffic ? md(t.traffic) : '—'])
      lines.push(table(['Stage', 'Time', 'Traffic at its end'], rows), '')
    } else {
      lines.push(
        table(
          ['Stage', 'Time'],
          shown.map(t => [md(t.stage), duration(t.ms)])
        ),
        ''
      )
    }
  }
  return lines.length > 0 ? ['### Stages', '', ...lines] : []
}

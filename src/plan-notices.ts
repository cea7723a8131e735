/** The plan phase's annotations: what reading the task definition file warned about, and what it left out. */
import type { LoadedTaskDefinition } from './task-definition/load.js'
import type { SourceWarning } from './task-definition/source.js'
import { boundMessage } from './untrusted.js'

/** An annotation the plan phase wants printed (main.ts prints it). */
export interface PlanNotice {
  level: 'warning' | 'notice'
  title: string
  message: string
  file?: string
  line?: number
  column?: number
}

/** Warnings quote the file; however long a value in it, one warning stays readable. */
const MAX_WARNING_CHARS = 1000

function asNotice(level: PlanNotice['level'], w: SourceWarning, max?: number): PlanNotice {
  return {
    level,
    title: 'Task definition',
    message: max === undefined ? w.message : boundMessage(w.message, max),
    file: w.file,
    line: w.line,
    column: w.column
  }
}

/** What reading the task definition file warned about (unknown keys, duplicates, …), as annotations. */
export function fileWarnings(file: LoadedTaskDefinition): PlanNotice[] {
  return file.warnings.map(w => asNotice('warning', w, MAX_WARNING_CHARS))
}

/** What was left out of the base so that ECS takes it, one notice each. */
export function baseNotices(base: LoadedTaskDefinition): PlanNotice[] {
  return base.notices.map(n => asNotice('notice', n))
}

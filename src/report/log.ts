/**
 * The causes in the log (the story the annotations point to), each with the log tail of its first task
 * underneath. Causes carry ECS's and the container's own text: every line goes through the gate, and
 * each line of a log tail (also one a lone `\r` starts) gets the `    | ` prefix. Also the CPU and memory
 * sparklines after the deployment (report/charts.ts).
 */
import * as core from '@actions/core'
import type { Cause } from '../diagnose/causes.js'
import type { DeployMetrics } from '../metrics.js'
import { inert, splitLines } from '../untrusted.js'
import { metricsLogLines } from './charts.js'
import { logSource, occurrences } from './why.js'

export function printCauses(causes: Cause[]): void {
  for (const cause of causes) {
    const who = occurrences(cause)
    core.info(inert(`✖ ${cause.title}${who ? ` — ${who}` : ''}`))
    if (cause.detail && cause.detail !== cause.title) core.info(inert(`    ${cause.detail}`))
    if (cause.logLines && cause.logLines.length > 0) {
      core.info(inert(`    Last ${cause.logLines.length} log lines of ${logSource(cause)}:`))
      for (const line of cause.logLines.flatMap(splitLines)) core.info(inert(`    | ${line}`))
    }
  }
}

/** The CPU and memory sparklines and the before → after sentences (a read failure's message is AWS's). */
export function printMetrics(metrics: DeployMetrics | undefined): void {
  for (const line of metricsLogLines(metrics)) core.info(inert(line))
}

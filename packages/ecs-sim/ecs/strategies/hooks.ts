/**
 * Lifecycle hooks at their stages. An AWS_LAMBDA hook's answer comes from the rules set through the
 * control API (`PUT /_sim/hooks`); a PAUSE hook waits (AWAITING_ACTION) for ContinueServiceDeployment.
 * Either ends with its timeout action once timeoutInMinutes (scaled) passed.
 */
import { randomBytes } from 'node:crypto'
import { AwsError } from '../../util.js'
import type { Clock } from '../../clock.js'
import { hookTimeout } from '../deployment-config.js'
import type { HookRun, LifecycleHook } from '../state.js'

export interface HookRule {
  /** The Lambda function ARN it answers for; absent: every Lambda hook. */
  hookTargetArn?: string
  /** The lifecycle stage it answers at; absent: every stage. */
  stage?: string
  /** The hook's answer. IN_PROGRESS without `then` never finishes (the hook times out). */
  status: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS'
  /** With IN_PROGRESS: the answer once `afterSeconds` (scaled) have passed since the hook started. */
  then?: 'SUCCEEDED' | 'FAILED'
  afterSeconds?: number
}

export function parseHookRules(body: unknown): HookRule[] {
  const rules = (body as { rules?: unknown } | undefined)?.rules
  if (!Array.isArray(rules)) throw new AwsError('InvalidParameterException', 'rules must be a list')
  return rules.map((raw, i) => {
    const r = (raw ?? {}) as Record<string, unknown>
    const where = `rule ${i}`
    if (!['SUCCEEDED', 'FAILED', 'IN_PROGRESS'].includes(r.status as string))
      throw new AwsError(
        'InvalidParameterException',
        `${where}: status must be SUCCEEDED, FAILED or IN_PROGRESS`
      )
    if (r.then !== undefined && !['SUCCEEDED', 'FAILED'].includes(r.then as string))
      throw new AwsError('InvalidParameterException', `${where}: then must be SUCCEEDED or FAILED`)
    if (r.then !== undefined && r.status !== 'IN_PROGRESS')
      throw new AwsError('InvalidParameterException', `${where}: then goes with status IN_PROGRESS`)
    if (r.afterSeconds !== undefined && (typeof r.afterSeconds !== 'number' || r.afterSeconds < 0))
      throw new AwsError('InvalidParameterException', `${where}: afterSeconds must be a non-negative number`)
    for (const k of ['hookTargetArn', 'stage'])
      if (r[k] !== undefined && typeof r[k] !== 'string')
        throw new AwsError('InvalidParameterException', `${where}: ${k} must be a string`)
    return JSON.parse(JSON.stringify(r)) as HookRule
  })
}

/** The runs of the hooks configured for `stage`, started now. */
export function startHooks(clock: Clock, hooks: LifecycleHook[], stage: string): HookRun[] {
  const now = clock.now()
  return hooks
    .filter(h => h.lifecycleStages.includes(stage))
    .map(h => {
      const t = hookTimeout(h)
      return {
        // ECS's PAUSE hook ids look like `ecs-pause-e7tK9G_WRJ…` (the pause hooks page); ours for Lambda alike.
        hookId: `${h.targetType === 'PAUSE' ? 'ecs-pause' : 'ecs-hook'}-${randomBytes(32).toString('base64url').slice(0, 43)}`,
        stage,
        targetType: h.targetType,
        targetArn: h.targetType === 'AWS_LAMBDA' ? h.hookTargetArn : undefined,
        status: h.targetType === 'PAUSE' ? 'AWAITING_ACTION' : 'IN_PROGRESS',
        startedAt: now,
        expiresAt: now + clock.delay(t.minutes * 60_000),
        timeoutAction: t.action
      }
    })
}

/** What a Lambda hook answers now, from the first rule that matches it (none: SUCCEEDED). */
export function lambdaAnswer(rules: HookRule[], run: HookRun, clock: Clock): HookRun['status'] {
  const rule = rules.find(
    r => (!r.hookTargetArn || r.hookTargetArn === run.targetArn) && (!r.stage || r.stage === run.stage)
  )
  if (!rule) return 'SUCCEEDED'
  if (rule.status !== 'IN_PROGRESS') return rule.status
  if (rule.then && clock.elapsed(run.startedAt, (rule.afterSeconds ?? 0) * 1000)) return rule.then
  return 'IN_PROGRESS'
}

/** Moves the open runs on (answers, timeouts) and says what the stage does: wait, go on, or roll back. */
export function settleHooks(
  runs: HookRun[],
  rules: HookRule[],
  clock: Clock
): { verdict: 'wait' | 'continue' | 'rollback'; reason?: string } {
  const now = clock.now()
  for (const run of runs) {
    if (run.status !== 'IN_PROGRESS' && run.status !== 'AWAITING_ACTION') continue
    if (run.targetType === 'AWS_LAMBDA') {
      const answer = lambdaAnswer(rules, run, clock)
      if (answer !== 'IN_PROGRESS') {
        run.status = answer
        run.endedAt = now
        continue
      }
    }
    if (now >= run.expiresAt) {
      run.status = 'TIMED_OUT'
      run.endedAt = now
    }
  }
  const failed = runs.find(r => r.status === 'FAILED')
  if (failed) return { verdict: 'rollback', reason: `${hookName(failed)} failed at ${failed.stage}.` }
  const timedOut = runs.find(r => r.status === 'TIMED_OUT' && r.timeoutAction === 'ROLLBACK')
  if (timedOut)
    return { verdict: 'rollback', reason: `${hookName(timedOut)} timed out at ${timedOut.stage}.` }
  if (runs.some(r => r.status === 'IN_PROGRESS' || r.status === 'AWAITING_ACTION')) return { verdict: 'wait' }
  return { verdict: 'continue' }
}

export function hookName(run: HookRun): string {
  return run.targetType === 'PAUSE'
    ? `Lifecycle hook ${run.hookId} (PAUSE)`
    : `Lifecycle hook ${run.hookId} (${run.targetArn})`
}

/** Tasks: ListTasks, DescribeTasks, RunTask, StopTask (the scheduler carries them through their lifecycle). */
import { AwsError, clean, Json, num, obj, str, strList } from '../../util.js'
import { createTask, requestStop } from '../core.js'
import { getCluster, getService, taskId } from '../lookup.js'
import { parseTags, renderTask } from '../render.js'
import { EcsCall, Handler, page, requireTaskDefinition } from './call.js'

function listTasks({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const svcRef = str(input, 'serviceName')
  const svc = svcRef ? getService(r, cluster, svcRef) : undefined
  const startedBy = str(input, 'startedBy')
  const family = str(input, 'family')
  const desired = str(input, 'desiredStatus') ?? 'RUNNING'
  const launchType = str(input, 'launchType')
  if (!['RUNNING', 'STOPPED', 'PENDING'].includes(desired))
    throw new AwsError('InvalidParameterException', 'desiredStatus must be RUNNING, PENDING or STOPPED.')
  const tasks = [...r.tasks.values()].filter(
    t =>
      t.clusterName === cluster.name &&
      (!svc || t.group === `service:${svc.name}`) &&
      (!startedBy || t.startedBy === startedBy) &&
      (!family || t.td.family === family) &&
      (!launchType || t.launchType === launchType) &&
      (desired === 'PENDING'
        ? t.desiredStatus === 'RUNNING' && t.lastStatus !== 'RUNNING'
        : t.desiredStatus === desired)
  )
  const { items, nextToken } = page(
    tasks.map(t => t.arn),
    input,
    100
  )
  return clean({ taskArns: items, nextToken })
}

function describeTasks({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const refs = strList(input, 'tasks')
  if (!refs || refs.length === 0) throw new AwsError('InvalidParameterException', 'Tasks cannot be empty.')
  if (refs.length > 100)
    throw new AwsError('InvalidParameterException', 'At most 100 tasks can be described at once.')
  const include = strList(input, 'include') ?? []
  const tasks: Json[] = []
  const failures: Json[] = []
  for (const ref of refs) {
    const t = r.tasks.get(taskId(ref))
    if (t && t.clusterName === cluster.name) tasks.push(renderTask(r, t, include))
    else
      failures.push({
        arn: ref.startsWith('arn:') ? ref : r.arn(`task/${cluster.name}/${ref}`),
        reason: 'MISSING'
      })
  }
  return { tasks, failures }
}

function runTask({ ctx, r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const td = requireTaskDefinition(r, str(input, 'taskDefinition'))
  const count = num(input, 'count') ?? 1
  if (!Number.isInteger(count) || count < 1 || count > 10)
    throw new AwsError('InvalidParameterException', 'count must be between 1 and 10.')
  const overrides = obj(input, 'overrides') ?? {}
  const containerNames = new Set(((td.body.containerDefinitions as Json[]) ?? []).map(c => c.name))
  for (const o of (overrides.containerOverrides as Json[] | undefined) ?? [])
    if (!containerNames.has(o.name))
      throw new AwsError(
        'InvalidParameterException',
        `Override for container named ${String(o.name)} is not a container in the TaskDefinition.`
      )
  const group = str(input, 'group') ?? `family:${td.family}`
  const tasks = Array.from({ length: count }, () =>
    createTask(ctx, r, cluster, td, {
      group,
      startedBy: str(input, 'startedBy'),
      launchType: str(input, 'launchType') ?? 'FARGATE',
      overrides,
      tags: parseTags(input.tags)
    })
  )
  return { tasks: tasks.map(t => renderTask(r, t)), failures: [] }
}

function stopTask({ ctx, r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const ref = str(input, 'task')
  const t = ref ? r.tasks.get(taskId(ref)) : undefined
  if (!t || t.clusterName !== cluster.name)
    throw new AwsError('InvalidParameterException', 'The referenced task was not found.')
  requestStop(ctx, t, 'UserInitiated', str(input, 'reason') ?? 'Task stopped by user')
  return { task: renderTask(r, t) }
}

export const TASK_HANDLERS: Record<string, Handler> = {
  ListTasks: listTasks,
  DescribeTasks: describeTasks,
  RunTask: runTask,
  StopTask: stopTask
}

/**
 * Task definitions: RegisterTaskDefinition (refused as ECS refuses, defaults filled in as ECS answers),
 * DescribeTaskDefinition, DeregisterTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies.
 */
import { ACCOUNT_ID, AwsError, clean, epoch, Json, list, str, strList } from '../../util.js'
import { HEALTH_CHECK_DEFAULTS } from '../../clock.js'
import { findTaskDefinition } from '../lookup.js'
import { parseTags, renderTaskDefinition } from '../render.js'
import { EcsCall, Handler, NAME_RE, page } from './call.js'
import type { TaskDefinition } from '../state.js'
// The one import from the action: the table of what ECS refuses, shared with the action's plan.
import { checkRegisterInput } from '../../../../src/task-definition/rules/index.js'

function tdNotFound(): AwsError {
  return new AwsError('ClientException', 'Unable to describe task definition.')
}

function requiresAttributes(body: Json): Json[] {
  const attrs = new Set<string>()
  const defs = body.containerDefinitions as Json[]
  for (const d of defs) {
    const log = (d.logConfiguration as Json | undefined)?.logDriver
    if (log === 'awslogs') {
      attrs.add('com.amazonaws.ecs.capability.logging-driver.awslogs')
      if (body.executionRoleArn) attrs.add('ecs.capability.execution-role-awslogs')
      attrs.add('com.amazonaws.ecs.capability.docker-remote-api.1.19')
    }
    if (d.healthCheck) {
      attrs.add('ecs.capability.container-health-check')
      attrs.add('com.amazonaws.ecs.capability.docker-remote-api.1.24')
    }
    if (d.secrets) attrs.add('ecs.capability.secrets.asm.environment-variables')
  }
  if (body.taskRoleArn) attrs.add('com.amazonaws.ecs.capability.task-iam-role')
  if (body.networkMode === 'awsvpc') attrs.add('ecs.capability.task-eni')
  attrs.add('com.amazonaws.ecs.capability.docker-remote-api.1.18')
  return [...attrs].sort().map(name => ({ name }))
}

function normalizeContainer(raw: Json, i: number): Json {
  if (typeof raw !== 'object' || raw === null)
    throw new AwsError('ClientException', 'Container definition is invalid.')
  if (typeof raw.name !== 'string' || raw.name === '')
    throw new AwsError('ClientException', `Container.name should not be null or empty.`)
  if (!NAME_RE.test(raw.name))
    throw new AwsError('ClientException', `Container name '${raw.name}' contains invalid characters.`)
  if (typeof raw.image !== 'string' || raw.image === '')
    throw new AwsError('ClientException', `Container.image should not be null or empty.`)
  for (const k of ['command', 'entryPoint'] as const)
    if (
      raw[k] !== undefined &&
      (!Array.isArray(raw[k]) || (raw[k] as unknown[]).some(x => typeof x !== 'string'))
    )
      throw new AwsError('ClientException', `containerDefinitions[${i}].${k} must be a list of strings.`)
  const out: Json = {
    name: raw.name,
    image: raw.image,
    cpu: 0,
    portMappings: [],
    essential: true,
    environment: [],
    mountPoints: [],
    volumesFrom: [],
    systemControls: [],
    ...raw
  }
  if (raw.healthCheck !== undefined) {
    const hc = raw.healthCheck as Json
    const cmd = hc.command
    if (!Array.isArray(cmd) || cmd.length === 0 || cmd.some(x => typeof x !== 'string'))
      throw new AwsError('ClientException', 'HealthCheck command should not be null or empty.')
    if (!['CMD', 'CMD-SHELL', 'NONE'].includes(cmd[0] as string))
      throw new AwsError('ClientException', 'HealthCheck command must start with CMD, CMD-SHELL or NONE.')
    out.healthCheck = clean({
      command: cmd,
      interval: (hc.interval as number | undefined) ?? HEALTH_CHECK_DEFAULTS.interval,
      timeout: (hc.timeout as number | undefined) ?? HEALTH_CHECK_DEFAULTS.timeout,
      retries: (hc.retries as number | undefined) ?? HEALTH_CHECK_DEFAULTS.retries,
      startPeriod: hc.startPeriod as number | undefined
    })
  }
  return out
}

function registerTaskDefinition({ ctx, r, input }: EcsCall): Json {
  // What ECS refuses, from the table the action's plan uses too (src/task-definition/rules/, packages/ecs-sim/README.md):
  // the first finding, as ECS's exception and message.
  const [refused] = checkRegisterInput(input)
  if (refused) throw new AwsError(refused.exception, refused.message)
  const family = str(input, 'family') as string
  const raw = list(input, 'containerDefinitions') as Json[]
  const containerDefinitions = raw.map(normalizeContainer)
  const requires = strList(input, 'requiresCompatibilities') ?? []
  const networkMode = str(input, 'networkMode') ?? (requires.includes('FARGATE') ? undefined : 'bridge')
  const revisions = r.taskDefinitions.get(family) ?? []
  const revision = revisions.length + 1
  const arn = r.arn(`task-definition/${family}:${revision}`)
  const now = ctx.clock.now()
  const { tags: _tags, ...rest } = input
  const body: Json = clean({
    ...rest,
    taskDefinitionArn: arn,
    containerDefinitions,
    family,
    networkMode,
    revision,
    volumes: rest.volumes ?? [],
    status: 'ACTIVE',
    requiresAttributes: undefined,
    placementConstraints: rest.placementConstraints ?? [],
    compatibilities:
      networkMode === 'awsvpc' && input.cpu !== undefined && input.memory !== undefined
        ? ['EC2', 'FARGATE']
        : ['EC2'],
    requiresCompatibilities: requires.length > 0 ? requires : undefined,
    cpu: input.cpu !== undefined ? String(input.cpu) : undefined,
    memory: input.memory !== undefined ? String(input.memory) : undefined,
    registeredAt: epoch(now),
    registeredBy: `arn:aws:iam::${ACCOUNT_ID}:root`
  })
  body.requiresAttributes = requiresAttributes(body)
  const td: TaskDefinition = {
    arn,
    family,
    revision,
    status: 'ACTIVE',
    registeredAt: now,
    body,
    tags: parseTags(input.tags)
  }
  revisions.push(td)
  r.taskDefinitions.set(family, revisions)
  return { taskDefinition: renderTaskDefinition(td), tags: td.tags.map(t => ({ ...t })) }
}

function describeTaskDefinition({ r, input }: EcsCall): Json {
  const ref = str(input, 'taskDefinition')
  if (!ref) throw new AwsError('ClientException', 'Unable to describe task definition.')
  const td = findTaskDefinition(r, ref)
  if (!td) throw tdNotFound()
  const include = strList(input, 'include') ?? []
  return clean({
    taskDefinition: renderTaskDefinition(td),
    tags: include.includes('TAGS') ? td.tags.map(t => ({ ...t })) : undefined
  })
}

function deregisterTaskDefinition({ ctx, r, input }: EcsCall): Json {
  const ref = str(input, 'taskDefinition') ?? ''
  if (!/:\d+$/.test(ref))
    throw new AwsError('ClientException', `Invalid revision number. Number: ${ref.split(':').pop()}`)
  const td = findTaskDefinition(r, ref)
  if (!td) throw new AwsError('ClientException', 'The specified task definition does not exist.')
  if (td.status === 'ACTIVE') {
    td.status = 'INACTIVE'
    td.deregisteredAt = ctx.clock.now()
  }
  return { taskDefinition: renderTaskDefinition(td) }
}

function listTaskDefinitions({ r, input }: EcsCall): Json {
  const prefix = str(input, 'familyPrefix')
  const status = str(input, 'status') ?? 'ACTIVE'
  const sort = str(input, 'sort') ?? 'ASC'
  let all = [...r.taskDefinitions.values()]
    .flat()
    .filter(td => (!prefix || td.family === prefix || td.family.startsWith(prefix)) && td.status === status)
  all = all.sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision)
  if (sort === 'DESC') all.reverse()
  const { items, nextToken } = page(all, input)
  return clean({ taskDefinitionArns: items.map(td => td.arn), nextToken })
}

function listTaskDefinitionFamilies({ r, input }: EcsCall): Json {
  const prefix = str(input, 'familyPrefix') ?? ''
  const families = [...r.taskDefinitions.keys()].filter(f => f.startsWith(prefix)).sort()
  return { families }
}

export const TASK_DEFINITION_HANDLERS: Record<string, Handler> = {
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  ListTaskDefinitions: listTaskDefinitions,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies
}

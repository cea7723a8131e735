/** The only reader of action inputs: turns them into one typed, validated object. */
import * as core from '@actions/core'
import { DeployError } from './errors.js'
import { quote } from './untrusted.js'

export type PropagateTags = 'SERVICE' | 'TASK_DEFINITION' | 'NONE'

export interface ActionInputs {
  awsRegion: string
  /** ECR repository name or URI to build and push to; undefined when `image` is given. */
  repository?: string
  createRepository: boolean
  /** An already-built image to deploy instead of building. */
  image?: string
  context: string
  dockerfile?: string
  buildArgs: Record<string, string>
  target?: string
  platforms: string[]
  network?: string
  tags: string[]
  skipExisting: boolean
  taskDefinition?: string
  taskDefinitionFamily?: string
  containerName?: string
  cluster: string
  service?: string
  desiredCount?: number
  forceNewDeployment: boolean
  waitForServiceStability: boolean
  /** undefined when not set: the plan picks the strategy's default (src/strategy.ts). */
  waitForMinutes?: number
  maxFailedTasks?: number
  rollback: boolean
  propagateTags?: PropagateTags
  enableEcsManagedTags?: boolean
  /** What to do when a PAUSE lifecycle hook waits for us (native strategies). */
  onPause: OnPause
  /** A paused service deployment (its ARN) to continue and watch: no build, register or update. */
  resume?: string
  resumeAction: ResumeAction
  /** Auto scaling of the service (undefined: none of the scaling inputs is set). */
  scaling?: ScalingInputs
  /** The post-deploy watch: minutes to watch the alarms after the deployment completed (0: none). */
  watchMinutes: number
  /** Alarms to watch in that window, beside the service's deployment alarms. */
  alarms: string[]
}

/** The scaling inputs as given; src/scaling-plan.ts decides what they change. */
export interface ScalingInputs {
  min?: number
  max?: number
  /** Target tracking targets: average CPU %, average memory %, ALB requests per target. */
  cpu?: number
  memory?: number
  requests?: { perTarget: number; resourceLabel: string }
  /** Seconds; undefined keeps the policy's own (AWS's default for a new one). */
  scaleInCooldown?: number
  scaleOutCooldown?: number
}

export const ON_PAUSE = ['wait', 'continue', 'rollback', 'return'] as const
export type OnPause = (typeof ON_PAUSE)[number]
export const RESUME_ACTIONS = ['continue', 'rollback'] as const
export type ResumeAction = (typeof RESUME_ACTIONS)[number]

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find(a => a === value.trim().toLowerCase())
  if (found) return found
  throw invalid(name, `${quote(value)} is not one of ${allowed.join(', ')}`)
}

/** A service deployment ARN: arn:<partition>:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>. */
const SERVICE_DEPLOYMENT_ARN =
  /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:service-deployment\/[^/\s]+\/[^/\s]+\/[^/\s]+$/

/**
 * `resume` continues a deployment a PAUSE hook holds: it takes the service, and none of what would start
 * a new deployment (an image to build or deploy, a task definition, desired-count, force-new-deployment).
 */
function checkResume(read: InputReader, resume: string | undefined, service: string | undefined): void {
  const action = optional(read, 'resume-action')
  if (!resume) {
    if (action) throw invalid('resume-action', 'is only used with resume (a paused service deployment)')
    return
  }
  if (!SERVICE_DEPLOYMENT_ARN.test(resume)) {
    throw invalid(
      'resume',
      `${quote(resume)} is not a service deployment ARN`,
      'pass the service-deployment-arn output of the step that returned at the pause'
    )
  }
  if (!service)
    throw invalid('resume', 'needs the service the paused deployment belongs to (input "service")')
  const starts = [
    'repository',
    'image',
    'task-definition',
    'task-definition-family',
    'desired-count',
    'force-new-deployment'
  ]
  const set = starts.filter(
    name =>
      optional(read, name) !== undefined &&
      !(name === 'force-new-deployment' && optional(read, name)?.toLowerCase() === 'false')
  )
  if (set.length > 0) {
    throw invalid(
      'resume',
      `continues a paused deployment and starts none: remove ${set.map(n => `"${n}"`).join(', ')}`,
      'a resume step builds, registers and updates nothing; the step that returned at the pause did that'
    )
  }
}

export type InputReader = (name: string) => string

const defaultReader: InputReader = name => core.getInput(name)

function invalid(name: string, message: string, hint?: string): DeployError {
  return new DeployError(`Invalid input: ${name}`, `Input "${name}": ${message}`, { hint })
}

function optional(read: InputReader, name: string): string | undefined {
  const value = read(name).trim()
  return value === '' ? undefined : value
}

// What core.getBooleanInput takes (the YAML 1.2 core schema's booleans), and nothing else.
const TRUE = new Set(['true', 'True', 'TRUE'])
const FALSE = new Set(['false', 'False', 'FALSE'])
// Other spellings people use for booleans: refused, with the word they meant.
const MEANT_TRUE = new Set(['yes', 'y', 'on', '1', 'enable', 'enabled'])
const MEANT_FALSE = new Set(['no', 'n', 'off', '0', 'disable', 'disabled'])

/** `true`, `True`, `TRUE`, `false`, `False` or `FALSE` after trimming, as core.getBooleanInput reads them. */
export function parseBoolean(name: string, value: string): boolean {
  const v = value.trim()
  if (TRUE.has(v)) return true
  if (FALSE.has(v)) return false
  const lower = v.toLowerCase()
  const meant = MEANT_TRUE.has(lower) ? 'true' : MEANT_FALSE.has(lower) ? 'false' : undefined
  throw invalid(
    name,
    `${quote(value)} is not a boolean`,
    meant
      ? `write ${meant}: this input takes true, True, TRUE, false, False or FALSE, nothing else`
      : 'use true or false (also True, TRUE, False, FALSE)'
  )
}

/**
 * `docker build --network`: what both builders take. BuildKit (docker buildx, and `docker build` since
 * Docker 23) accepts only these three and refuses any other mode ("network mode … not supported by
 * buildkit"); a network name or `container:<id>` works only with the classic builder, which this action
 * falls back to only when buildx is missing. One list, so the input means the same with either builder.
 */
export const NETWORK_MODES = ['default', 'none', 'host'] as const
export type NetworkMode = (typeof NETWORK_MODES)[number]

export function parseNetwork(value: string): NetworkMode {
  const v = value.trim()
  const mode = NETWORK_MODES.find(m => m === v)
  if (mode) return mode
  throw invalid(
    'network',
    `${quote(value)} is not a build network mode; it takes ${NETWORK_MODES.join(', ')}`,
    'a network name or container:<id> works only with the classic docker builder; BuildKit (buildx) refuses it, ' +
      'so this action refuses it with either builder. For a network of your own, create a buildx builder on it ' +
      '(docker buildx create --driver-opt network=<name>) in an earlier step.'
  )
}

function booleanInput(read: InputReader, name: string, fallback: boolean): boolean {
  const value = optional(read, name)
  return value === undefined ? fallback : parseBoolean(name, value)
}

function wholeNumber(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw invalid(name, `${quote(value)} is not a whole number`)
  const n = Number(value)
  if (n < min || n > max) throw invalid(name, `${n} is out of range (${min} to ${max})`)
  return n
}

/** Splits on commas and newlines, trims, drops empties. */
export function parseList(value: string | undefined): string[] {
  if (!value) return []
  return value
    .split(/[\n,]/)
    .map(s => s.trim())
    .filter(s => s !== '')
}

/** `KEY=value` per line; blank lines and `#` comments are skipped; the value may contain `=`. */
export function parseBuildArgs(value: string | undefined): Record<string, string> {
  const args: Record<string, string> = {}
  if (!value) return args
  value.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const eq = line.indexOf('=')
    const key = eq < 0 ? line : line.slice(0, eq).trim()
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      throw invalid('build-args', `line ${index + 1} (${quote(line, 40)}) is not KEY=value`)
    }
    args[key] = line.slice(eq + 1).trimStart()
  })
  return args
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/

export function readInputs(
  read: InputReader = defaultReader,
  env: NodeJS.ProcessEnv = process.env
): ActionInputs {
  const awsRegion = optional(read, 'aws-region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? ''
  if (awsRegion === '') {
    throw invalid(
      'aws-region',
      'no region given, and neither AWS_REGION nor AWS_DEFAULT_REGION is set',
      'set aws-region, or use aws-actions/configure-aws-credentials first'
    )
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(awsRegion))
    throw invalid('aws-region', `${quote(awsRegion)} is not an AWS region name`)

  const repository = optional(read, 'repository')
  const image = optional(read, 'image')
  if (repository && image) {
    throw invalid(
      'image',
      'set either repository (build and push) or image (deploy an existing image), not both'
    )
  }

  const tags = parseList(optional(read, 'tags'))
  for (const tag of tags) {
    if (!TAG.test(tag))
      throw invalid(
        'tags',
        `${quote(tag)} is not a valid image tag`,
        'letters, digits, _ . - and at most 128 characters'
      )
  }
  const platforms = parseList(optional(read, 'platforms'))
  for (const p of platforms) {
    if (!PLATFORM.test(p)) throw invalid('platforms', `${quote(p)} is not a platform like linux/amd64`)
  }

  const taskDefinition = optional(read, 'task-definition')
  const taskDefinitionFamily = optional(read, 'task-definition-family')
  if (taskDefinition && taskDefinitionFamily) {
    throw invalid(
      'task-definition-family',
      'set either task-definition (a file) or task-definition-family, not both'
    )
  }
  const service = optional(read, 'service')
  if (!service && !taskDefinition && !taskDefinitionFamily && !optional(read, 'resume')) {
    throw invalid(
      'task-definition',
      'with no service to update, a task definition file or family is needed as the base'
    )
  }
  const resume = optional(read, 'resume')
  checkResume(read, resume, service)
  if (!repository && !image && !service) {
    throw invalid('repository', 'nothing to deploy: set repository (build and push) or image')
  }

  const desiredCountText = optional(read, 'desired-count')
  const maxFailedText = optional(read, 'max-failed-tasks')
  const minutesText = optional(read, 'wait-for-minutes')
  if (
    minutesText !== undefined &&
    (!/^\d+(\.\d+)?$/.test(minutesText) || Number(minutesText) <= 0 || Number(minutesText) > 360)
  ) {
    throw invalid('wait-for-minutes', `${quote(minutesText)} is not a number of minutes between 0 and 360`)
  }

  const propagateText = optional(read, 'propagate-tags')
  let propagateTags: PropagateTags | undefined
  if (propagateText !== undefined) {
    const upper = propagateText.toUpperCase()
    if (upper !== 'SERVICE' && upper !== 'TASK_DEFINITION' && upper !== 'NONE') {
      throw invalid('propagate-tags', `${quote(propagateText)} is not one of SERVICE, TASK_DEFINITION, NONE`)
    }
    propagateTags = upper
  }
  const managedTagsText = optional(read, 'enable-ecs-managed-tags')

  const networkText = optional(read, 'network')
  const cluster = optional(read, 'cluster') ?? 'default'
  const containerName = optional(read, 'container-name')

  return {
    awsRegion,
    repository,
    createRepository: booleanInput(read, 'create-repository', false),
    image,
    context: optional(read, 'context') ?? '.',
    dockerfile: optional(read, 'dockerfile'),
    buildArgs: parseBuildArgs(optional(read, 'build-args')),
    target: optional(read, 'target'),
    platforms,
    network: networkText === undefined ? undefined : parseNetwork(networkText),
    tags,
    skipExisting: booleanInput(read, 'skip-existing', true),
    taskDefinition,
    taskDefinitionFamily,
    containerName,
    cluster,
    service,
    desiredCount:
      desiredCountText === undefined ? undefined : wholeNumber('desired-count', desiredCountText, 0, 5000),
    forceNewDeployment: booleanInput(read, 'force-new-deployment', false),
    waitForServiceStability: booleanInput(read, 'wait-for-service-stability', true),
    waitForMinutes: minutesText === undefined ? undefined : Number(minutesText),
    maxFailedTasks:
      maxFailedText === undefined ? undefined : wholeNumber('max-failed-tasks', maxFailedText, 1, 1000),
    rollback: booleanInput(read, 'rollback', true),
    propagateTags,
    enableEcsManagedTags:
      managedTagsText === undefined ? undefined : parseBoolean('enable-ecs-managed-tags', managedTagsText),
    onPause: oneOf('on-pause', optional(read, 'on-pause') ?? 'wait', ON_PAUSE),
    resume,
    resumeAction: oneOf('resume-action', optional(read, 'resume-action') ?? 'continue', RESUME_ACTIONS),
    ...readWatchAndScaling(read, service, resume)
  }
}

/** The ALB's ResourceLabel of a target group: app/<lb name>/<lb id>/targetgroup/<tg name>/<tg id>. */
const RESOURCE_LABEL =
  /^app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}\/targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]{1,32}$/
/** A CloudWatch alarm name: 1 to 255 characters, no control characters. */
const ALARM_NAME = /^[^\p{Cc}]{1,255}$/u
const SCALING_INPUTS = [
  'scaling-min',
  'scaling-max',
  'scale-on-cpu',
  'scale-on-memory',
  'scale-on-requests',
  'scale-on-requests-resource-label',
  'scale-in-cooldown',
  'scale-out-cooldown'
]

function readScaling(read: InputReader): ScalingInputs | undefined {
  if (SCALING_INPUTS.every(name => optional(read, name) === undefined)) return undefined
  const number = (name: string, min: number, max: number): number | undefined => {
    const text = optional(read, name)
    return text === undefined ? undefined : wholeNumber(name, text, min, max)
  }
  const min = number('scaling-min', 0, 5000)
  const max = number('scaling-max', 0, 5000)
  if (min !== undefined && max !== undefined && min > max)
    throw invalid('scaling-max', `${max} is below scaling-min (${min})`)
  const perTarget = number('scale-on-requests', 1, 1_000_000)
  const resourceLabel = optional(read, 'scale-on-requests-resource-label')
  if (perTarget !== undefined && resourceLabel === undefined) {
    throw invalid(
      'scale-on-requests-resource-label',
      'scale-on-requests needs the target group it counts requests of',
      'give its ResourceLabel: app/<load balancer name>/<id>/targetgroup/<target group name>/<id>'
    )
  }
  if (resourceLabel !== undefined) {
    if (perTarget === undefined)
      throw invalid('scale-on-requests-resource-label', 'is only used with scale-on-requests')
    if (!RESOURCE_LABEL.test(resourceLabel)) {
      throw invalid(
        'scale-on-requests-resource-label',
        `${quote(resourceLabel)} is not an ALB target group's ResourceLabel`,
        'app/<load balancer name>/<id>/targetgroup/<target group name>/<id>: the ends of the load ' +
          "balancer's ARN (after loadbalancer/) and the target group's ARN, joined by a slash"
      )
    }
  }
  return {
    min,
    max,
    cpu: number('scale-on-cpu', 1, 100),
    memory: number('scale-on-memory', 1, 100),
    requests: perTarget === undefined ? undefined : { perTarget, resourceLabel: resourceLabel as string },
    scaleInCooldown: number('scale-in-cooldown', 0, 86_400),
    scaleOutCooldown: number('scale-out-cooldown', 0, 86_400)
  }
}

/** The scaling inputs and the post-deploy watch's; both need a service that a deploy updates. */
function readWatchAndScaling(
  read: InputReader,
  service: string | undefined,
  resume: string | undefined
): Pick<ActionInputs, 'scaling' | 'watchMinutes' | 'alarms'> {
  const minutesText = optional(read, 'watch-minutes')
  if (
    minutesText !== undefined &&
    (!/^\d+(\.\d+)?$/.test(minutesText) || Number(minutesText) < 0 || Number(minutesText) > 360)
  ) {
    throw invalid('watch-minutes', `${quote(minutesText)} is not a number of minutes from 0 to 360`)
  }
  const watchMinutes = minutesText === undefined ? 0 : Number(minutesText)
  const alarms = parseList(optional(read, 'alarms'))
  for (const name of alarms) {
    if (!ALARM_NAME.test(name)) throw invalid('alarms', `${quote(name)} is not a CloudWatch alarm name`)
  }
  if (alarms.length > 100) throw invalid('alarms', `${alarms.length} alarms; at most 100 are watched`)
  if (alarms.length > 0 && watchMinutes === 0) {
    throw invalid(
      'alarms',
      'are watched after the deployment completed, for watch-minutes: set watch-minutes',
      "the service's own deployment alarms (deploymentConfiguration.alarms) are watched by ECS during it"
    )
  }
  const scaling = readScaling(read)
  const needsService = scaling ? SCALING_INPUTS.find(n => optional(read, n) !== undefined) : undefined
  const named = needsService ?? (watchMinutes > 0 ? 'watch-minutes' : undefined)
  if (named && !service) throw invalid(named, 'needs the service to deploy (input "service")')
  if (named && resume) {
    throw invalid(
      named,
      'is not used with resume: the step that started the deployment applies scaling and watches after it'
    )
  }
  if (watchMinutes > 0 && !booleanInput(read, 'wait-for-service-stability', true)) {
    throw invalid(
      'watch-minutes',
      'watches after the deployment completed, which a run with wait-for-service-stability: false does not wait for'
    )
  }
  return { scaling, watchMinutes, alarms }
}

/** The circuit breaker's own threshold: max(3, min(200, ceil(0.5 × desired))). */
export function circuitBreakerThreshold(desired: number): number {
  return Math.max(3, Math.min(200, Math.ceil(0.5 * desired)))
}

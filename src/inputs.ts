/** The only reader of action inputs: turns them into one typed, validated object. */
import * as core from '@actions/core'
import { quote } from './untrusted.js'
import {
  ALARM_NAME,
  SERVICE_DEPLOYMENT_ARN,
  invalid,
  oneOf,
  parseBoolean,
  parseBuildArgs,
  parseList,
  parseNetwork,
  parseScaling,
  wholeNumber
} from './input-values.js'

export {
  NETWORK_MODES,
  circuitBreakerThreshold,
  parseBoolean,
  parseBuildArgs,
  parseList,
  parseNetwork,
  type NetworkMode
} from './input-values.js'

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

function optional(read: InputReader, name: string): string | undefined {
  const value = read(name).trim()
  return value === '' ? undefined : value
}

function booleanInput(read: InputReader, name: string, fallback: boolean): boolean {
  const value = optional(read, name)
  return value === undefined ? fallback : parseBoolean(name, value)
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
  const values = Object.fromEntries(SCALING_INPUTS.map(name => [name, optional(read, name)]))
  return parseScaling(values)
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

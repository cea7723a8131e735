/**
 * The blue/green act of `npm run demo` (scripts/demo.ts): the service becomes a BLUE_GREEN service with a
 * short bake, a load balancer (state in the local ECS: target groups and listener rules are ARNs, no real
 * load balancer) and a deployment alarm with rollback; while a deploy runs, this module follows ECS's
 * service deployment on its own, shows which containers really run in Docker during the bake (blue beside
 * green), and can set the alarm to ALARM through the local ECS's control API (`PUT /_sim/alarms`).
 */
import fs from 'node:fs'
import path from 'node:path'
import {
  DescribeServiceDeploymentsCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  UpdateServiceCommand,
  type ServiceDeployment
} from '@aws-sdk/client-ecs'
import { arnTail } from '../src/arn.js'
import { setAlarms, setHookRules } from '../packages/ecs-sim/testing.js'
import { docker } from '../testkit/engine.js'
import type { World } from '../testkit/world.js'
import type { Seen } from './demo-expect.js'
import { dim, green, info, yellow } from './demo-print.js'
import { repoRoot } from './run-action.js'

/** The CloudWatch alarm the service's deployment configuration names (its state is the local ECS's). */
export const ALARM = 'demo-web-5xx'
/** bakeTimeInMinutes: 1 minute, 15 s at the demo's time scale 0.25. */
export const BAKE_MINUTES = 1
/**
 * The Lambda hook after the test traffic shift (smoke tests on the test listener) and how long it runs:
 * 6 s here, long enough for the action's poll (every 3.2 s) to see and print the test traffic on green.
 */
export const SMOKE_TEST = 'demo-smoke-test'
export const SMOKE_TEST_SECONDS = 24

/**
 * examples/app/task-definition.json with a port on its first container: a load balancer names the
 * container and port its target groups send to, and ECS accepts only a port the container maps.
 */
export function taskDefinitionWithPort(port: number): string {
  const file = path.join(repoRoot, 'examples/app/task-definition.json')
  const td = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    containerDefinitions: Array<Record<string, unknown>>
  }
  td.containerDefinitions[0].portMappings = [{ containerPort: port, protocol: 'tcp' }]
  return `${JSON.stringify(td, null, 2)}\n`
}

const ACCOUNT = '123456789012'
const elb = (region: string, what: string) => `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:${what}`

/** The load balancer of a native blue/green service: two target groups, two listener rules, the ECS role. */
export function loadBalancer(region: string, container: string, port: number) {
  const alb = 'app/demo-alb/50dc6c495c0c9188'
  return {
    targetGroupArn: elb(region, 'targetgroup/demo-web-blue/0a1b2c3d4e5f6a7b'),
    containerName: container,
    containerPort: port,
    advancedConfiguration: {
      alternateTargetGroupArn: elb(region, 'targetgroup/demo-web-green/7b6a5f4e3d2c1b0a'),
      productionListenerRule: elb(region, `listener-rule/${alb}/f2f7dc8efc522ab2/9683b2d02a6cabee`),
      testListenerRule: elb(region, `listener-rule/${alb}/3c4d5e6f7a8b9c0d/1e2f3a4b5c6d7e8f`),
      roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructureRoleForLoadBalancers`
    }
  }
}

/**
 * Converts `service` (rolling, steady) to BLUE_GREEN with UpdateService: same revision, so no deployment
 * starts; the next UpdateService (the action's) is a blue/green service deployment, as AWS describes the
 * migration (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/migrate-deployment-strategies.html). The alarm starts OK;
 * a Lambda hook after the test traffic shift runs SMOKE_TEST_SECONDS (scaled), then succeeds.
 */
export async function convertToBlueGreen(
  world: World,
  service: string,
  container: string,
  port: number
): Promise<void> {
  await setAlarms(world.sim.url, { [ALARM]: 'OK' })
  const hookTargetArn = `arn:aws:lambda:${world.region}:${ACCOUNT}:function:${SMOKE_TEST}`
  // The local ECS answers for the Lambda function: IN_PROGRESS, then SUCCEEDED (PUT /_sim/hooks).
  await setHookRules(world.sim.url, [
    { hookTargetArn, status: 'IN_PROGRESS', then: 'SUCCEEDED', afterSeconds: SMOKE_TEST_SECONDS }
  ])
  await world.ecs.send(
    new UpdateServiceCommand({
      cluster: world.cluster,
      service,
      deploymentConfiguration: {
        strategy: 'BLUE_GREEN',
        bakeTimeInMinutes: BAKE_MINUTES,
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        alarms: { alarmNames: [ALARM], enable: true, rollback: true },
        lifecycleHooks: [
          {
            targetType: 'AWS_LAMBDA',
            hookTargetArn,
            roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsLifecycleHookRole`,
            lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT']
          }
        ]
      },
      loadBalancers: [loadBalancer(world.region, container, port)]
    })
  )
}

/** The service's newest service deployment (ListServiceDeployments lists the newest first). */
export async function newestServiceDeployment(
  world: World,
  service: string
): Promise<ServiceDeployment | undefined> {
  const list = await world.ecs.send(new ListServiceDeploymentsCommand({ cluster: world.cluster, service }))
  const arn = list.serviceDeployments?.[0]?.serviceDeploymentArn
  if (!arn) return undefined
  const out = await world.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
  return out.serviceDeployments?.[0]
}

/** Running containers of the service's tasks in Docker, by task definition (from DescribeTasks). */
export async function containersByRevision(world: World, service: string): Promise<Map<string, string[]>> {
  const ps = await docker([
    'ps',
    '--filter',
    `label=ecs-sim=${world.instance}`,
    '--filter',
    'status=running',
    '--format',
    '{{.Label "ecs-sim.task"}}'
  ])
  const taskIds = [...new Set(ps.stdout.split('\n').filter(Boolean))]
  const byRevision = new Map<string, string[]>()
  if (taskIds.length === 0) return byRevision
  const out = await world.ecs.send(new DescribeTasksCommand({ cluster: world.cluster, tasks: taskIds }))
  for (const t of out.tasks ?? []) {
    if (t.group !== `service:${service}`) continue // another service's (the scaling act's)
    const revision = t.taskDefinitionArn ?? '?'
    byRevision.set(revision, [...(byRevision.get(revision) ?? []), arnTail(t.taskArn ?? '?').slice(0, 8)])
  }
  return byRevision
}

/** What the demo saw of one blue/green deploy beside the action; `last` is the deployment's end. */
export interface Observed extends Seen {
  last?: ServiceDeployment
  /** When (ms since the epoch) the demo saw the bake begin, and when the action's run had ended. */
  bakeSeenAt?: number
  endedAt?: number
}

/**
 * Follows the service deployment that starts after `since` while the action runs: when its bake begins,
 * prints the containers Docker runs (blue and green) and calls `onBake` (deploy #4 sets the alarm there).
 */
export function followDeployment(
  world: World,
  service: string,
  options: { since: number; blue: string; onBake?: () => Promise<void> }
): { finish(): Promise<Observed> } {
  const observed: Observed = {}
  let running = true
  const loop = (async () => {
    try {
      while (running) {
        const d = await newestServiceDeployment(world, service)
        const ours = d && (d.createdAt?.getTime() ?? 0) >= options.since - 1000
        if (ours) observed.last = d
        if (ours && !observed.atBake && d.lifecycleStage === 'BAKE_TIME') {
          observed.bakeSeenAt = Date.now()
          observed.atBake = await containersByRevision(world, service)
          printColours(observed.atBake, options.blue)
          await options.onBake?.()
        }
        await new Promise(r => setTimeout(r, 250))
      }
    } catch (err) {
      observed.error = err instanceof Error ? err.message : String(err)
    }
  })()
  return {
    async finish() {
      observed.endedAt = Date.now()
      running = false
      await loop
      // Once more after the run: the deployment's end as ECS shows it.
      const d = await newestServiceDeployment(world, service).catch(() => undefined)
      if (d && (d.createdAt?.getTime() ?? 0) >= options.since - 1000) observed.last = d
      return observed
    }
  }
}

function printColours(byRevision: Map<string, string[]>, blue: string): void {
  const parts = [...byRevision].map(([revision, tasks]) => {
    const colour = revision === blue ? 'blue' : 'green'
    const paint = colour === 'blue' ? dim : green
    return paint(`${tasks.length} × ${arnTail(revision)} (${colour}: ${tasks.join(', ')})`)
  })
  const total = [...byRevision.values()].reduce((n, t) => n + t.length, 0)
  info(`${yellow('◆ demo')} bake started; ${total} containers running in Docker: ${parts.join(', ')}`)
}

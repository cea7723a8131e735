/**
 * Helpers for the integration tests of the native strategies (strategies*.test.ts): a service on a native
 * strategy in a world of the scripted backend, its service deployments as ECS lists them, waits on them,
 * and the weights the last one asks for. Not a test file.
 */
import { expect } from '@jest/globals'
import {
  ContinueServiceDeploymentCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  ListServiceDeploymentsCommand,
  type DeploymentConfiguration,
  type ServiceDeployment
} from '@aws-sdk/client-ecs'
import type { World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'
import type { RunOptions } from '../../scripts/run-action.js'

/** The local ECS's control API: CloudWatch alarm states (PUT /_sim/alarms, packages/ecs-sim/README.md). */
export async function setAlarms(url: string, states: Record<string, 'OK' | 'ALARM'>): Promise<void> {
  const res = await fetch(`${url}/_sim/alarms`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(states)
  })
  if (!res.ok) throw new Error(`PUT /_sim/alarms answered ${res.status}`)
}

export function waiting(d: ServiceDeployment): string | undefined {
  return d.lifecycleHookDetails?.find(h => h.status === 'AWAITING_ACTION')?.hookId
}

/** Production weights the deployment asks for: on its target (green) and on its first source (blue). */
export function weights(d: ServiceDeployment | undefined): { green?: number; blue?: number } {
  return {
    green: d?.targetServiceRevision?.requestedProductionTrafficWeight,
    blue: d?.sourceServiceRevisions?.[0]?.requestedProductionTrafficWeight
  }
}

/** True when each text occurs in `output`, in this order. */
export function inOrder(output: string, texts: string[]): boolean {
  let from = 0
  for (const text of texts) {
    const at = output.indexOf(text, from)
    if (at < 0) return false
    from = at + text.length
  }
  return true
}

export interface NativeWorld {
  /** A pinned image the scripted backend matches by substring (`good`, `crash`, ...). */
  image(kind?: string): string
  /** The service's newest service deployment, described. */
  newest(name: string): Promise<ServiceDeployment | undefined>
  /** Until the newest service deployment of `name` satisfies `ok`; throws after `ms`. */
  until(name: string, ok: (d: ServiceDeployment) => boolean, ms?: number): Promise<ServiceDeployment>
  /** A service with `config` on a first revision registered by the action, its first deployment done. */
  strategyService(
    config: DeploymentConfiguration,
    options?: { prefix?: string; desiredCount?: number }
  ): Promise<{ name: string; baseArn: string }>
  /** A run of the action deploying a new image of `kind` to `service` (wait 5 minutes unless `extra` says). */
  deploy(
    service: string,
    extra?: Record<string, string>,
    options?: Partial<RunOptions> & { kind?: string }
  ): ReturnType<World['run']>
}

export function nativeWorld(world: () => World): NativeWorld {
  let serial = 0
  const image = (kind = 'good'): string =>
    `${world().registry}/${kind}/app@sha256:${randomSha().padEnd(64, '0')}`

  const newest = async (name: string): Promise<ServiceDeployment | undefined> => {
    const w = world()
    const list = await w.ecs.send(new ListServiceDeploymentsCommand({ cluster: w.cluster, service: name }))
    const arn = list.serviceDeployments?.[0]?.serviceDeploymentArn
    if (!arn) return undefined
    const out = await w.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
    return out.serviceDeployments?.[0]
  }

  const until: NativeWorld['until'] = async (name, ok, ms = 60_000) => {
    const deadline = Date.now() + ms
    for (;;) {
      const d = await newest(name)
      if (d && ok(d)) return d
      if (Date.now() > deadline)
        throw new Error(`service ${name}: not reached (last ${d?.status} ${d?.lifecycleStage})`)
      await new Promise(r => setTimeout(r, 100))
    }
  }

  const strategyService: NativeWorld['strategyService'] = async (config, options = {}) => {
    const w = world()
    const name = `${options.prefix ?? 'native'}-${++serial}`
    const first = await w.run({ image: image(), 'task-definition': 'task-definition.json' })
    expect(first.exitCode).toBe(0)
    const baseArn = first.outputs['task-definition-arn']
    await w.ecs.send(
      new CreateServiceCommand({
        cluster: w.cluster,
        serviceName: name,
        taskDefinition: baseArn,
        desiredCount: options.desiredCount ?? 2,
        launchType: 'FARGATE',
        deploymentConfiguration: config
      })
    )
    // The first deployment pauses at the service's PAUSE hook too: continued here, so only ours is the test's.
    for (;;) {
      const d = await until(name, d => d.status === 'SUCCESSFUL' || waiting(d) !== undefined)
      const hook = waiting(d)
      if (!hook) break
      await w.ecs.send(
        new ContinueServiceDeploymentCommand({
          serviceDeploymentArn: d.serviceDeploymentArn,
          hookId: hook,
          action: 'CONTINUE'
        })
      )
      await until(name, d => waiting(d) !== hook)
    }
    return { name, baseArn }
  }

  const deploy: NativeWorld['deploy'] = (service, extra = {}, { kind, ...options } = {}) =>
    world().run(
      {
        image: image(kind),
        'task-definition': 'task-definition.json',
        'container-name': 'web',
        service,
        'wait-for-minutes': '5',
        ...extra
      },
      options
    )

  return { image, newest, until, strategyService, deploy }
}

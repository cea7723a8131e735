/** A service to deploy to: created on a registered revision, and waited for until it is steady. */
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  type ECSClient,
  type Service
} from '@aws-sdk/client-ecs'

export interface ServiceOptions {
  /** Default 1. */
  desiredCount?: number
  circuitBreaker?: { enable: boolean; rollback: boolean }
  /** Wait until the first deployment is steady (default true). */
  wait?: boolean
  /** How long that may take (default 120 s) and how often to look (default 200 ms). */
  timeoutMs?: number
  intervalMs?: number
}

export async function describeService(ecs: ECSClient, cluster: string, name: string): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }))
  const found = out.services?.[0]
  if (!found) throw new Error(`service ${cluster}/${name} not found`)
  return found
}

/** Steady: one deployment, COMPLETED, running as many tasks as it wants. */
export function isSteady(service: Service): boolean {
  const d = service.deployments ?? []
  return d.length === 1 && d[0].rolloutState === 'COMPLETED' && d[0].runningCount === d[0].desiredCount
}

/** Until the service runs one COMPLETED deployment; the steady service. */
export async function waitSteady(
  ecs: ECSClient,
  cluster: string,
  name: string,
  options: Pick<ServiceOptions, 'timeoutMs' | 'intervalMs'> = {}
): Promise<Service> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000)
  for (;;) {
    const service = await describeService(ecs, cluster, name)
    if (isSteady(service)) return service
    if (Date.now() > deadline) throw new Error(`service ${cluster}/${name} did not reach a steady state`)
    await new Promise(r => setTimeout(r, options.intervalMs ?? 200))
  }
}

/**
 * Creates a Fargate service (min 100 % / max 200 %) on a task definition and, unless `wait: false`,
 * waits until its first deployment is steady.
 */
export async function createService(
  ecs: ECSClient,
  cluster: string,
  name: string,
  taskDefinition: string,
  options: ServiceOptions = {}
): Promise<Service> {
  const out = await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: name,
      taskDefinition,
      desiredCount: options.desiredCount ?? 1,
      launchType: 'FARGATE',
      deploymentConfiguration: {
        minimumHealthyPercent: 100,
        maximumPercent: 200,
        ...(options.circuitBreaker ? { deploymentCircuitBreaker: options.circuitBreaker } : {})
      }
    })
  )
  if (options.wait === false) return out.service ?? {}
  return waitSteady(ecs, cluster, name, options)
}

/** Shared by the deployment-strategy tests: a service with a strategy, and its newest service deployment. */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeploymentConfiguration,
  DescribeServiceDeploymentsCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  LoadBalancer,
  RegisterTaskDefinitionCommand,
  ServiceDeployment,
  UpdateServiceCommand
} from '@aws-sdk/client-ecs'
import { service, waitFor } from './helpers.js'

export const LAMBDA = 'arn:aws:lambda:eu-west-1:123456789012:function:check'
export const ROLE = 'arn:aws:iam::123456789012:role/ecs-hooks'

export async function newestDeployment(ecs: ECSClient, cluster: string): Promise<ServiceDeployment> {
  const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service: 'web' }))
  const arn = list.serviceDeployments![0].serviceDeploymentArn!
  const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))
  return out.serviceDeployments![0]
}

const FINAL = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']

export function finished(sd: ServiceDeployment): boolean {
  return FINAL.includes(sd.status!)
}

/** A cluster, web:1 (app:v1) and web:2 (app:v2), and service web on web:1 once its deployment finished. */
export async function strategyService(
  ecs: ECSClient,
  cluster: string,
  config: DeploymentConfiguration,
  opts: { desired?: number; loadBalancers?: LoadBalancer[] } = {}
): Promise<void> {
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }))
  for (const image of ['app:v1', 'app:v2'])
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image, essential: true }]
      })
    )
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: 'web',
      taskDefinition: 'web:1',
      desiredCount: opts.desired ?? 2,
      launchType: 'FARGATE',
      loadBalancers: opts.loadBalancers,
      deploymentConfiguration: config
    })
  )
  const first = await waitFor('the first service deployment', () => newestDeployment(ecs, cluster), finished)
  if (first.status !== 'SUCCESSFUL')
    throw new Error(`first deployment ended ${first.status}: ${first.statusReason}`)
  await waitFor(
    'steady',
    () => service(ecs, cluster, 'web'),
    s => s.deployments!.length === 1
  )
}

/** Updates web to web:2 and watches its service deployment: every answer seen, until `until`. */
export async function deployV2(
  ecs: ECSClient,
  cluster: string,
  until: (sd: ServiceDeployment) => boolean = finished,
  onEach: (sd: ServiceDeployment) => Promise<void> | void = () => {}
): Promise<ServiceDeployment[]> {
  await ecs.send(new UpdateServiceCommand({ cluster, service: 'web', taskDefinition: 'web:2' }))
  const seen: ServiceDeployment[] = []
  await waitFor(
    'the web:2 service deployment',
    async () => {
      const sd = await newestDeployment(ecs, cluster)
      seen.push(sd)
      await onEach(sd)
      return sd
    },
    sd => sd.targetServiceRevision!.arn !== undefined && seen.length > 0 && until(sd)
  )
  return seen
}

/** The distinct values in the order they first appeared. */
export function inOrder<T>(values: T[]): T[] {
  const out: T[] = []
  for (const v of values) if (out[out.length - 1] !== v) out.push(v)
  return out
}

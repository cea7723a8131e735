/** What the Application Auto Scaling tests share: a started sim with one ECS service, and the SDK client. */
import { afterAll, beforeAll, beforeEach } from '@jest/globals'
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling'
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch'
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand
} from '@aws-sdk/client-ecs'
import { reset, RunningSim, startSim } from '../testing.js'
import { clients } from './helpers.js'

export const ns = 'ecs' as const
export const dim = 'ecs:service:DesiredCount' as const
export const rid = 'service/aas-api/web'
export const TG_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/my-tg/943f017f100becff'
export const target = { ServiceNamespace: ns, ScalableDimension: dim, ResourceId: rid }
export const cpu = (value: number) => ({
  TargetValue: value,
  PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' as const }
})

export function aasClient(url: string): ApplicationAutoScalingClient {
  return new ApplicationAutoScalingClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDSIMULATOR', secretAccessKey: 'simulator-secret' },
    maxAttempts: 1
  })
}

/**
 * Starts a sim for the file (scripted, time scale 0.02) and, before each test, resets it and creates cluster
 * `aas-api` with service `web` (desired 1, behind target group TG_ARN). Read the clients from the answer.
 */
export function aasWorld(): {
  sim: RunningSim
  ecs: ECSClient
  cw: CloudWatchClient
  aas: ApplicationAutoScalingClient
} {
  const world = {} as {
    sim: RunningSim
    ecs: ECSClient
    cw: CloudWatchClient
    aas: ApplicationAutoScalingClient
  }
  beforeAll(async () => {
    world.sim = await startSim({ tasks: 'scripted', timeScale: 0.02 })
    ;({ ecs: world.ecs, cloudwatch: world.cw } = clients(world.sim.url, 1))
    world.aas = aasClient(world.sim.url)
  })
  afterAll(async () => {
    await world.sim?.stop()
  })
  beforeEach(async () => {
    await reset(world.sim.url)
    await world.ecs.send(new CreateClusterCommand({ clusterName: 'aas-api' }))
    await world.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'web',
        containerDefinitions: [{ name: 'a', image: 'x:1', memory: 128 }]
      })
    )
    await world.ecs.send(
      new CreateServiceCommand({
        cluster: 'aas-api',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 1,
        loadBalancers: [{ targetGroupArn: TG_ARN, containerName: 'a', containerPort: 80 }]
      })
    )
  })
  return world
}

/** The step's outputs, and the console link they and the summary give. */
import * as core from '@actions/core'
import type { DeployReport } from './types.js'

export function consoleUrl(region: string, cluster: string, service: string): string {
  const r = encodeURIComponent(region)
  return `https://${r}.console.aws.amazon.com/ecs/v2/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}/deployments?region=${r}`
}

export function setOutputs(report: DeployReport): void {
  const outputs: Array<[string, string | undefined]> = [
    ['image', report.image],
    ['image-digest', report.imageDigest],
    ['image-tags', report.imageTags && report.imageTags.length > 0 ? report.imageTags.join(',') : undefined],
    ['task-definition-arn', report.taskDefinitionArn],
    ['deployment-id', report.deploymentId],
    ['service-deployment-arn', report.serviceDeploymentArn],
    ['hook-id', report.hookId],
    ['console-url', report.consoleUrl]
  ]
  for (const [name, value] of outputs) if (value) core.setOutput(name, value)
}

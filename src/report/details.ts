/**
 * The ids and ARNs, collapsed: cluster, service, deployment, task-definition ARN, image digest (once:
 * only when the image reference does not carry it), tags, ECS's own words about the deployment, the
 * console link. Pure.
 */
import { clip, code, details, href, md, table } from './format.js'
import type { DeployReport } from './types.js'

export function renderDetails(report: DeployReport): string[] {
  const rows: string[][] = []
  if (report.cluster) rows.push(['Cluster', code(clip(report.cluster, 300))])
  if (report.service) rows.push(['Service', code(clip(report.service, 300))])
  if (report.deploymentId) rows.push(['Deployment', code(clip(report.deploymentId, 300))])
  if (report.serviceDeploymentArn)
    rows.push(['Service deployment', code(clip(report.serviceDeploymentArn, 400))])
  if (report.taskDefinitionArn) rows.push(['Task definition ARN', code(clip(report.taskDefinitionArn, 400))])
  if (report.previousTaskDefinitionArn)
    rows.push(['Previous task definition ARN', code(clip(report.previousTaskDefinitionArn, 400))])
  if (report.image) rows.push(['Image', code(clip(report.image, 400))])
  if (report.previousImage) rows.push(['Previous image', code(clip(report.previousImage, 400))])
  if (report.imageDigest && !(report.image ?? '').includes(report.imageDigest))
    rows.push(['Image digest', code(clip(report.imageDigest, 200))])
  if (report.imageTags && report.imageTags.length > 0)
    rows.push([
      'Image tags',
      report.imageTags
        .slice(0, 20)
        .map(t => code(clip(t, 128)))
        .join(', ')
    ])
  if (report.outcome?.message) rows.push(['ECS said', md(clip(report.outcome.message, 1000))])
  if (report.consoleUrl)
    rows.push(['Console', `[Open the deployment in the ECS console](${href(report.consoleUrl)})`])
  if (rows.length === 0) return []
  return [details('Ids and ARNs', table(['Name', 'Value'], rows)), '']
}

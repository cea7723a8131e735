/**
 * The service deployments API: ListServiceDeployments, DescribeServiceDeployments and
 * DescribeServiceRevisions, read from the services' deployment history; StopServiceDeployment and
 * ContinueServiceDeployment are in service-deployment-actions.ts.
 */
import { AwsError, clean, epoch, Json, obj, str, strList } from '../../util.js'
import { getCluster, getService } from '../lookup.js'
import {
  findRevision,
  findServiceDeployment,
  renderServiceDeployment,
  renderServiceRevision,
  revisionArn,
  sdArn,
  sdStatus
} from '../service-deployment-view.js'
import { EcsCall, Handler, page } from './call.js'
import { SERVICE_DEPLOYMENT_ACTIONS } from './service-deployment-actions.js'

function listServiceDeployments({ r, input }: EcsCall): Json {
  const cluster = getCluster(r, str(input, 'cluster'))
  const s = getService(r, cluster, str(input, 'service'))
  const statuses = strList(input, 'status')
  const created = obj(input, 'createdAt')
  const after = typeof created?.after === 'number' ? created.after * 1000 : undefined
  const before = typeof created?.before === 'number' ? created.before * 1000 : undefined
  const briefs = s.history
    .filter(d => !d.rollbackOf)
    .filter(
      d => (after === undefined || d.createdAt >= after) && (before === undefined || d.createdAt <= before)
    )
    .map(d => ({ d, st: sdStatus(s, d) }))
    .filter(({ st }) => !statuses || statuses.includes(st.status))
    .reverse()
    .map(({ d, st }) =>
      clean({
        serviceDeploymentArn: sdArn(r, s, d),
        serviceArn: s.arn,
        clusterArn: s.clusterArn,
        startedAt: epoch(d.createdAt),
        createdAt: epoch(d.createdAt),
        finishedAt: epoch(st.finishedAt),
        targetServiceRevisionArn: revisionArn(r, s, d),
        status: st.status,
        statusReason: st.reason
      })
    )
  const { items, nextToken } = page(briefs, input, 100)
  return clean({ serviceDeployments: items, nextToken })
}

function describeServiceDeployments({ r, input }: EcsCall): Json {
  const arns = strList(input, 'serviceDeploymentArns')
  if (!arns || arns.length === 0)
    throw new AwsError('InvalidParameterException', 'serviceDeploymentArns cannot be empty.')
  if (arns.length > 20)
    throw new AwsError(
      'InvalidParameterException',
      'At most 20 service deployments can be described at once.'
    )
  const found: Json[] = []
  const failures: Json[] = []
  for (const arn of arns) {
    const hit = findServiceDeployment(r, arn)
    if (!hit) failures.push({ arn, reason: 'MISSING', detail: 'The service deployment was not found.' })
    else found.push(renderServiceDeployment(r, hit.s, hit.d))
  }
  return { serviceDeployments: found, failures }
}

function describeServiceRevisions({ r, input }: EcsCall): Json {
  const arns = strList(input, 'serviceRevisionArns')
  if (!arns || arns.length === 0)
    throw new AwsError('InvalidParameterException', 'serviceRevisionArns cannot be empty.')
  if (arns.length > 20)
    throw new AwsError('InvalidParameterException', 'At most 20 service revisions can be described at once.')
  const found: Json[] = []
  const failures: Json[] = []
  for (const arn of arns) {
    const hit = findRevision(r, arn)
    if (!hit) failures.push({ arn, reason: 'MISSING', detail: 'The service revision was not found.' })
    else found.push(renderServiceRevision(r, hit.s, hit.d))
  }
  return { serviceRevisions: found, failures }
}

export const SERVICE_DEPLOYMENT_HANDLERS: Record<string, Handler> = {
  ListServiceDeployments: listServiceDeployments,
  DescribeServiceDeployments: describeServiceDeployments,
  DescribeServiceRevisions: describeServiceRevisions,
  ...SERVICE_DEPLOYMENT_ACTIONS
}

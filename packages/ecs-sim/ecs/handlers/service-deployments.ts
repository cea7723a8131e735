/**
 * The service deployments API: ListServiceDeployments and DescribeServiceDeployments, read from the
 * service's deployment history (status, circuit breaker, rollback).
 */
import { AwsError, clean, epoch, Json, obj, str, strList } from '../../util.js'
import { breakerThreshold, deploymentCounts, getCluster, getService } from '../lookup.js'
import { renderDeploymentConfig } from '../render.js'
import { EcsCall, Handler, page } from './call.js'
import type { Deployment, EcsRegion, Service } from '../state.js'

function sdArn(r: EcsRegion, s: Service, d: Deployment): string {
  return r.arn(`service-deployment/${s.clusterName}/${s.name}/${d.id.slice('ecs-svc/'.length)}`)
}

function revisionArn(r: EcsRegion, s: Service, d: Deployment): string {
  return r.arn(`service-revision/${s.clusterName}/${s.name}/${d.id.slice('ecs-svc/'.length)}`)
}

function sdStatus(s: Service, d: Deployment): { status: string; reason?: string; finishedAt?: number } {
  if (d.rolledBackBy) {
    const rb = s.history.find(x => x.id === d.rolledBackBy)
    if (rb?.rolloutState === 'COMPLETED')
      return { status: 'ROLLBACK_SUCCESSFUL', reason: d.rolloutStateReason, finishedAt: rb.finishedAt }
    if (rb?.rolloutState === 'FAILED')
      return { status: 'ROLLBACK_FAILED', reason: rb.rolloutStateReason, finishedAt: rb.finishedAt }
    if (rb?.supersededAt)
      return { status: 'STOPPED', reason: d.rolloutStateReason, finishedAt: rb.supersededAt }
    return { status: 'ROLLBACK_IN_PROGRESS', reason: d.rolloutStateReason }
  }
  if (d.rolloutState === 'COMPLETED')
    return { status: 'SUCCESSFUL', reason: d.rolloutStateReason, finishedAt: d.finishedAt }
  if (d.rolloutState === 'FAILED')
    return { status: 'STOPPED', reason: d.rolloutStateReason, finishedAt: d.finishedAt }
  if (d.supersededAt)
    return {
      status: 'STOPPED',
      reason: 'A newer service deployment replaced this one.',
      finishedAt: d.supersededAt
    }
  return { status: 'IN_PROGRESS' }
}

function serviceDeployments(r: EcsRegion): { s: Service; d: Deployment }[] {
  const out: { s: Service; d: Deployment }[] = []
  for (const services of r.services.values())
    for (const s of services.values()) for (const d of s.history) if (!d.rollbackOf) out.push({ s, d })
  return out
}

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
  const all = serviceDeployments(r)
  const found: Json[] = []
  const failures: Json[] = []
  for (const arn of arns) {
    const hit = all.find(({ s, d }) => sdArn(r, s, d) === arn)
    if (!hit) {
      failures.push({ arn, reason: 'MISSING', detail: 'The service deployment was not found.' })
      continue
    }
    const { s, d } = hit
    const st = sdStatus(s, d)
    const revision = (x: Deployment, requested: number) => {
      const c = deploymentCounts(r, x)
      return {
        arn: revisionArn(r, s, x),
        requestedTaskCount: requested,
        runningTaskCount: c.running,
        pendingTaskCount: c.pending
      }
    }
    const threshold = breakerThreshold(d.desiredCount)
    const cb = d.config.circuitBreaker
    const rb = d.rolledBackBy ? s.history.find(x => x.id === d.rolledBackBy) : undefined
    found.push(
      clean({
        serviceDeploymentArn: sdArn(r, s, d),
        serviceArn: s.arn,
        clusterArn: s.clusterArn,
        createdAt: epoch(d.createdAt),
        startedAt: epoch(d.createdAt),
        finishedAt: epoch(st.finishedAt),
        updatedAt: epoch(d.updatedAt),
        sourceServiceRevisions: d.sourceIds
          .map(id => s.history.find(x => x.id === id))
          .filter((x): x is Deployment => x !== undefined)
          .map(x => revision(x, x.status === 'INACTIVE' ? 0 : x.desiredCount)),
        targetServiceRevision: revision(d, d.desiredCount),
        status: st.status,
        statusReason: st.reason,
        deploymentConfiguration: renderDeploymentConfig(d.config),
        rollback: rb
          ? clean({
              reason: rb.rolloutStateReason,
              startedAt: epoch(d.rollbackStartedAt),
              serviceRevisionArn: revisionArn(r, s, rb)
            })
          : undefined,
        deploymentCircuitBreaker: {
          status: !cb.enable
            ? 'DISABLED'
            : d.breakerTrippedAt
              ? 'TRIGGERED'
              : st.status === 'IN_PROGRESS'
                ? 'MONITORING'
                : 'MONITORING_COMPLETE',
          failureCount: d.failedTasks,
          threshold
        }
      })
    )
  }
  return { serviceDeployments: found, failures }
}

export const SERVICE_DEPLOYMENT_HANDLERS: Record<string, Handler> = {
  ListServiceDeployments: listServiceDeployments,
  DescribeServiceDeployments: describeServiceDeployments
}

/**
 * Service deployments and service revisions as ECS shows them: one service deployment per deployment a
 * service got (not the rolling rollback deployments, which belong to the deployment they roll back),
 * one service revision per deployment. Native strategies carry their own status, stage, weights, hooks.
 */
import { clean, epoch, Json } from '../util.js'
import { renderDeploymentConfig } from './deployment-config.js'
import { breakerThreshold, deploymentCounts } from './lookup.js'
import type { Deployment, EcsRegion, Service } from './state.js'

export function sdArn(r: EcsRegion, s: Service, d: Deployment): string {
  return r.arn(`service-deployment/${s.clusterName}/${s.name}/${d.id.slice('ecs-svc/'.length)}`)
}

export function revisionArn(r: EcsRegion, s: Service, d: Deployment): string {
  return r.arn(`service-revision/${s.clusterName}/${s.name}/${d.id.slice('ecs-svc/'.length)}`)
}

export function sdStatus(
  s: Service,
  d: Deployment
): { status: string; reason?: string; finishedAt?: number } {
  if (d.native)
    return { status: d.native.status, reason: d.native.statusReason, finishedAt: d.native.finishedAt }
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

/** Every service deployment of the region, with its service. */
export function serviceDeployments(r: EcsRegion): { s: Service; d: Deployment }[] {
  const out: { s: Service; d: Deployment }[] = []
  for (const services of r.services.values())
    for (const s of services.values()) for (const d of s.history) if (!d.rollbackOf) out.push({ s, d })
  return out
}

export function findServiceDeployment(r: EcsRegion, arn: string): { s: Service; d: Deployment } | undefined {
  return serviceDeployments(r).find(({ s, d }) => sdArn(r, s, d) === arn)
}

export function findRevision(r: EcsRegion, arn: string): { s: Service; d: Deployment } | undefined {
  for (const services of r.services.values())
    for (const s of services.values())
      for (const d of s.history) if (revisionArn(r, s, d) === arn) return { s, d }
  return undefined
}

function monitorStatus(enabled: boolean, triggered: boolean, open: boolean): string {
  if (!enabled) return 'DISABLED'
  if (triggered) return 'TRIGGERED'
  return open ? 'MONITORING' : 'MONITORING_COMPLETE'
}

export function renderServiceDeployment(r: EcsRegion, s: Service, d: Deployment): Json {
  const st = sdStatus(s, d)
  const n = d.native
  const open = ['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED'].includes(st.status)
  const revision = (x: Deployment, requested: number, weights?: { production: number; test: number }) => {
    const c = deploymentCounts(r, x)
    return clean({
      arn: revisionArn(r, s, x),
      requestedTaskCount: requested,
      runningTaskCount: c.running,
      pendingTaskCount: c.pending,
      requestedTestTrafficWeight: weights?.test,
      requestedProductionTrafficWeight: weights?.production
    })
  }
  const cb = d.config.circuitBreaker
  const rb = d.rolledBackBy ? s.history.find(x => x.id === d.rolledBackBy) : undefined
  const blue = n?.blueId ? s.history.find(x => x.id === n.blueId) : undefined
  const alarms = d.config.alarms
  const triggered = n ? n.triggeredAlarms : (d.triggeredAlarms ?? [])
  const sources = n
    ? blue
      ? [
          revision(blue, blue.status === 'INACTIVE' ? 0 : blue.desiredCount, {
            production: Math.round((100 - n.productionWeight) * 10) / 10,
            test: 100 - n.testWeight
          })
        ]
      : []
    : d.sourceIds
        .map(id => s.history.find(x => x.id === id))
        .filter((x): x is Deployment => x !== undefined)
        .map(x => revision(x, x.status === 'INACTIVE' ? 0 : x.desiredCount))
  return clean({
    serviceDeploymentArn: sdArn(r, s, d),
    serviceArn: s.arn,
    clusterArn: s.clusterArn,
    createdAt: epoch(d.createdAt),
    startedAt: epoch(d.createdAt),
    finishedAt: epoch(st.finishedAt),
    stoppedAt: epoch(n?.stoppedAt),
    updatedAt: epoch(d.updatedAt),
    sourceServiceRevisions: sources,
    targetServiceRevision: revision(
      d,
      d.desiredCount,
      n ? { production: n.productionWeight, test: n.testWeight } : undefined
    ),
    status: st.status,
    statusReason: st.reason,
    lifecycleStage: n?.lifecycleStage,
    lifecycleHookDetails: n?.hooks.map(h =>
      clean({
        hookId: h.hookId,
        targetType: h.targetType,
        targetArn: h.targetArn,
        status: h.status,
        expiresAt: epoch(h.expiresAt),
        timeoutAction: h.timeoutAction
      })
    ),
    deploymentConfiguration: renderDeploymentConfig(d.config),
    rollback: rb
      ? clean({
          reason: rb.rolloutStateReason,
          startedAt: epoch(d.rollbackStartedAt),
          serviceRevisionArn: revisionArn(r, s, rb)
        })
      : n?.rollbackStartedAt !== undefined && blue
        ? clean({
            reason: n.rollbackReason,
            startedAt: epoch(n.rollbackStartedAt),
            serviceRevisionArn: revisionArn(r, s, blue)
          })
        : undefined,
    deploymentCircuitBreaker: {
      status: monitorStatus(cb.enable, d.breakerTrippedAt !== undefined, open),
      failureCount: d.breakerCount,
      threshold: breakerThreshold(d.desiredCount, cb.thresholdConfiguration)
    },
    alarms: alarms
      ? clean({
          status: monitorStatus(alarms.enable, triggered.length > 0, open),
          alarmNames: [...alarms.alarmNames],
          triggeredAlarmNames: triggered.length > 0 ? [...triggered] : undefined
        })
      : undefined
  })
}

export function renderServiceRevision(r: EcsRegion, s: Service, d: Deployment): Json {
  const td = [...r.taskDefinitions.values()].flat().find(x => x.arn === d.taskDefinitionArn)
  const lb = d.loadBalancers.find(x => x.advancedConfiguration) as Json | undefined
  const adv = lb?.advancedConfiguration as Json | undefined
  return clean({
    serviceRevisionArn: revisionArn(r, s, d),
    serviceArn: s.arn,
    clusterArn: s.clusterArn,
    taskDefinition: d.taskDefinitionArn,
    capacityProviderStrategy: d.capacityProviderStrategy,
    launchType: d.launchType,
    platformVersion: d.platformVersion,
    platformFamily: d.platformFamily,
    loadBalancers: d.loadBalancers,
    serviceRegistries: s.serviceRegistries,
    networkConfiguration: d.networkConfiguration,
    containerImages: ((td?.body.containerDefinitions as Json[] | undefined) ?? []).map(c => ({
      containerName: c.name,
      image: c.image
    })),
    guardDutyEnabled: false,
    createdAt: epoch(d.createdAt),
    resolvedConfiguration: adv
      ? {
          loadBalancers: [
            { targetGroupArn: lb?.targetGroupArn, productionListenerRule: adv.productionListenerRule }
          ]
        }
      : undefined
  })
}

/**
 * The cluster's reservation as CloudWatch metrics: AWS/ECS CPUReservation and MemoryReservation by
 * ClusterName (Percent), for every cluster with container instances, from `reservationOf` (./instances.ts).
 * ECS publishes them once a minute; here every 20 (scaled) seconds, the same cadence as the local
 * CloudWatch's CPUUtilization/MemoryUtilization samples.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-metrics.html#cluster_reservation
 */
import type { SimContext } from '../../context.js'
import { sampleOf } from '../../cloudwatch/aggregate.js'
import { SAMPLE_EVERY_MS } from '../../cloudwatch/loop.js'
import { reservationOf } from './instances.js'

/** The shortest real wait between two samplings, however small the time scale. */
const MIN_SAMPLE_MS = 20

const lastSample = new WeakMap<SimContext, number>()

export function publishReservations(ctx: SimContext): void {
  const now = ctx.clock.now()
  if (now - (lastSample.get(ctx) ?? 0) < Math.max(MIN_SAMPLE_MS, ctx.clock.delay(SAMPLE_EVERY_MS))) return
  lastSample.set(ctx, now)
  for (const r of ctx.regions.values()) {
    const clusters = new Set([...r.containerInstances.values()].map(i => i.clusterName))
    for (const name of clusters) {
      const reservation = reservationOf(r, name)
      if (!reservation) continue
      const dimensions = [{ Name: 'ClusterName', Value: name }]
      for (const [metricName, value] of Object.entries(reservation))
        ctx.metrics.put(
          { namespace: 'AWS/ECS', metricName, dimensions },
          sampleOf(now, [value]),
          'Percent',
          now
        )
    }
  }
}

import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http'
import { gunzipSync } from 'node:zlib'
import { CLOUDWATCH_HANDLERS } from './cloudwatch/index.js'
import { CloudWatchError, wireError } from './cloudwatch/errors.js'
import type { CallRecord, SimContext } from './context.js'
import { handleControl } from './control.js'
import { Ecr, ecrHandler } from './ecr/index.js'
import { ECS_HANDLERS } from './ecs/handlers/index.js'
import type { Scheduler } from './ecs/scheduler.js'
import { AwsError, Json, uuid } from './util.js'

const TARGETS: Record<string, CallRecord['service']> = {
  AmazonEC2ContainerServiceV20141113: 'ecs',
  AmazonEC2ContainerRegistry_V20150921: 'ecr',
  Logs_20140328: 'logs',
  GraniteServiceVersion20100801: 'cloudwatch'
}

const SUMMARY_KEYS = [
  'cluster',
  'clusterName',
  'service',
  'serviceName',
  'taskDefinition',
  'family',
  'familyPrefix',
  'desiredCount',
  'forceNewDeployment',
  'startedBy',
  'desiredStatus',
  'repositoryName',
  'logGroupName',
  'logStreamName',
  'Namespace',
  'MetricName',
  'AlarmName',
  'AlarmNames',
  'StateValue'
]

function summarize(input: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of SUMMARY_KEYS) if (input[k] !== undefined) out[k] = input[k]
  for (const k of ['services', 'tasks', 'clusters', 'serviceDeploymentArns', 'imageIds'])
    if (Array.isArray(input[k])) out[k] = input[k]
  if (Array.isArray(input.containerDefinitions))
    out.images = (input.containerDefinitions as Json[]).map(c => c.image)
  return out
}

/** The region of the SigV4 credential scope (`Credential=AKID/20260101/eu-west-1/ecs/aws4_request`). */
export function regionOf(req: IncomingMessage): string {
  const auth = req.headers.authorization ?? ''
  const m = /Credential=[^/,]+\/\d{8}\/([^/,]+)\//.exec(auth)
  return m ? m[1] : 'us-east-1'
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      // CloudWatch's client gzips PutMetricData bodies of 10 KB and more (@smithy/middleware-compression).
      try {
        resolve((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'))
      } catch (err) {
        reject(err as Error)
      }
    })
    req.on('error', reject)
  })
}

function sendAws(
  res: ServerResponse,
  status: number,
  body: Json,
  headers: Record<string, string> = {}
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': uuid(),
    ...headers
  })
  res.end(text)
}

/** CloudWatch speaks AWS JSON 1.0, awsQueryCompatible: errors also carry `x-amzn-query-error: Code;Sender`. */
function sendCloudWatch(res: ServerResponse, status: number, out: Json, err?: AwsError): void {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.0' }
  if (!err) return sendAws(res, status, out, headers)
  const wire = wireError(err)
  headers['x-amzn-query-error'] = wire.queryError
  sendAws(res, wire.status, { __type: wire.type, message: err.message }, headers)
}

/** AWS JSON 1.1 on `POST /`, dispatched by X-Amz-Target; `/_sim/*` is the control API. */
export function createSimServer(ctx: SimContext, ecr: Ecr, scheduler: Scheduler): Server {
  return createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      if ((req.url ?? '').startsWith('/_sim/')) return handleControl(ctx, ecr, scheduler, req, res, body)
      await handleAws(ctx, ecr, req, res, body)
    })().catch(err => {
      if (!res.headersSent) sendAws(res, 500, { __type: 'ServerException', message: (err as Error).message })
      else res.end()
    })
  })
}

async function handleAws(ctx: SimContext, ecr: Ecr, req: IncomingMessage, res: ServerResponse, body: string) {
  const started = Date.now()
  const target = String(req.headers['x-amz-target'] ?? '')
  const [prefix, operation = ''] = target.split('.')
  const service = TARGETS[prefix] ?? 'unknown'
  const region = regionOf(req)
  let input: Json
  const record: CallRecord = {
    time: new Date(started).toISOString(),
    service,
    operation: operation || target || `${req.method} ${req.url}`,
    region,
    status: 200,
    durationMs: 0,
    request: {}
  }
  const finish = (status: number, out: Json, extra: Partial<CallRecord> = {}, err?: AwsError) => {
    Object.assign(record, { status, durationMs: Date.now() - started }, extra)
    ctx.calls.push(record)
    if (ctx.calls.length > 20000) ctx.calls.splice(0, ctx.calls.length - 20000)
    if (service === 'cloudwatch') sendCloudWatch(res, status, out, err)
    else sendAws(res, status, out)
  }
  const fail = (err: AwsError, extra: Partial<CallRecord> = {}) =>
    finish(err.status, { __type: err.type, message: err.message }, { error: err.type, ...extra }, err)

  if (req.method !== 'POST' || service === 'unknown')
    return fail(
      new AwsError(
        'UnknownOperationException',
        `No AWS operation for ${req.method} ${req.url} ${target}`,
        404
      )
    )
  try {
    input = body.trim() === '' ? {} : (JSON.parse(body) as Json)
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('not an object')
  } catch {
    return fail(new AwsError('SerializationException', 'Request body is not a JSON object.'))
  }
  record.request = summarize(input)
  if (req.headers['content-encoding']) record.request.contentEncoding = req.headers['content-encoding']

  const ecsHandler = service === 'ecs' ? ECS_HANDLERS[operation] : undefined
  const ecrOp = service === 'ecr' ? ecrHandler(ecr, operation) : undefined
  const logsOp = service === 'logs' && operation === 'GetLogEvents'
  const cwOp = service === 'cloudwatch' ? CLOUDWATCH_HANDLERS[operation] : undefined
  if (!ecsHandler && !ecrOp && !logsOp && !cwOp)
    return fail(
      new AwsError('UnknownOperationException', `The simulator does not implement ${service}:${operation}.`)
    )

  // The faults in force when the call arrived: a new setting during the latency wait starts its own
  // sequence, which this call takes no index from.
  const faults = ctx.faults
  if (faults.appliesTo(operation)) {
    const { latencyMs } = faults.config
    if (latencyMs > 0) await new Promise(r => setTimeout(r, latencyMs))
    const draw = faults.draw()
    if (draw) record.faultDraw = draw.index
    if (draw?.injected === 'throttle')
      return fail(
        service === 'cloudwatch'
          ? new CloudWatchError('Throttling', 'Rate exceeded')
          : new AwsError('ThrottlingException', 'Rate exceeded'),
        { injected: 'throttle' }
      )
    if (draw?.injected === 'error' && service === 'cloudwatch')
      return fail(
        new CloudWatchError('InternalServiceFault', 'Service Unavailable. Please try again later.'),
        {
          injected: 'error'
        }
      )
    if (draw?.injected === 'error') {
      const type = service === 'logs' ? 'ServiceUnavailableException' : 'ServerException'
      return fail(new AwsError(type, 'Service Unavailable. Please try again later.', 500), {
        injected: 'error'
      })
    }
  }

  try {
    let out: Json
    if (ecsHandler) out = await ecsHandler({ ctx, r: ctx.region(region), input })
    else if (ecrOp) out = await ecrOp({ ctx, region, input })
    else if (cwOp) out = cwOp(ctx, input, region)
    else out = await ctx.logs.getLogEvents(input)
    finish(200, out)
  } catch (err) {
    if (err instanceof AwsError) return fail(err)
    process.stderr.write(`sim: ${service}:${operation} failed: ${(err as Error).stack ?? String(err)}\n`)
    return fail(new AwsError('ServerException', `Internal error: ${(err as Error).message}`, 500))
  }
}

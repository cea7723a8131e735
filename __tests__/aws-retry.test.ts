/**
 * The retry layer against a real ECS client and a local HTTP server (loopback, no Docker): a call given
 * up through its AbortSignal leaves no timer behind, a call that is not retries as the SDK does.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs'
import { addCallScope, adaptiveRetry } from '../src/aws-retry.js'
import { abortableSleep } from '../src/watch/call.js'

type Answer = 'throttle' | '5xx' | 'ok'
let script: Answer[] = []
let requests = 0
let server: http.Server
let endpoint = ''

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++
    req.resume()
    req.on('end', () => {
      const answer = script.shift() ?? 'ok'
      if (answer === 'ok') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        res.end(JSON.stringify({ services: [], failures: [] }))
        return
      }
      const type = answer === 'throttle' ? 'ThrottlingException' : 'ServerException'
      res.writeHead(answer === 'throttle' ? 400 : 500, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': type
      })
      res.end(JSON.stringify({ __type: type, message: 'try again' }))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise(resolve => server.close(resolve))
})

/** The waits the strategy made itself: how long, and with which signal. */
let waits: Array<{ ms: number; signal?: AbortSignal }> = []

function client(random: () => number, maxAttempts = 8): ECSClient {
  waits = []
  const sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    waits.push({ ms, signal })
    return abortableSleep(ms, signal)
  }
  const ecs = new ECSClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    retryStrategy: adaptiveRetry({ maxAttempts, random, sleep })
  })
  addCallScope(ecs.middlewareStack)
  return ecs
}

const timers = (): number => process.getActiveResourcesInfo().filter(r => r === 'Timeout').length
const pause = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

describe('adaptiveRetry: one retry layer whose waits an AbortSignal ends', () => {
  it('a call aborted during its backoff rejects at once, leaves no timer and sends no further attempt', async () => {
    // Throttled: the SDK's backoff is random × 1 s × 2^attempt; with 0.99 the first wait is 990 ms.
    script = Array<Answer>(8).fill('throttle')
    requests = 0
    const ecs = client(() => 0.99)
    const before = timers()
    const controller = new AbortController()
    const sent = ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] }), {
      abortSignal: controller.signal
    })
    // Until the first attempt was throttled and the backoff began.
    for (let i = 0; i < 500 && waits.length === 0; i++) await pause(10)
    expect(requests).toBe(1)
    const abortedAt = Date.now()
    controller.abort()

    await expect(sent).rejects.toMatchObject({ name: 'AbortError' })
    expect(Date.now() - abortedAt).toBeLessThan(100)
    // The SDK's 990 ms backoff was waited on our timer, with the call's signal, which cleared it; the
    // SDK's own wait was 0 ms. (Before, the SDK's timer kept the process alive for the full 990 ms.)
    expect(waits).toEqual([{ ms: 990, signal: controller.signal }])
    await pause(10)
    expect(timers()).toBeLessThanOrEqual(before)
    await pause(1200)
    expect(requests).toBe(1)
    ecs.destroy()
  })

  it('a call with a signal that is never aborted is retried as the SDK decides, and answers', async () => {
    script = ['5xx', '5xx', 'ok']
    requests = 0
    const ecs = client(() => 0.5)
    const answer = await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] }), {
      abortSignal: new AbortController().signal
    })
    expect(answer.$metadata.attempts).toBe(3)
    expect(requests).toBe(3)
    // 5xx: random × 50 ms × 2^attempt, waited abortably.
    expect(waits.map(w => w.ms)).toEqual([25, 50])
    ecs.destroy()
  })

  it('a call without a signal is retried up to maxAttempts on the SDK’s own timer', async () => {
    script = ['5xx', '5xx', '5xx', '5xx']
    requests = 0
    const ecs = client(() => 0, 3)
    await expect(
      ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['s'] }))
    ).rejects.toMatchObject({
      name: 'ServerException',
      $metadata: { attempts: 3 }
    })
    expect(requests).toBe(3)
    expect(waits).toEqual([]) // no signal: the SDK waited itself
    ecs.destroy()
  })
})

import { beforeEach, describe, expect, it } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs'
import type { Cause } from '../src/diagnose/causes.js'
import { attachLogTails } from '../src/logs.js'

const logsMock = mockClient(CloudWatchLogsClient)
const logs = new CloudWatchLogsClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' }
})

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } })
}

function cause(c: Partial<Cause> = {}): Cause {
  return {
    title: 'web: container exited with code 3',
    detail: 'Essential container web exited with code 3',
    count: 2,
    taskIds: ['t1', 't2'],
    container: 'web',
    exitCode: 3,
    logGroup: '/ecs/web',
    logStream: 'ecs/web/t1',
    ...c
  }
}

beforeEach(() => {
  logsMock.reset()
})

describe('attachLogTails', () => {
  it('attaches the last lines of the first task’s stream, asking for the tail', async () => {
    logsMock.on(GetLogEventsCommand).resolves({
      events: [
        { timestamp: 1, message: 'starting\n' },
        { timestamp: 2, message: 'Error: database unreachable\n    at connect (db.js:10)' },
        { timestamp: 3, message: 'exiting with 3' }
      ]
    })
    const causes = [
      cause(),
      cause({ title: 'CannotPullContainerError: x', logGroup: undefined, logStream: undefined })
    ]

    const notes = await attachLogTails(logs, causes, 20)

    expect(notes).toEqual([])
    expect(causes[0]!.logLines).toEqual([
      'starting',
      'Error: database unreachable',
      '    at connect (db.js:10)',
      'exiting with 3'
    ])
    expect(causes[1]!.logLines).toBeUndefined()
    const calls = logsMock.commandCalls(GetLogEventsCommand)
    expect(calls).toHaveLength(1)
    expect(calls[0]!.args[0].input).toEqual({
      logGroupName: '/ecs/web',
      logStreamName: 'ecs/web/t1',
      limit: 20,
      startFromHead: false
    })
  })

  it('keeps only the last `lines` lines when events hold several lines', async () => {
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ message: 'a\nb\nc' }, { message: 'd\ne' }] })
    const causes = [cause()]
    await attachLogTails(logs, causes, 3)
    expect(causes[0]!.logLines).toEqual(['c', 'd', 'e'])
    expect(logsMock.commandCalls(GetLogEventsCommand)[0]!.args[0].input.limit).toBe(3)
  })

  it('reads a stream shared by two causes once', async () => {
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ message: 'boom' }] })
    const causes = [cause(), cause({ title: 'web: container failed health checks' })]
    await attachLogTails(logs, causes)
    expect(causes.map(c => c.logLines)).toEqual([['boom'], ['boom']])
    expect(logsMock.commandCalls(GetLogEventsCommand)).toHaveLength(1)
  })

  it.each([
    {
      name: 'missing stream',
      error: awsError('ResourceNotFoundException', 'The specified log stream does not exist.'),
      note: 'Could not read logs for web (ResourceNotFoundException): log stream /ecs/web/ecs/web/t1 not found'
    },
    {
      name: 'access denied',
      error: awsError(
        'AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/deploy/gh is not authorized to perform: logs:GetLogEvents'
      ),
      note: "Could not read logs for web (AccessDeniedException): User: arn:aws:sts::123456789012:assumed-role/deploy/gh is not authorized to perform: logs:GetLogEvents; grant logs:GetLogEvents to see a crashed container's last lines"
    },
    {
      name: 'anything else',
      error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      note: 'Could not read logs for web (Error): socket hang up'
    }
  ])('$name → a one-line note, never a throw', async c => {
    logsMock.on(GetLogEventsCommand).rejects(c.error)
    const causes = [cause()]
    await expect(attachLogTails(logs, causes)).resolves.toEqual([c.note])
    expect(causes[0]!.logLines).toBeUndefined()
  })

  it('an empty stream is a note', async () => {
    logsMock.on(GetLogEventsCommand).resolves({ events: [] })
    const causes = [cause()]
    expect(await attachLogTails(logs, causes)).toEqual(['No log lines for web in /ecs/web/ecs/web/t1'])
    expect(causes[0]!.logLines).toBeUndefined()
  })

  it('asks a client factory for the container’s awslogs-region', async () => {
    logsMock.on(GetLogEventsCommand).resolves({ events: [{ message: 'hi' }] })
    const regions: Array<string | undefined> = []
    const causes = [cause({ logRegion: 'us-east-2' })]
    await attachLogTails(region => {
      regions.push(region)
      return logs
    }, causes)
    expect(regions).toEqual(['us-east-2'])
    expect(causes[0]!.logLines).toEqual(['hi'])
  })
})

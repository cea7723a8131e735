/** ECS could not place a task: which resource ran out, and wait (managed scaling) or fail fast. Tables. */
import { describe, expect, test } from '@jest/globals'
import {
  capacityCause,
  decidePlacement,
  resourceInEvent,
  taskNeeds,
  type InstanceRoom,
  type PlacementFacts
} from '../../src/diagnose/placement.js'

const HEAD =
  '(service web) was unable to place a task because no container instance met all of its requirements.'
const TAIL = 'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
const event = (what: string) => `${HEAD} The closest matching (container-instance 0a1b) ${what}. ${TAIL}`
const MEMORY = event('has insufficient memory available')
const CPU = event('has insufficient CPU units available')
const PORTS = event('is already using a port required by your task')
const NONE = `${HEAD} Reason: No Container Instances were found in your cluster. ${TAIL}`

describe('resourceInEvent', () => {
  test.each([
    [MEMORY, 'memory'],
    [CPU, 'CPU'],
    [PORTS, 'ports'],
    [NONE, 'instances'],
    [HEAD, undefined],
    ['(service web) has reached a steady state.', undefined],
    ['The closest matching instance has insufficient memory available', undefined]
  ])('%s → %s', (message, want) => {
    expect(resourceInEvent(message)).toBe(want)
  })
})

const room = (cpu: number, memory: number, ports: number[] = []): InstanceRoom => ({
  id: 'i',
  cpu,
  memory,
  ports
})
const needs = { cpu: 256, memory: 512, ports: [] as number[] }
const facts = (over: Partial<PlacementFacts>): PlacementFacts => ({
  cluster: 'prod',
  event: MEMORY,
  needs,
  instances: [room(768, 256)],
  providers: [],
  ...over
})

describe('decidePlacement', () => {
  test.each([
    {
      name: 'memory ran out, no provider: fail with the hint',
      f: facts({}),
      want: { action: 'fail', resource: 'memory', title: 'Not enough memory on any container instance' },
      detail:
        'the task needs 512 MiB; the most the container instance has left is 256 MiB; the service has no capacity provider with managed scaling',
      hint: /lower the task definition's memory/
    },
    {
      name: 'memory ran out, a provider with managed scaling: wait',
      f: facts({ providers: [{ name: 'asg-cp', managedScaling: true }] }),
      want: { action: 'wait', resource: 'memory', provider: 'asg-cp' },
      detail: 'Capacity provider asg-cp has managed scaling',
      hint: undefined
    },
    {
      name: 'a provider without managed scaling does not help',
      f: facts({ providers: [{ name: 'fixed', managedScaling: false }] }),
      want: { action: 'fail', resource: 'memory' },
      detail: 'none of its capacity providers (fixed) has managed scaling',
      hint: /capacity provider with managed scaling/
    },
    {
      name: 'CPU, over two instances',
      f: facts({ event: CPU, instances: [room(100, 4096), room(200, 4096)] }),
      want: { action: 'fail', resource: 'CPU', title: 'Not enough CPU on any container instance' },
      detail: 'the task needs 256 CPU units; the most any of the 2 container instances has left is 200',
      hint: /lower the task definition's cpu/
    },
    {
      name: 'a host port in use',
      f: facts({
        event: PORTS,
        needs: { ...needs, ports: [8080] },
        instances: [room(4096, 4096, [22, 8080])]
      }),
      want: { action: 'fail', resource: 'ports' },
      detail: 'the task needs host port 8080',
      hint: /dynamic host ports/
    },
    {
      name: 'no instances at all',
      f: facts({ event: NONE, instances: [] }),
      want: { action: 'fail', resource: 'instances', title: 'No container instances in the cluster' },
      detail: 'cluster prod has no registered container instance',
      hint: /register container instances/
    },
    {
      name: "the event without a resource: the instances' room tells (CPU first)",
      f: facts({ event: HEAD, instances: [room(100, 100)] }),
      want: { action: 'fail', resource: 'CPU' },
      detail: 'needs 256 CPU units',
      hint: /cpu/
    },
    {
      name: 'the event without a resource: memory when CPU is there',
      f: facts({ event: HEAD, instances: [room(1000, 100)] }),
      want: { action: 'fail', resource: 'memory' },
      detail: 'needs 512 MiB',
      hint: /memory/
    }
  ])('$name', ({ f, want, detail, hint }) => {
    const got = decidePlacement(f)
    expect(got).toMatchObject(want)
    expect(got.detail).toContain(detail)
    if (hint) expect(got.hint).toMatch(hint)
    else expect(got.hint).toBeUndefined()
  })

  test('the cause carries the hint after the numbers', () => {
    const cause = capacityCause(decidePlacement(facts({})))
    expect(cause.title).toBe('Not enough memory on any container instance')
    expect(cause.detail).toMatch(/256 MiB; .* Hint: add container instances/)
  })
})

describe('taskNeeds', () => {
  test.each([
    { name: 'task level', td: { cpu: '256', memory: '512' }, want: { cpu: 256, memory: 512, ports: [] } },
    {
      name: 'vCPU and GB',
      td: { cpu: '1 vCPU', memory: '2 GB' },
      want: { cpu: 1024, memory: 2048, ports: [] }
    },
    {
      name: 'container sum, memoryReservation when no memory',
      td: {
        containerDefinitions: [
          { cpu: 100, memory: 300 },
          { cpu: 50, memoryReservation: 100 }
        ]
      },
      want: { cpu: 150, memory: 400, ports: [] }
    },
    {
      name: 'bridge: fixed host ports only',
      td: {
        networkMode: 'bridge',
        containerDefinitions: [
          {
            memory: 64,
            portMappings: [
              { containerPort: 80, hostPort: 8080 },
              { containerPort: 81, hostPort: 0 }
            ]
          }
        ]
      },
      want: { cpu: 0, memory: 64, ports: [8080] }
    },
    {
      name: 'awsvpc: no host ports',
      td: {
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ portMappings: [{ containerPort: 80, hostPort: 80 }] }]
      },
      want: { cpu: 256, memory: 512, ports: [] }
    }
  ])('$name', ({ td, want }) => {
    expect(taskNeeds(td)).toEqual(want)
  })
})

/** The pure parts of the local ECS's EC2 capacity (ecs/capacity/model.ts), as tables. */
import { describe, expect, test } from '@jest/globals'
import {
  AGENT_RESERVED_PORTS,
  clusterReservation,
  place,
  remaining,
  scaleOutBy,
  shortOf,
  strategyOf,
  taskNeeds,
  unableToPlaceMessage,
  units,
  type ContainerInstance,
  type Needs
} from '../ecs/capacity/model.js'

const needs = (cpu: number, memory: number, ports: number[] = []): Needs => ({
  cpu,
  memory,
  ports,
  portsUdp: []
})

describe('units', () => {
  test.each([
    ['256', 'cpu', 256],
    ['1 vCPU', 'cpu', 1024],
    ['0.5 vcpu', 'cpu', 512],
    ['2 GB', 'memory', 2048],
    ['512', 'memory', 512],
    ['2 GB', 'cpu', undefined],
    ['lots', 'memory', undefined],
    [undefined, 'cpu', undefined]
  ] as const)('%s as %s → %s', (value, kind, expected) => {
    expect(units(value, kind)).toBe(expected)
  })
})

describe('taskNeeds: what ECS reserves for a task', () => {
  test.each([
    {
      name: 'task-level cpu and memory win',
      body: { cpu: '256', memory: '512', containerDefinitions: [{ cpu: 10, memory: 100 }] },
      want: needs(256, 512)
    },
    {
      name: 'without them, the containers are summed (memory, else memoryReservation)',
      body: {
        containerDefinitions: [
          { cpu: 128, memory: 300 },
          { cpu: 64, memoryReservation: 200 }
        ]
      },
      want: needs(192, 500)
    },
    {
      name: 'bridge mode: fixed host ports are reserved, dynamic (0 or absent) ones are not',
      body: {
        networkMode: 'bridge',
        containerDefinitions: [
          {
            memory: 128,
            portMappings: [
              { containerPort: 80, hostPort: 8080 },
              { containerPort: 81 },
              { containerPort: 82, hostPort: 0 }
            ]
          }
        ]
      },
      want: needs(0, 128, [8080])
    },
    {
      name: 'host mode: the container port is the host port; udp goes to PORTS_UDP',
      body: {
        networkMode: 'host',
        containerDefinitions: [
          { memory: 64, portMappings: [{ containerPort: 53, protocol: 'udp' }, { containerPort: 80 }] }
        ]
      },
      want: { cpu: 0, memory: 64, ports: [80], portsUdp: [53] }
    },
    {
      name: 'awsvpc mode: each task has its own interface, no host port is taken',
      body: {
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ portMappings: [{ containerPort: 80, hostPort: 80 }] }]
      },
      want: needs(256, 512)
    }
  ])('$name', ({ body, want }) => {
    expect(taskNeeds(body)).toEqual(want)
  })
})

const instance = (cpu: number, memory: number): ContainerInstance => ({
  id: 'i1',
  arn: 'arn:i1',
  clusterName: 'c',
  ec2InstanceId: 'i-1',
  status: 'ACTIVE',
  cpu,
  memory,
  reservedPorts: [...AGENT_RESERVED_PORTS],
  reservedPortsUdp: [],
  registeredAt: 0
})

describe('remaining and shortOf', () => {
  test.each([
    { name: 'empty', placed: [], want: needs(1024, 2048, []), short: [] },
    { name: 'half full', placed: [needs(512, 1024)], want: needs(512, 1024, []), short: [] },
    { name: 'CPU used up', placed: [needs(1024, 1024)], want: needs(0, 1024, []), short: ['CPU'] },
    {
      name: 'memory nearly used up',
      placed: [needs(256, 1800)],
      want: needs(768, 248, []),
      short: ['MEMORY']
    },
    {
      name: 'everything, port 8080 too',
      placed: [needs(1000, 1800, [8080])],
      want: needs(24, 248, [8080]),
      short: ['CPU', 'MEMORY', 'PORTS']
    }
  ])('$name: a 256/512 task on 8080 lacks $short', ({ placed, want, short }) => {
    const left = remaining(instance(1024, 2048), placed)
    expect(left).toEqual({ ...want, ports: [...AGENT_RESERVED_PORTS, ...want.ports] })
    expect(shortOf(left, needs(256, 512, [8080]))).toEqual(short)
  })
})

describe('place', () => {
  const c = (id: string, cpu: number, memory: number, siblings = 0, ports: number[] = []) => ({
    id,
    left: needs(cpu, memory, ports),
    siblings
  })
  test.each([
    { name: 'no instances: no closest', cands: [], strategy: { type: 'spread' } as const, want: {} },
    {
      name: 'binpack memory: the fullest that fits',
      cands: [c('a', 2048, 4096), c('b', 2048, 600), c('c', 2048, 100)],
      strategy: { type: 'binpack', field: 'memory' } as const,
      want: { placed: 'b' }
    },
    {
      name: 'binpack cpu',
      cands: [c('a', 300, 4096), c('b', 2048, 4096)],
      strategy: { type: 'binpack', field: 'cpu' } as const,
      want: { placed: 'a' }
    },
    {
      name: 'spread: the fewest tasks of the service, then the most memory',
      cands: [c('a', 2048, 4096, 2), c('b', 2048, 1024, 1), c('c', 2048, 2048, 1)],
      strategy: { type: 'spread' } as const,
      want: { placed: 'c' }
    },
    {
      name: 'none fits: memory short on the closest',
      cands: [c('a', 100, 100), c('b', 2048, 100)],
      strategy: { type: 'spread' } as const,
      want: { closest: 'b', resource: 'MEMORY' }
    },
    {
      name: 'none fits: CPU short',
      cands: [c('a', 100, 4096)],
      strategy: { type: 'spread' } as const,
      want: { closest: 'a', resource: 'CPU' }
    },
    {
      name: 'none fits: the port is taken',
      cands: [c('a', 4096, 4096, 0, [8080])],
      strategy: { type: 'spread' } as const,
      want: { closest: 'a', resource: 'PORTS' }
    }
  ])('$name', ({ cands, strategy, want }) => {
    expect(place(cands, needs(256, 512, [8080]), strategy)).toEqual(want)
  })

  test.each([
    [[], { type: 'spread' }],
    [[{ type: 'binpack', field: 'cpu' }], { type: 'binpack', field: 'cpu' }],
    [[{ type: 'binpack', field: 'memory' }], { type: 'binpack', field: 'memory' }],
    [[{ type: 'random' }, { type: 'spread', field: 'instanceId' }], { type: 'spread' }]
  ])('strategyOf %j → %j', (given, want) => {
    expect(strategyOf(given)).toEqual(want)
  })
})

describe("ECS's unable-to-place event", () => {
  const head =
    '(service web) was unable to place a task because no container instance met all of its requirements.'
  const tail = 'For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.'
  test.each([
    [
      { closest: 'abc', resource: 'MEMORY' },
      `${head} The closest matching (container-instance abc) has insufficient memory available. ${tail}`
    ],
    [
      { closest: 'abc', resource: 'CPU' },
      `${head} The closest matching (container-instance abc) has insufficient CPU units available. ${tail}`
    ],
    [
      { closest: 'abc', resource: 'PORTS' },
      `${head} The closest matching (container-instance abc) is already using a port required by your task. ${tail}`
    ],
    [{}, `${head} Reason: No Container Instances were found in your cluster. ${tail}`]
  ] as const)('%j', (p, want) => {
    expect(unableToPlaceMessage('web', p)).toBe(want)
  })
})

describe('clusterReservation (the AWS/ECS CPUReservation and MemoryReservation)', () => {
  const i = (status: ContainerInstance['status'], cpu: number, memory: number, reserved: Needs[]) => ({
    status,
    cpu,
    memory,
    reserved
  })
  test.each([
    { name: 'no instances: no metric', instances: [], want: undefined },
    {
      name: 'an idle instance: 0 %',
      instances: [i('ACTIVE', 1024, 2048, [])],
      want: { CPUReservation: 0, MemoryReservation: 0 }
    },
    {
      name: 'reserved over registered, across instances',
      instances: [i('ACTIVE', 1024, 2048, [needs(256, 512), needs(256, 512)]), i('ACTIVE', 1024, 2048, [])],
      want: { CPUReservation: 25, MemoryReservation: 25 }
    },
    {
      name: 'DRAINING counts, INACTIVE does not',
      instances: [
        i('DRAINING', 1000, 1000, [needs(500, 250)]),
        i('INACTIVE', 1000, 1000, [needs(1000, 1000)])
      ],
      want: { CPUReservation: 50, MemoryReservation: 25 }
    }
  ])('$name', ({ instances, want }) => {
    expect(clusterReservation(instances)).toEqual(want)
  })
})

describe('scaleOutBy: instances managed scaling adds', () => {
  const scaling = {
    status: 'ENABLED' as const,
    targetCapacity: 100,
    minimumScalingStepSize: 1,
    maximumScalingStepSize: 10000,
    instanceWarmupPeriod: 300
  }
  const size = { cpu: 1024, memory: 1024 }
  test.each([
    { name: 'nothing waits', waiting: [], s: scaling, room: 10, want: 0 },
    { name: 'one task: one instance', waiting: [needs(256, 512)], s: scaling, room: 10, want: 1 },
    {
      name: 'two fit one instance',
      waiting: [needs(256, 512), needs(256, 512)],
      s: scaling,
      room: 10,
      want: 1
    },
    {
      name: 'three need two',
      waiting: [needs(256, 512), needs(256, 512), needs(256, 512)],
      s: scaling,
      room: 10,
      want: 2
    },
    {
      name: 'at least the minimum step',
      waiting: [needs(256, 512)],
      s: { ...scaling, minimumScalingStepSize: 3 },
      room: 10,
      want: 3
    },
    {
      name: 'at most the maximum step',
      waiting: Array(8).fill(needs(1024, 1024)),
      s: { ...scaling, maximumScalingStepSize: 2 },
      room: 10,
      want: 2
    },
    {
      name: 'within the group maximum',
      waiting: Array(8).fill(needs(1024, 1024)),
      s: scaling,
      room: 3,
      want: 3
    },
    {
      name: 'a task bigger than an instance: none',
      waiting: [needs(4096, 512)],
      s: scaling,
      room: 10,
      want: 0
    }
  ])('$name → $want', ({ waiting, s, room, want }) => {
    expect(scaleOutBy(waiting, size, s, room)).toBe(want)
  })
})

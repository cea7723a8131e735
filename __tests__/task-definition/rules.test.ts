import { describe, expect, test } from '@jest/globals'
import { cpuUnits, FARGATE_SIZES } from '../../src/task-definition/rules/fargate.js'
import { applyDrops, checkRegisterInput, REGISTER_RULES } from '../../src/task-definition/rules/index.js'
import { memoryMiB } from '../../src/task-definition/rules/memory.js'
import type { Violation } from '../../src/task-definition/rules/types.js'

type Input = Record<string, unknown>

/** A Fargate task definition ECS takes. */
const fargate = (): Input => ({
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    { name: 'web', image: 'nginx:1.27', essential: true, portMappings: [{ containerPort: 80, hostPort: 80 }] }
  ]
})

/** An EC2 task definition ECS takes (container memory, bridge by default). */
const ec2 = (): Input => ({
  family: 'worker',
  containerDefinitions: [{ name: 'worker', image: 'busybox:1', memory: 128 }]
})

function withChange(base: () => Input, change: (td: Input) => void): Input {
  const td = base()
  change(td)
  return td
}
const container = (td: Input, i = 0): Input => (td.containerDefinitions as Input[])[i]

const refused = (
  rule: string,
  path: Array<string | number>,
  message: string,
  exception: Violation['exception'] = 'ClientException'
): Violation => ({ rule, path, exception, message })
const dropped = (rule: string, path: Array<string | number>, message: string): Violation => ({
  ...refused(rule, path, message),
  fix: 'drop'
})

describe('the table', () => {
  test('every rule has an id, a title and an AWS documentation page; ids are unique', () => {
    for (const rule of REGISTER_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9-]+$/)
      expect(rule.title.length).toBeGreaterThan(3)
      expect(rule.doc).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/AmazonECS\/latest\//)
    }
    expect(new Set(REGISTER_RULES.map(r => r.id)).size).toBe(REGISTER_RULES.length)
  })
})

describe('checkRegisterInput', () => {
  test.each<[string, Input, Violation[]]>([
    ['a Fargate task definition ECS takes', fargate(), []],
    ['an EC2 task definition ECS takes', ec2(), []],
    [
      'EC2 with task memory only',
      withChange(ec2, td => {
        td.memory = '512'
        delete container(td).memory
      }),
      []
    ],
    [
      'cpu and memory as vCPU / GB',
      withChange(fargate, td => Object.assign(td, { cpu: '1 vCPU', memory: '2 GB' })),
      []
    ],
    [
      'cpu and memory as numbers',
      withChange(fargate, td => Object.assign(td, { cpu: 512, memory: 1024 })),
      []
    ],
    ['the Windows "default" network mode', withChange(ec2, td => (td.networkMode = 'default')), []],
    [
      'an empty tags list (fabfuel/ecs-deploy #146, kayac/ecspresso #296)',
      withChange(fargate, td => (td.tags = [])),
      [dropped('tags-empty', ['tags'], 'Tags can not be empty.')]
    ],
    ['tags with a tag', withChange(fargate, td => (td.tags = [{ key: 'team', value: 'a' }])), []],
    [
      'pidMode "" (aws/amazon-ecs-cli #667)',
      withChange(fargate, td => (td.pidMode = '')),
      [
        dropped(
          'enum-value',
          ['pidMode'],
          ' is not a valid value for pidMode. The value must be one of [task,host]'
        )
      ]
    ],
    [
      'ipcMode ""',
      withChange(ec2, td => (td.ipcMode = '')),
      [
        dropped(
          'enum-value',
          ['ipcMode'],
          ' is not a valid value for ipcMode. The value must be one of [host,task,none]'
        )
      ]
    ],
    [
      'networkMode "" on EC2',
      withChange(ec2, td => (td.networkMode = '')),
      [
        dropped(
          'enum-value',
          ['networkMode'],
          ' is not a valid value for networkMode. The value must be one of [bridge,host,awsvpc,none]'
        )
      ]
    ],
    [
      'a placeholder left in networkMode',
      withChange(ec2, td => (td.networkMode = '{{networkmode}}')),
      [
        refused(
          'enum-value',
          ['networkMode'],
          '{{networkmode}} is not a valid value for networkMode. The value must be one of [bridge,host,awsvpc,none]'
        )
      ]
    ],
    [
      'an empty port protocol inside a container',
      withChange(fargate, td => ((container(td).portMappings as Input[])[0].protocol = '')),
      [
        dropped(
          'enum-value',
          ['containerDefinitions', 0, 'portMappings', 0, 'protocol'],
          ' is not a valid value for protocol. The value must be one of [tcp,udp]'
        )
      ]
    ],
    [
      'an empty logDriver: required in its LogConfiguration, so no fix',
      withChange(fargate, td => (container(td).logConfiguration = { logDriver: '', options: {} })),
      [
        refused(
          'enum-value',
          ['containerDefinitions', 0, 'logConfiguration', 'logDriver'],
          ' is not a valid value for logDriver. The value must be one of [json-file,syslog,journald,gelf,fluentd,awslogs,splunk,awsfirelens]'
        )
      ]
    ],
    [
      'an empty credentialsParameter (aws-actions/amazon-ecs-deploy-task-definition #52)',
      withChange(fargate, td => (container(td).repositoryCredentials = { credentialsParameter: '' })),
      [
        dropped(
          'credentials-parameter-empty',
          ['containerDefinitions', 0, 'repositoryCredentials', 'credentialsParameter'],
          "The repository credentials parameter specified for container 'web' is invalid."
        )
      ]
    ],
    [
      'a container without image',
      withChange(fargate, td => delete container(td).image),
      [
        refused(
          'container-image-required',
          ['containerDefinitions', 0, 'image'],
          'Container.image should not be null or empty.'
        )
      ]
    ],
    [
      'a container with an empty image',
      withChange(fargate, td => (container(td).image = ' ')),
      [
        refused(
          'container-image-required',
          ['containerDefinitions', 0, 'image'],
          'Container.image should not be null or empty.'
        )
      ]
    ],
    [
      'a container with an empty name',
      withChange(fargate, td => (container(td).name = '')),
      [
        refused(
          'container-name-required',
          ['containerDefinitions', 0, 'name'],
          'Container.name should not be null or empty.'
        )
      ]
    ],
    [
      'no family',
      withChange(ec2, td => delete td.family),
      [refused('family-required', ['family'], 'Family can not be blank.')]
    ],
    [
      'no containers',
      withChange(ec2, td => (td.containerDefinitions = [])),
      [refused('containers-required', ['containerDefinitions'], 'Container list cannot be empty.')]
    ],
    [
      'two containers with one name',
      withChange(ec2, td =>
        (td.containerDefinitions as Input[]).push({ name: 'worker', image: 'x', memory: 64 })
      ),
      [
        refused(
          'container-name-unique',
          ['containerDefinitions', 1, 'name'],
          "Duplicate container name 'worker'. Container names must be unique within a task definition."
        )
      ]
    ],
    [
      'no essential container',
      withChange(ec2, td => (container(td).essential = false)),
      [
        refused(
          'essential-container',
          ['containerDefinitions'],
          'A task definition must have at least one essential container.'
        )
      ]
    ],
    [
      'Fargate in bridge mode',
      withChange(fargate, td => (td.networkMode = 'bridge')),
      [refused('fargate-awsvpc', ['networkMode'], 'Fargate only supports network mode ‘awsvpc’.')]
    ],
    [
      'Fargate without a network mode',
      withChange(fargate, td => delete td.networkMode),
      [refused('fargate-awsvpc', ['requiresCompatibilities'], 'Fargate only supports network mode ‘awsvpc’.')]
    ],
    [
      'Fargate with ipcMode host',
      withChange(fargate, td => (td.ipcMode = 'host')),
      [
        refused(
          'fargate-ipc-mode',
          ['ipcMode'],
          'Tasks using the Fargate launch type do not support ipcMode.'
        )
      ]
    ],
    [
      'a container hostname under awsvpc',
      withChange(fargate, td => (container(td).hostname = 'web')),
      [
        refused(
          'awsvpc-hostname',
          ['containerDefinitions', 0, 'hostname'],
          'hostname is not supported on container when networkMode=awsvpc.'
        )
      ]
    ],
    ['a container hostname in bridge mode', withChange(ec2, td => (container(td).hostname = 'worker')), []],
    [
      'Fargate 256 CPU with 4096 MiB',
      withChange(fargate, td => (td.memory = '4096')),
      [
        refused(
          'fargate-size',
          ['memory'],
          'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.'
        )
      ]
    ],
    [
      'Fargate with 300 CPU',
      withChange(fargate, td => (td.cpu = '300')),
      [
        refused(
          'fargate-size',
          ['cpu'],
          'No Fargate configuration exists for given values: 300 CPU, 512 memory. See the Amazon ECS documentation for the valid values.'
        )
      ]
    ],
    [
      'Fargate without task cpu',
      withChange(fargate, td => delete td.cpu),
      [
        refused(
          'fargate-size',
          ['requiresCompatibilities'],
          "Fargate requires that 'cpu' be defined at the task level."
        )
      ]
    ],
    [
      'EC2 container with neither container nor task memory',
      withChange(ec2, td => delete container(td).memory),
      [
        refused(
          'container-memory-required',
          ['containerDefinitions', 0],
          "Invalid setting for container 'worker'. At least one of 'memory' or 'memoryReservation' must be specified."
        )
      ]
    ],
    [
      'hostPort ≠ containerPort under awsvpc',
      withChange(fargate, td => ((container(td).portMappings as Input[])[0].hostPort = 8080)),
      [
        refused(
          'awsvpc-host-port',
          ['containerDefinitions', 0, 'portMappings', 0, 'hostPort'],
          'When networkMode=awsvpc, the host ports and container ports in port mappings must match.'
        )
      ]
    ],
    [
      'hostPort ≠ containerPort in bridge mode is fine',
      withChange(ec2, td => (container(td).portMappings = [{ containerPort: 80, hostPort: 8080 }])),
      []
    ],
    [
      'eleven containers',
      withChange(ec2, td => {
        td.containerDefinitions = Array.from({ length: 11 }, (_, i) => ({
          name: `c${i}`,
          image: 'x',
          memory: 32
        }))
      }),
      [refused('containers-max', ['containerDefinitions', 10], 'Too many containers.')]
    ],
    [
      'a number as an environment value',
      withChange(ec2, td => (container(td).environment = [{ name: 'PORT', value: 8080 }])),
      [
        refused(
          'value-type',
          ['containerDefinitions', 0, 'environment', 0, 'value'],
          'NUMBER_VALUE cannot be converted to String',
          'SerializationException'
        )
      ]
    ],
    [
      'true as an environment value',
      withChange(ec2, td => (container(td).environment = [{ name: 'DEBUG', value: true }])),
      [
        refused(
          'value-type',
          ['containerDefinitions', 0, 'environment', 0, 'value'],
          'TRUE_VALUE cannot be converted to String',
          'SerializationException'
        )
      ]
    ],
    [
      'task cpu given as an object',
      withChange(fargate, td => (td.cpu = { units: 256 })),
      [
        refused(
          'value-type',
          ['cpu'],
          'Start of structure or map found where not expected.',
          'SerializationException'
        )
      ]
    ],
    [
      'task memory given as a list',
      withChange(ec2, td => (td.memory = ['512'])),
      [refused('value-type', ['memory'], 'Start of list found where not expected.', 'SerializationException')]
    ],
    [
      'essential given as the string "yes"',
      withChange(ec2, td => (container(td).essential = 'yes')),
      [
        refused(
          'value-type',
          ['containerDefinitions', 0, 'essential'],
          'STRING_VALUE cannot be converted to Boolean',
          'SerializationException'
        )
      ]
    ],
    [
      'a mount point readOnly given as 1',
      withChange(
        ec2,
        td => (container(td).mountPoints = [{ sourceVolume: 'v', containerPath: '/d', readOnly: 1 }])
      ),
      [
        refused(
          'value-type',
          ['containerDefinitions', 0, 'mountPoints', 0, 'readOnly'],
          'NUMBER_VALUE cannot be converted to Boolean',
          'SerializationException'
        )
      ]
    ],
    [
      'a container port as a string',
      withChange(ec2, td => (container(td).portMappings = [{ containerPort: '80' }])),
      [
        refused(
          'value-type',
          ['containerDefinitions', 0, 'portMappings', 0, 'containerPort'],
          'STRING_VALUE cannot be converted to Integer',
          'SerializationException'
        )
      ]
    ],
    [
      'container memory -5',
      withChange(ec2, td => (container(td).memory = -5)),
      [
        refused(
          'memory-positive',
          ['containerDefinitions', 0, 'memory'],
          "Invalid 'memory' setting for container 'worker': -5. It must be greater than 0."
        )
      ]
    ],
    [
      'container memoryReservation 0',
      withChange(ec2, td => Object.assign(container(td), { memory: undefined, memoryReservation: 0 })),
      [
        refused(
          'memory-positive',
          ['containerDefinitions', 0, 'memoryReservation'],
          "Invalid 'memoryReservation' setting for container 'worker': 0. It must be greater than 0."
        )
      ]
    ],
    [
      'task memory "0"',
      withChange(ec2, td => (td.memory = '0')),
      [refused('memory-positive', ['memory'], "Invalid 'memory' setting for task: 0.")]
    ],
    [
      'container memory above the task memory',
      withChange(ec2, td => Object.assign(td, { memory: '256' }) && (container(td).memory = 512)),
      [
        refused(
          'memory-limits',
          ['containerDefinitions', 0, 'memory'],
          "The 'memory' setting for container 'worker' is greater than for the task."
        )
      ]
    ],
    [
      'a 10 MB environment value',
      withChange(
        ec2,
        td => (container(td).environment = [{ name: 'BIG', value: 'x'.repeat(10 * 1024 * 1024) }])
      ),
      [
        refused(
          'size-limit',
          [],
          `Actual length: '${JSON.stringify(withChange(ec2, t => (container(t).environment = [{ name: 'BIG', value: '' }]))).length + 10 * 1024 * 1024}'. Max allowed length is '65536' bytes.`
        )
      ]
    ]
  ])('%s', (_name, input, expected) => {
    expect(checkRegisterInput(input)).toEqual(expected)
  })

  test('values from the request are shown with control characters escaped, at most 100 characters', () => {
    const td = withChange(ec2, t => (t.networkMode = 'x\n::error::injected\r' + 'y'.repeat(200)))
    const [violation] = checkRegisterInput(td)
    expect(violation.message).toBe(
      `x\\n::error::injected\\r${'y'.repeat(78)}… is not a valid value for networkMode. The value must be one of [bridge,host,awsvpc,none]`
    )
    expect(violation.message).not.toMatch(/[\n\r]/)
  })

  test('a body that is not an object', () => {
    expect(checkRegisterInput([])).toEqual([
      refused('value-type', [], 'Start of list found where not expected.', 'SerializationException')
    ])
  })

  test('the size counts UTF-8 bytes: 65536 bytes pass, one more is refused', () => {
    const td = ec2()
    container(td).dockerLabels = { note: '' }
    const note = 'a'.repeat(65536 - JSON.stringify(td).length)
    container(td).dockerLabels = { note }
    expect(JSON.stringify(td).length).toBe(65536)
    expect(checkRegisterInput(td)).toEqual([])
    // Same number of characters, one more byte: é is two bytes in UTF-8.
    container(td).dockerLabels = { note: 'é' + note.slice(1) }
    expect(JSON.stringify(td).length).toBe(65536)
    expect(checkRegisterInput(td)).toEqual([
      refused('size-limit', [], "Actual length: '65537'. Max allowed length is '65536' bytes.")
    ])
  })
})

describe('sizes', () => {
  test.each<[unknown, number | undefined]>([
    ['256', 256],
    [256, 256],
    ['1 vCPU', 1024],
    ['0.25 vcpu', 256],
    ['2vCPU', 2048],
    ['{{cpu}}', undefined],
    [{ units: 1 }, undefined]
  ])('cpu %p is %p units', (value, units) => expect(cpuUnits(value)).toBe(units))

  test.each<[unknown, number | undefined]>([
    ['512', 512],
    ['1 GB', 1024],
    ['0.5GB', 512],
    ['2gb', 2048],
    ['lots', undefined]
  ])('memory %p is %p MiB', (value, mib) => expect(memoryMiB(value)).toBe(mib))

  test.each<[number, number[]]>([
    [256, [512, 1024, 2048]],
    [512, [1024, 2048, 3072, 4096]],
    [4096, [8192, 30720]],
    [8192, [16384, 20480, 61440]],
    [16384, [32768, 40960, 122880]]
  ])('Fargate %d CPU takes %p MiB', (cpu, memories) => {
    for (const m of memories) expect(FARGATE_SIZES.get(cpu)).toContain(m)
  })

  test.each<[number, number]>([
    [256, 4096],
    [512, 512],
    [8192, 18432],
    [16384, 36864]
  ])('Fargate %d CPU refuses %d MiB', (cpu, memory) => {
    expect(FARGATE_SIZES.get(cpu)).not.toContain(memory)
  })
})

describe('applyDrops', () => {
  test('leaves out every droppable finding, and only those; the input is not changed', () => {
    const td = withChange(fargate, t => {
      t.tags = []
      t.pidMode = ''
      t.requiresCompatibilities = ['', 'FARGATE', '']
      container(t).repositoryCredentials = { credentialsParameter: '' }
      container(t).memory = -1
    })
    const before = JSON.stringify(td)
    const violations = checkRegisterInput(td)
    const { input, dropped } = applyDrops(td, violations)
    expect(JSON.stringify(td)).toBe(before)
    expect(dropped).toEqual([
      ['tags'],
      ['requiresCompatibilities', 2],
      ['requiresCompatibilities', 0],
      ['pidMode'],
      ['containerDefinitions', 0, 'repositoryCredentials']
    ])
    expect(input).toEqual(
      withChange(fargate, t => {
        container(t).memory = -1
      })
    )
    expect(checkRegisterInput(input).map(v => v.rule)).toEqual(['memory-positive'])
  })
})

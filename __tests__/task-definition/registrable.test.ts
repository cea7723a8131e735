/**
 * The loader's side of the register rules (src/task-definition/rules/): what it leaves out with a notice, and
 * assertRegistrable, the plan's check — for files (file:line:column) and for revisions read from ECS (no file).
 */
import { describe, expect, test } from '@jest/globals'
import type { TaskDefinition } from '@aws-sdk/client-ecs'
import { DeployError } from '../../src/errors.js'
import {
  fromDescribedTaskDefinition,
  parseTaskDefinition,
  type LoadedTaskDefinition
} from '../../src/task-definition/load.js'
import { assertRegistrable } from '../../src/task-definition/registrable.js'

function thrown(fn: () => unknown): DeployError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(DeployError)
    return error as DeployError
  }
  throw new Error('expected a DeployError, nothing was thrown')
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) + '\n'
const fargate = {
  family: 'web',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: 'web', image: '' }]
}

describe('what the loader leaves out', () => {
  test('a YAML file: each dropped value has a notice at its own line, and list positions stay right', () => {
    const yaml = [
      'family: web', //                                   1
      'networkMode: awsvpc', //                           2
      'requiresCompatibilities: ["", FARGATE]', //        3
      'cpu: "256"', //                                    4
      'memory: "512"', //                                 5
      'ipcMode: ""', //                                   6
      'containerDefinitions:', //                         7
      '  - name: web', //                                 8
      '    image: ""', //                                 9
      '    portMappings:', //                             10
      '      - containerPort: 80', //                     11
      '        protocol: ""', //                          12
      'tags: []' //                                       13
    ].join('\n')
    const loaded = parseTaskDefinition(yaml, 'td.yaml')
    expect(loaded.notices.map(n => [n.line, n.message.split(' was left out')[0]])).toEqual([
      [3, 'requiresCompatibilities[0]'],
      [6, 'ipcMode'],
      [12, 'containerDefinitions[0].portMappings[0].protocol'],
      [13, 'tags']
    ])
    expect(loaded.notices.every(n => n.file === 'td.yaml')).toBe(true)
    expect(loaded.input.requiresCompatibilities).toEqual(['FARGATE'])
    expect(loaded.input).not.toHaveProperty('ipcMode')
    expect(loaded.input).not.toHaveProperty('tags')
    expect(loaded.input.containerDefinitions![0].portMappings).toEqual([{ containerPort: 80 }])
    // The item that moved up keeps its own position.
    expect(loaded.locate(['requiresCompatibilities', 0])).toEqual({ line: 3, column: 31 })
    expect(loaded.locate(['requiresCompatibilities', 1])).toBeUndefined()
    expect(() => assertRegistrable(loaded, 'web')).not.toThrow()
  })

  test('a described revision: the same, with no file', () => {
    const td = { ...fargate, pidMode: '', containerDefinitions: [{ name: 'web', image: 'x:1' }] }
    const loaded = fromDescribedTaskDefinition(
      td as TaskDefinition,
      [],
      'family web (latest ACTIVE revision)'
    )
    expect(loaded.notices).toEqual([{ message: expect.stringMatching(/^pidMode was left out/) }])
    expect(loaded.input).not.toHaveProperty('pidMode')
  })
})

describe('assertRegistrable', () => {
  test.each<[string, unknown, string | undefined, string, number, RegExp]>([
    [
      'a Fargate pair outside the table',
      { ...fargate, memory: '4096' },
      'web',
      'ECS would refuse the task definition: Fargate CPU and memory',
      8,
      /^td\.json:8:3: memory: ClientException: No Fargate configuration exists for given values: 256 CPU, 4096 memory/
    ],
    [
      'the empty image when no image is deployed',
      fargate,
      undefined,
      'ECS would refuse the task definition: container image missing',
      12,
      /^td\.json:12:7: containerDefinitions\[0\]\.image: ClientException: Container\.image should not be null or empty\.$/
    ],
    [
      'two findings: the first is the title, both are in the message',
      { ...fargate, networkMode: 'bridge', containerDefinitions: [{ name: 'web', image: '', memory: -1 }] },
      'web',
      'ECS would refuse the task definition: Fargate needs awsvpc',
      3,
      /^td\.json:3:3: networkMode: .*awsvpc.*\ntd\.json:13:7: containerDefinitions\[0\]\.memory: ClientException: Invalid 'memory'/
    ]
  ])('%s', (_name, value, newImageFor, title, line, message) => {
    const loaded = parseTaskDefinition(json(value), 'td.json')
    const error = thrown(() => assertRegistrable(loaded, newImageFor))
    expect(error.title).toBe(title)
    expect([error.file, error.line]).toEqual(['td.json', line])
    expect(error.message).toMatch(message)
    expect(error.hint).toMatch(/nothing was built, pushed or registered/)
  })

  test('the container that gets the new image may leave its image empty', () => {
    expect(() => assertRegistrable(parseTaskDefinition(json(fargate), 'td.json'), 'web')).not.toThrow()
  })

  test('the size counts the new image at its longest, so the rendered definition needs no second check', () => {
    const sized = (room: number): LoadedTaskDefinition => {
      const td = { ...fargate, containerDefinitions: [{ name: 'web', image: '', dockerLabels: { pad: '' } }] }
      // 65536 bytes with an empty image, less `room`.
      td.containerDefinitions[0].dockerLabels.pad = 'p'.repeat(65536 - room - JSON.stringify(td).length)
      return parseTaskDefinition(json(td), 'td.json')
    }
    // Room for any image the image phase can make (registry 255, "/", name 256, "@sha256:" and 64 hex).
    expect(() => assertRegistrable(sized(584), 'web')).not.toThrow()
    const error = thrown(() => assertRegistrable(sized(583), 'web'))
    expect(error.title).toBe('ECS would refuse the task definition: task definition over 64 KiB')
    expect(error.message).toMatch(
      /Max allowed length is '65536' bytes\. \(the new image counted at its longest\)$/
    )
  })

  test('a revision read from ECS: no file, and says where it came from', () => {
    const td = { family: 'web', containerDefinitions: [{ name: 'web', image: 'x:1' }] } as TaskDefinition
    const loaded = fromDescribedTaskDefinition(td, undefined, 'service web (current task definition web:3)')
    const error = thrown(() => assertRegistrable(loaded, 'web'))
    expect(error.file).toBeUndefined()
    expect(error.line).toBeUndefined()
    expect(error.title).toBe('ECS would refuse the task definition: container memory missing')
    expect(error.message).toBe(
      'Task definition service web (current task definition web:3) (read from ECS, no file) would be refused by ' +
        "RegisterTaskDefinition. containerDefinitions[0]: ClientException: Invalid setting for container 'web'. " +
        "At least one of 'memory' or 'memoryReservation' must be specified."
    )
    expect(error.hint).toMatch(/register a corrected revision, or give the task-definition input a file/)
  })
})

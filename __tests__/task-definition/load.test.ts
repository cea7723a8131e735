/**
 * Loading: the format found by content, what every task definition needs (with its location), describe
 * output (the wrapper, read-only keys, tags), a revision read from ECS, and reading the file inside the
 * workspace.
 */
import { afterAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import YAML from 'yaml'
import type { TaskDefinition } from '@aws-sdk/client-ecs'
import { DeployError } from '../../src/errors.js'
import {
  fromDescribedTaskDefinition,
  loadTaskDefinitionFile,
  parseTaskDefinition
} from '../../src/task-definition/load.js'
import { renderTaskDefinition, selectContainer } from '../../src/task-definition/render.js'
import { NEW_IMAGE, thrown } from '../setup/task-definition-files.js'

/** A text from lines, so the line numbers in the tests are the array's (index + 1). */
const lines = (...l: string[]): string => l.join('\n') + '\n'

describe('the format is found by content when the extension does not say', () => {
  const json = lines('{"family": "web", "containerDefinitions": [{"name": "app", "image": "nginx"}]}')
  const yaml = lines('family: web', 'containerDefinitions:', '  - name: app', '    image: nginx')
  test.each([
    ['td.txt', json],
    ['td', yaml],
    ['taskdef.template', yaml],
    ['td.yml', json], // JSON is YAML
    ['td.json', '\ufeff' + json] // a byte order mark
  ])('%s', (file, text) => {
    const loaded = parseTaskDefinition(text, file)
    expect(loaded.input).toEqual({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx' }] })
    expect(loaded.warnings).toEqual([])
  })

  test('JSON-looking text that is neither JSON nor YAML reports the JSON error', () => {
    const error = thrown(() => parseTaskDefinition(lines('{', '  "family": "web"', '  "x": 1', '}'), 'td'))
    expect([error.line, error.column]).toEqual([3, 3])
    expect(error.message).toContain(`Expected ',' or '}'`)
  })

  test('without an extension, JSON with a trailing comma is read as YAML (a flow map allows it)', () => {
    const text = lines(
      '{',
      '  "family": "web",',
      '  "containerDefinitions": [{ "name": "app", "image": "x" },],',
      '}'
    )
    expect(parseTaskDefinition(text, 'td').input.containerDefinitions).toEqual([{ name: 'app', image: 'x' }])
    expect(thrown(() => parseTaskDefinition(text, 'td.json')).message).toContain(
      'td.json:3:59: Trailing comma'
    )
  })
})

describe('missing required things fail with a location', () => {
  test.each([
    [
      'no family',
      lines('{', '  "containerDefinitions": [{ "name": "a", "image": "x" }]', '}'),
      1,
      1,
      'has no "family"'
    ],
    [
      'empty family',
      lines('{', '  "family": "",', '  "containerDefinitions": []', '}'),
      2,
      3,
      '"family" must be'
    ],
    ['no containerDefinitions', lines('{', '  "family": "web"', '}'), 1, 1, 'no "containerDefinitions"'],
    [
      'empty containerDefinitions',
      lines('{', '  "family": "web",', '  "containerDefinitions": []', '}'),
      3,
      3,
      'at least one'
    ],
    [
      'container without name',
      lines('{', '  "family": "web",', '  "containerDefinitions": [', '    { "image": "x" }', '  ]', '}'),
      4,
      5,
      'containerDefinitions[0] has no "name"'
    ],
    [
      'container without image',
      lines('{', '  "family": "web",', '  "containerDefinitions": [', '    { "name": "app" }', '  ]', '}'),
      4,
      5,
      'Container "app" has no "image"'
    ],
    [
      'null image',
      lines(
        '{',
        '  "family": "web",',
        '  "containerDefinitions": [',
        '    { "name": "app", "image": null }',
        '  ]',
        '}'
      ),
      4,
      22,
      'Container "app" has no "image"'
    ],
    [
      'two containers with one name',
      lines(
        '{',
        '  "family": "web",',
        '  "containerDefinitions": [',
        '    { "name": "app", "image": "x" },',
        '    { "name": "app", "image": "y" }',
        '  ]',
        '}'
      ),
      5,
      7,
      'Two containers are named "app"'
    ],
    ['not an object', lines('[]'), 1, 1, 'must be an object'],
    [
      'wrapper without family',
      lines(
        '{',
        '  "taskDefinition": {',
        '    "containerDefinitions": [{ "name": "a", "image": "x" }]',
        '  }',
        '}'
      ),
      2,
      3,
      'has no "family"'
    ]
  ])('%s', (_name, text, line, column, what) => {
    const error = thrown(() => parseTaskDefinition(text, 'td.json'))
    expect([error.title, error.file, error.line, error.column]).toEqual([
      'Invalid task definition',
      'td.json',
      line,
      column
    ])
    expect(error.message).toContain(what)
  })

  test('YAML: a container without image points at the container', () => {
    const error = thrown(() =>
      parseTaskDefinition(
        lines('family: web', 'containerDefinitions:', '  - name: app', '    image:'),
        'td.yml'
      )
    )
    expect([error.line, error.column]).toEqual([4, 5])
    expect(error.hint).toContain('empty string')
  })

  test('an empty image is fine at parse time', () => {
    const loaded = parseTaskDefinition(
      lines('family: web', 'containerDefinitions:', '  - name: app', '    image: ""'),
      'td.yml'
    )
    expect(loaded.input.containerDefinitions![0].image).toBe('')
    expect(loaded.warnings).toEqual([])
  })
})

describe('describe output', () => {
  const wrapped = lines(
    '{', // 1
    '  "taskDefinition": {', // 2
    '    "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/web:7",', // 3
    '    "family": "web",', // 4
    '    "revision": 7,', // 5
    '    "containerDefinitions": [{ "name": "app", "image": "nginx", "linuxParameters": null }],', // 6
    '    "status": "ACTIVE",', // 7
    '    "compatibilities": ["EC2", "FARGATE"],', // 8
    '    "registeredAt": "2024-01-01T00:00:00Z",', // 9
    '    "deregisteredAt": "2024-02-01T00:00:00Z",', // 10
    '    "registeredBy": "arn:aws:iam::1:user/me"', // 11
    '  },', // 12
    '  "tags": [{ "key": "team", "value": "web" }]', // 13
    '}' // 14
  )

  test('the wrapper: tags come back, read-only keys go, positions are by input path', () => {
    const loaded = parseTaskDefinition(wrapped, 'td.json')
    expect(loaded.tags).toEqual([{ key: 'team', value: 'web' }])
    expect(loaded.input).toEqual({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx' }] })
    expect(loaded.warnings).toEqual([])
    expect(loaded.locate(['family'])).toEqual({ line: 4, column: 5 })
    expect(loaded.locate(['containerDefinitions', 0, 'image'])).toEqual({ line: 6, column: 47 })
    expect(loaded.locate(['taskDefinition', 'family'])).toBeUndefined()
  })

  test('the same in YAML', () => {
    const yaml = YAML.stringify(JSON.parse(wrapped))
    const loaded = parseTaskDefinition(yaml, 'td.yaml')
    expect(loaded.tags).toEqual([{ key: 'team', value: 'web' }])
    expect(loaded.input).toEqual({ family: 'web', containerDefinitions: [{ name: 'app', image: 'nginx' }] })
  })

  test('unknown keys beside taskDefinition are reported', () => {
    const loaded = parseTaskDefinition(wrapped.replace('"tags"', '"tagz"'), 'td.json')
    expect(loaded.tags).toBeUndefined()
    expect(loaded.warnings).toEqual([
      { message: expect.stringContaining('Unknown key "tagz"'), file: 'td.json', line: 13, column: 3 }
    ])
  })

  test('nulls in lists go, and positions follow the list as it is after', () => {
    const loaded = parseTaskDefinition(
      lines(
        '{',
        '  "family": "web",',
        '  "containerDefinitions": [',
        '    null,',
        '    { "name": "app", "image": "x" }',
        '  ]',
        '}'
      ),
      'td.json'
    )
    expect(loaded.input.containerDefinitions).toEqual([{ name: 'app', image: 'x' }])
    expect(loaded.locate(['containerDefinitions', 0, 'name'])).toEqual({ line: 5, column: 7 })
  })
})

describe('fromDescribedTaskDefinition', () => {
  const described = (): TaskDefinition =>
    ({
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:1:task-definition/web:7',
      family: 'web',
      revision: 7,
      status: 'ACTIVE',
      compatibilities: ['EC2', 'FARGATE'],
      requiresAttributes: [{ name: 'ecs.capability.task-eni' }],
      registeredAt: new Date('2024-01-01T00:00:00Z'),
      registeredBy: 'arn:aws:iam::1:user/me',
      deleteRequestedAt: new Date('2024-01-02T00:00:00Z'),
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        { name: 'app', image: 'old', environment: [], secrets: [{ name: 'A', valueFrom: 'arn:a' }] },
        { name: 'sidecar', image: 'envoy', healthCheck: { command: ['CMD', 'true'], interval: 5 } }
      ],
      // A member this code does not know (a newer API): it came from the SDK, so it is kept.
      someNewMember: { on: true }
    }) as TaskDefinition

  test('strips read-only keys, keeps the rest, copies deeply', () => {
    const td = described()
    const loaded = fromDescribedTaskDefinition(
      td,
      [{ key: 'team', value: 'web' }],
      'service web (current task definition)'
    )
    expect(loaded.input).toEqual({
      family: 'web',
      cpu: '256',
      memory: '512',
      containerDefinitions: td.containerDefinitions,
      someNewMember: { on: true }
    })
    expect(loaded.tags).toEqual([{ key: 'team', value: 'web' }])
    expect(loaded.source).toBe('service web (current task definition)')
    expect(loaded.file).toBeUndefined()
    expect(loaded.warnings).toEqual([])
    expect(loaded.locate(['family'])).toBeUndefined()
    loaded.input.containerDefinitions![0].image = 'changed'
    expect(td.containerDefinitions![0].image).toBe('old')
  })

  test.each([[undefined], [[]]])('tags %j: none', tags => {
    expect(fromDescribedTaskDefinition(described(), tags, 'x').tags).toBeUndefined()
  })

  test('renders, and selectContainer names the source', () => {
    const loaded = fromDescribedTaskDefinition(
      described(),
      undefined,
      'service web (current task definition)'
    )
    expect(renderTaskDefinition(loaded.input, 'sidecar', NEW_IMAGE).containerDefinitions![1].image).toBe(
      NEW_IMAGE
    )
    const error = thrown(() => selectContainer(loaded, 'web'))
    expect(error.message).toBe(
      'Input "container-name": Container "web" is not in task definition service web (current task definition). Containers: app, sidecar'
    )
    expect(error.file).toBeUndefined()
  })
})

describe('loadTaskDefinitionFile', () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'td-test-'))
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }))
  fs.mkdirSync(path.join(workspace, 'ecs'))
  fs.writeFileSync(
    path.join(workspace, 'ecs', 'td.yml'),
    lines('family: web', 'containerDefinitions:', '  - name: app', '    image: nginx', '    healthcheck: {}')
  )

  test.each([
    ['ecs/td.yml', 'ecs/td.yml'],
    ['./ecs/td.yml', 'ecs/td.yml'],
    [path.join(workspace, 'ecs', 'td.yml'), 'ecs/td.yml']
  ])('%s: source as given, file relative to the workspace', async (given, file) => {
    const loaded = await loadTaskDefinitionFile(given, workspace)
    expect([loaded.source, loaded.file]).toEqual([given, file])
    expect(loaded.warnings).toEqual([
      { message: expect.stringContaining('"healthcheck"'), file, line: 5, column: 5 }
    ])
  })

  test('a missing file fails in plan, naming the input', async () => {
    const error = await loadTaskDefinitionFile('ecs/nope.json', workspace).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeployError)
    expect((error as DeployError).message).toBe('Input "task-definition": ecs/nope.json does not exist')
  })

  test('parse errors name the file relative to the workspace', async () => {
    fs.writeFileSync(path.join(workspace, 'ecs', 'bad.json'), lines('{', '  "family": "web",', '}'))
    const error = await loadTaskDefinitionFile('./ecs/bad.json', workspace).catch((e: unknown) => e)
    expect((error as DeployError).message).toMatch(
      /^Input "task-definition": ecs\/bad\.json:2:18: Trailing comma/
    )
    expect((error as DeployError).file).toBe('ecs/bad.json')
  })

  test('a file outside the workspace is not read', async () => {
    const outside = path.join(path.dirname(workspace), `${path.basename(workspace)}-outside.json`)
    fs.writeFileSync(outside, '{"family": "secret-family", "containerDefinitions": []}')
    try {
      const error = await loadTaskDefinitionFile(`../${path.basename(outside)}`, workspace).catch(
        (e: unknown) => e
      )
      expect(error).toMatchObject({ title: 'Invalid input: task-definition' })
      expect((error as DeployError).message).toMatch(/^Input "task-definition": .* outside the workspace/)
      expect((error as DeployError).message).not.toContain('secret-family')
    } finally {
      fs.rmSync(outside, { force: true })
    }
  })

  test('a file over 1 MiB is not read', async () => {
    fs.writeFileSync(path.join(workspace, 'ecs', 'huge.json'), `{"family": "${'x'.repeat(1024 * 1024)}"}`)
    const error = await loadTaskDefinitionFile('ecs/huge.json', workspace).catch((e: unknown) => e)
    expect(error).toMatchObject({ title: 'Invalid input: task-definition' })
    expect((error as DeployError).message).toBe(
      'Input "task-definition": ecs/huge.json is 1048590 bytes, more than the 1048576 this input takes'
    )
  })

  test('a symlink inside the workspace points the annotation at the real file', async () => {
    fs.symlinkSync('td.yml', path.join(workspace, 'ecs', 'link.yml'))
    const loaded = await loadTaskDefinitionFile('ecs/link.yml', workspace)
    expect([loaded.source, loaded.file]).toEqual(['ecs/link.yml', 'ecs/td.yml'])
  })

  test.each<[string, string, RegExp]>([
    // What a non-JSON system file gave before: the whole file in the message.
    [
      'passwd-like.txt',
      Array.from({ length: 40 }, (_, i) => `user${i}:x:${i}:${i}:User ${i}:/home/u${i}:/bin/sh`).join('\n'),
      /^Input "task-definition": ecs\/passwd-like\.txt:1:1: A task definition must be an object .*, not the string "user0:x:0:0:User 0:\/home\/u0:\/bin\/sh user1:x:1:1:User 1:\/hom…"$/
    ],
    [
      'long-key.json',
      `{"${'k'.repeat(5000)}" 1}`,
      /^Input "task-definition": ecs\/long-key\.json:1:5005: Expected ':' after "k{59}…", found '1'$/
    ],
    ['long-number.json', `{"cpu": ${'9'.repeat(5000)}x}`, /Invalid number "9{39}…"$/],
    ['control.json', '{"family": "a"\u0007}', /found '\\u0007'$/],
    [
      'command.json',
      '"::error::x\\r\\n::add-mask::y"',
      /not the string ":\\u003aerror:\\u003ax\\r\\n:\\u003aadd-mask:\\u003ay"$/
    ],
    [
      'alias.yml',
      `family: *${'a'.repeat(500)}`,
      /^Input "task-definition": ecs\/alias\.yml:1:9: Unknown alias "\*a{58}…"$/
    ]
  ])('%s: the error quotes a short, sanitised excerpt', async (name, text, message) => {
    fs.writeFileSync(path.join(workspace, 'ecs', name), text)
    const error = (await loadTaskDefinitionFile(`ecs/${name}`, workspace).catch(
      (e: unknown) => e
    )) as DeployError
    expect(error).toBeInstanceOf(DeployError)
    expect(error.message).toMatch(message)
    expect(error.message.length).toBeLessThan(400)
    expect(error.message).not.toMatch(/\p{Cc}/u)
    expect(error.message).not.toContain('::')
  })
})

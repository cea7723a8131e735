/** The YAML reader: a parse error says where, exactly; anchors, aliases and merge keys keep their positions. */
import { describe, expect, test } from '@jest/globals'
import YAML from 'yaml'
import { parseTaskDefinition } from '../../src/task-definition/load.js'
import { thrown } from '../setup/task-definition-files.js'

/** A text from lines, so the line numbers in the tests are the array's (index + 1). */
const lines = (...l: string[]): string => l.join('\n') + '\n'

describe('parse errors say where, exactly', () => {
  test.each([
    [
      'bad indentation',
      lines(
        'family: web',
        'containerDefinitions:',
        '  - name: app',
        '    image: nginx',
        '   essential: true'
      ),
      5,
      4
    ],
    [
      'duplicate key',
      lines('family: web', 'containerDefinitions:', '  - name: app', '    image: nginx', '    name: other'),
      5,
      5
    ],
    ['tab as indentation', lines('family: web', '\tcontainerDefinitions: []'), 2, 1],
    ['two documents', lines('family: web', '---', 'family: other'), 2, 1],
    [
      'unclosed flow list',
      lines('family: web', 'containerDefinitions: [', '  {name: app, image: nginx}'),
      4,
      1
    ]
  ])('YAML: %s', (_name, text, line, column) => {
    expect(() => YAML.parse(text)).toThrow() // the file really is invalid YAML
    const error = thrown(() => parseTaskDefinition(text, 'td.yaml'))
    expect([error.title, error.file, error.line, error.column]).toEqual([
      'Invalid task definition',
      'td.yaml',
      line,
      column
    ])
    expect(error.message).toMatch(new RegExp(`^td\\.yaml:${line}:${column}: \\S`))
  })
})

describe('YAML niceties', () => {
  test('anchors, aliases and merge keys', () => {
    const loaded = parseTaskDefinition(
      lines(
        'family: web',
        'containerDefinitions:',
        '  - name: app',
        '    image: nginx',
        '    logConfiguration: &log',
        '      logDriver: awslogs',
        '      options: { awslogs-group: web, awslogs-region: us-east-1 }',
        '  - name: sidecar',
        '    image: envoy',
        '    logConfiguration:',
        '      <<: *log',
        '      options: { awslogs-group: side }'
      ),
      'td.yml'
    )
    expect(loaded.warnings).toEqual([])
    expect(loaded.input.containerDefinitions![1].logConfiguration).toEqual({
      logDriver: 'awslogs',
      options: { 'awslogs-group': 'side' }
    })
    expect(loaded.input.containerDefinitions![0].logConfiguration?.options?.['awslogs-region']).toBe(
      'us-east-1'
    )
    expect(loaded.locate(['containerDefinitions', 1, 'logConfiguration', 'options'])).toEqual({
      line: 12,
      column: 7
    })
  })
})

/** The JSON reader: a parse error says where, exactly (file:line:column), for what JSON.parse refuses too. */
import { describe, expect, test } from '@jest/globals'
import { parseTaskDefinition } from '../../src/task-definition/load.js'
import { thrown } from '../setup/task-definition-files.js'

/** A text from lines, so the line numbers in the tests are the array's (index + 1). */
const lines = (...l: string[]): string => l.join('\n') + '\n'

describe('parse errors say where, exactly', () => {
  test.each([
    [
      'missing comma',
      lines('{', '  "family": "web"', '  "containerDefinitions": []', '}'),
      3,
      3,
      `Expected ',' or '}' after the value of "family"`
    ],
    [
      'trailing comma',
      lines('{', '  "family": "web",', '  "containerDefinitions": [],', '}'),
      3,
      29,
      'Trailing comma'
    ],
    [
      'trailing comma in a list',
      lines('{', '  "family": "web",', '  "requiresCompatibilities": ["FARGATE", ]', '}'),
      3,
      40,
      'Trailing comma'
    ],
    ['unterminated string', lines('{', '  "family": "web,', '  "x": 1', '}'), 2, 13, 'Unterminated string'],
    ['single quotes', lines('{', "  'family': 'web'", '}'), 2, 3, 'double quotes'],
    ['comment', lines('{', '  // the family', '  "family": "web"', '}'), 2, 3, 'Comments are not allowed'],
    [
      'end of file',
      lines('{', '  "family": "web",', '  "containerDefinitions": ['),
      4,
      1,
      'Unexpected end of file'
    ],
    ['bad literal', lines('{', '  "family": "web",', '  "x": tru', '}'), 3, 8, 'Unexpected'],
    ['leading zero', lines('{', '  "cpu": 0256', '}'), 2, 10, 'Invalid number'],
    ['CRLF line ends', '{\r\n  "family": "web"\r\n  "x": 1\r\n}\r\n', 3, 3, `Expected ','`],
    ['tab indentation', '{\n\t"family": "web"\n\t"x": 1\n}\n', 3, 2, `Expected ','`],
    ['text after the object', lines('{ "family": "web" }', '}'), 2, 1, 'Unexpected text after'],
    ['empty', '  \n', 2, 1, 'empty']
  ])('JSON: %s', (_name, text, line, column, what) => {
    expect(() => JSON.parse(text)).toThrow() // the file really is invalid JSON
    const error = thrown(() => parseTaskDefinition(text, 'ecs/td.json'))
    expect(error.title).toBe('Invalid task definition')
    expect([error.file, error.line, error.column]).toEqual(['ecs/td.json', line, column])
    expect(error.message.startsWith(`ecs/td.json:${line}:${column}: `)).toBe(true)
    expect(error.message).toContain(what)
  })

  test('a .json file with YAML in it is reported as JSON', () => {
    const error = thrown(() =>
      parseTaskDefinition(lines('family: web', 'containerDefinitions: []'), 'td.json')
    )
    expect([error.line, error.column]).toEqual([1, 1])
  })
})

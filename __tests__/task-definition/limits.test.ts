import { afterAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DeployError } from '../../src/errors.js'
import { loadTaskDefinitionFile, parseTaskDefinition } from '../../src/task-definition/load.js'
import { READER_LIMITS } from '../../src/task-definition/source.js'
import { yamlNestingPastLimit } from '../../src/task-definition/yaml-reader.js'

/** Hostile task definition files: each must end in one DeployError with file:line:column, quickly. */

const container = '{"name": "web", "image": "nginx", "memory": 128, "essential": true}'

/** "Billion laughs": `levels` anchors, each a list of `width` aliases of the one before. */
function aliasBomb(levels: number, width: number): string {
  const lines = [
    'family: web',
    'containerDefinitions:',
    '  - name: web',
    '    image: nginx',
    '    memory: 128'
  ]
  lines.push('x0: &a0 [' + Array(width).fill('"lol"').join(', ') + ']')
  for (let l = 1; l < levels; l++)
    lines.push(
      `x${l}: &a${l} [` +
        Array(width)
          .fill(`*a${l - 1}`)
          .join(', ') +
        ']'
    )
  return lines.join('\n') + '\n'
}

const blockSeq = (n: number): string =>
  Array.from({ length: n }, (_, i) => ' '.repeat(2 * i) + '-').join('\n') + ' x\n'
const blockMap = (n: number): string =>
  Array.from({ length: n }, (_, i) => ' '.repeat(2 * i) + 'a:').join('\n') + ' x\n'
const flowIn = (n: number, open: string, close: string, inner = '1'): string =>
  open.repeat(n) + inner + close.repeat(n)

interface Case {
  name: string
  file: string
  text: string
  /** Part of the message. */
  message: RegExp
  line: number
  column?: number
}

const depth = READER_LIMITS.depth
const scan = READER_LIMITS.yamlScanDepth

const cases: Case[] = [
  {
    name: 'JSON: 100 000 nested lists',
    file: 'td.json',
    text: flowIn(100_000, '[', ']'),
    message: new RegExp(`nests more than ${depth} levels`),
    line: 1,
    column: depth + 1
  },
  {
    name: 'JSON: 100 000 nested lists, one per line',
    file: 'td.json',
    text: flowIn(100_000, '[\n', '\n]'),
    message: new RegExp(`nests more than ${depth} levels`),
    line: depth + 1,
    column: 1
  },
  {
    name: 'JSON without extension (tried as JSON, then YAML): nested objects',
    file: 'td',
    text: flowIn(100_000, '{"a":', '}'),
    message: /nests more than \d+ levels/,
    line: 1
  },
  {
    name: 'JSON: a real wrapper nesting just past the limit',
    file: 'td.json',
    text: `{"family": "web", "containerDefinitions": [${container}], "x": ${flowIn(depth, '[', ']')}}`,
    message: new RegExp(`nests more than ${depth} levels`),
    line: 1
  },
  {
    name: 'YAML: 100 000 nested flow lists',
    file: 'td.yaml',
    text: flowIn(100_000, '[', ']'),
    message: new RegExp(`nests more than ${scan} levels`),
    line: 1,
    // The document itself is the first level of the rough count.
    column: scan
  },
  {
    name: 'YAML: 100 000 nested flow maps',
    file: 'td.yml',
    text: flowIn(100_000, '{a: ', '}'),
    message: new RegExp(`nests more than ${scan} levels`),
    line: 1
  },
  {
    name: 'YAML: 400 nested block lists',
    file: 'td.yaml',
    text: blockSeq(400),
    message: new RegExp(`nests more than ${scan} levels`),
    line: scan + 1
  },
  {
    name: 'YAML: 400 nested block maps',
    file: 'td.yaml',
    text: blockMap(400),
    message: new RegExp(`nests more than ${scan} levels`),
    line: scan + 1
  },
  {
    name: 'YAML: 100 000 compact "- - -" entries on one line',
    file: 'td.yaml',
    text: '- '.repeat(100_000) + 'x\n',
    message: new RegExp(`nests more than ${scan} levels`),
    line: 1
  },
  {
    name: 'YAML: nesting past the exact limit but under the scan limit',
    file: 'td.yaml',
    text: `family: web\ncontainerDefinitions:\n  - ${container}\nx: ${flowIn(depth + 5, '[', ']')}\n`,
    message: new RegExp(`nests more than ${depth} levels`),
    line: 4
  },
  {
    name: 'YAML: billion laughs (9 levels of 9)',
    file: 'td.yaml',
    text: aliasBomb(9, 9),
    message: new RegExp(
      `expands to more than ${READER_LIMITS.aliasValues} values through aliases \\(a YAML alias bomb\\?\\), passing the limit in "\\*a3"`
    ),
    // x3 is 9 copies of *a2 (820 values each); x4, 9 copies of *a3 (7381 each), passes 50 000.
    line: 10
  },
  {
    name: 'YAML: wide alias bomb (4 levels of 100)',
    file: 'td.yaml',
    text: aliasBomb(4, 100),
    message: /expands to more than \d+ values through aliases/,
    line: 8
  },
  {
    name: 'YAML: alias bomb through merge keys',
    file: 'td.yaml',
    text:
      'family: web\n' +
      'm0: &m0 {' +
      Array.from({ length: 60 }, (_, i) => `k${i}: [1, 2, 3, 4, 5, 6, 7, 8, 9]`).join(', ') +
      '}\n' +
      Array.from(
        { length: 8 },
        (_, l) =>
          `m${l + 1}: &m${l + 1} {<<: *m${l}, ` +
          Array.from({ length: 9 }, (_, i) => `v${i}: *m${l}`).join(', ') +
          '}'
      ).join('\n') +
      '\n',
    message: /expands to more than \d+ values through aliases/,
    // m0 has 601 values, m1 ten times that; m2, ten copies of m1, passes 50 000.
    line: 4
  },
  {
    name: 'YAML: an alias inside its own anchor (a cycle)',
    file: 'td.yaml',
    text: 'family: web\nloop: &loop [1, *loop]\n',
    message: new RegExp(`nests more than ${depth} levels .*through alias "\\*loop"`),
    line: 2,
    column: 17
  },
  {
    name: 'YAML: aliases in a list as a map key (not expanded, refused)',
    file: 'td.yaml',
    text: aliasBomb(4, 9) + '? [' + Array(9).fill('*a3').join(', ') + ']\n: x\n',
    message: /A key must be a plain string, not a list, a map or an alias/,
    line: 10,
    column: 3
  },
  {
    name: 'YAML: an alias as a map key',
    file: 'td.yaml',
    text: 'family: &f web\n*f : x\n',
    message: /A key must be a plain string/,
    line: 2,
    column: 1
  },
  {
    name: 'a file past the size limit',
    file: 'td.json',
    text: `{"family": "web", "containerDefinitions": [${container}], "pad": "${'x'.repeat(READER_LIMITS.size)}"}`,
    message: /The file is 1\.0 MiB \(\d+ bytes\); a task definition file may be at most 1 MiB/,
    line: 1,
    column: 1
  },
  {
    name: 'a YAML file past the size limit in multi-byte characters',
    file: 'td.yaml',
    text: 'family: web\n# ' + 'é'.repeat(READER_LIMITS.size / 2) + '\n',
    message: /The file is 1\.0 MiB .*at most 1 MiB/,
    line: 1
  }
]

function parseError(text: string, file: string): DeployError {
  try {
    parseTaskDefinition(text, file)
  } catch (error) {
    if (error instanceof DeployError) return error
    throw error
  }
  throw new Error('parsed without an error')
}

describe('hostile task definition files', () => {
  test.each(cases)('$name', ({ file, text, message, line, column }) => {
    const error = parseError(text, file)
    expect(error.message).toMatch(message)
    expect(error.line).toBe(line)
    if (column !== undefined) expect(error.column).toBe(column)
    expect(error.message.startsWith(`${file}:${line}:${error.column}: `)).toBe(true)
    expect(error.message).not.toMatch(/call stack|RangeError|Map maximum/i)
    // One clear line, not the whole document quoted back.
    expect(error.message.length).toBeLessThan(300)
  })
})

describe('what stays accepted', () => {
  const deepButFine = (levels: number): string =>
    `{"family": "web", "containerDefinitions": [${container}], "tags": ${flowIn(levels, '[', ']', '{"key": "a", "value": "b"}')}}`

  test.each([
    ['JSON nesting exactly at the limit', 'td.json', deepButFine(depth - 2)],
    [
      'YAML anchors and merge keys of a normal size',
      'td.yaml',
      'x-defaults: &defaults\n  memory: 128\n  essential: true\n' +
        'family: web\ncontainerDefinitions:\n' +
        Array.from({ length: 10 }, (_, i) => `  - <<: *defaults\n    name: c${i}\n    image: nginx\n`).join(
          ''
        )
    ],
    [
      'a 900 KiB JSON file (under the size limit)',
      'td.json',
      `{"family": "web", "containerDefinitions": [${container}], "x-pad": "${'x'.repeat(900 * 1024)}"}`
    ]
  ])('%s', (_name, file, text) => {
    // Unknown keys only warn; nothing here is a hostile-input error.
    let error: unknown
    try {
      parseTaskDefinition(text, file)
    } catch (e) {
      error = e
    }
    if (error) expect((error as Error).message).not.toMatch(/nests more than|alias bomb|MiB/)
  })

  test('ten containers sharing anchors parse with every container', () => {
    const text =
      'x-log: &log\n  logDriver: awslogs\n  options: {awslogs-group: g, awslogs-region: eu-west-1}\n' +
      'family: web\ncontainerDefinitions:\n' +
      Array.from(
        { length: 10 },
        (_, i) => `  - name: c${i}\n    image: nginx\n    memory: 128\n    logConfiguration: *log\n`
      ).join('')
    const loaded = parseTaskDefinition(text, 'td.yaml')
    expect(loaded.input.containerDefinitions?.map(c => c.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `c${i}`)
    )
    expect(loaded.input.containerDefinitions?.[9].logConfiguration?.options).toEqual({
      'awslogs-group': 'g',
      'awslogs-region': 'eu-west-1'
    })
  })
})

describe('the YAML nesting pre-scan', () => {
  test.each([
    ['block maps', 'a:\n  b:\n    c: 1\n  d: 2\n', 3],
    ['compact list entries', '- - - x\n', 4],
    ['flow brackets', 'a: [[1], {b: [2]}]\n', 4],
    ['brackets inside quotes and comments do not count', 'a: "[[[[" # [[[[\nb: \'{{{\'\n', 1],
    ['an escaped quote in a double-quoted string', 'a: "x\\" [[[["\n', 1]
  ])('%s', (_name, text, levels) => {
    expect(yamlNestingPastLimit(text, levels)).toBe(-1)
    expect(yamlNestingPastLimit(text, levels - 1)).toBeGreaterThanOrEqual(0)
  })

  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
  const corpusDir = path.resolve(repoRoot, '../shared/corpus/task-definitions')
  const corpus = fs.existsSync(corpusDir) ? fs.readdirSync(corpusDir).filter(f => f !== 'SOURCES.md') : []
  const corpusTest = corpus.length > 0 ? test : test.skip
  corpusTest(
    'the real-world corpus (../shared/corpus, absent in a clone) stays far under every limit',
    () => {
      for (const f of corpus) {
        const text = fs.readFileSync(path.join(corpusDir, f), 'utf8')
        expect(Buffer.byteLength(text)).toBeLessThan(READER_LIMITS.size / 16)
        expect(yamlNestingPastLimit(text, 16)).toBe(-1)
      }
    }
  )
})

describe('from a file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-limits-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  test.each([
    [
      'bomb.yaml',
      aliasBomb(9, 9),
      /bomb\.yaml:10:\d+: The document expands to more than \d+ values through aliases/
    ],
    [
      'deep.json',
      flowIn(100_000, '[', ']'),
      new RegExp(`deep\\.json:1:${depth + 1}: The document nests more than`)
    ]
  ])('%s', async (name, text, message) => {
    fs.writeFileSync(path.join(dir, name), text)
    await expect(loadTaskDefinitionFile(name, dir)).rejects.toThrow(message)
  })
})

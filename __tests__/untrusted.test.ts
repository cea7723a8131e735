/**
 * The gate for outside text (src/untrusted.ts), read back the way the runner reads stdout
 * (scripts/run-action.ts runnerCommands), and a check that every printer in src/ goes through it.
 */
import { describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { runnerCommands, repoRoot } from '../scripts/run-action.js'
import {
  CommandsStopped,
  INERT_PREFIX,
  inert,
  inertLine,
  isCommandLike,
  newStopToken,
  splitLines
} from '../src/untrusted.js'

const P = INERT_PREFIX

/** Hostile lines: each is (or would be, after decoding) a runner command. */
const HOSTILE = [
  '::error::x',
  '::add-mask::y',
  '  ::add-mask::y',
  '\t::warning file=a,line=1::w',
  '::stop-commands::tok',
  '::ERROR::upper case',
  '::set-output name=a::b',
  '::save-state name=a::b',
  '::group::g',
  '::endgroup::',
  '::debug::d',
  '::notice title=t::n',
  '##[group]g',
  '##[error]e',
  'prefix ##[error]mid-line v1',
  '    | ##[warning]in a log tail',
  '\u00a0::error::nbsp',
  '\u2003::error::em space',
  '\u3000::error::ideographic space',
  '\u2028::error::line separator',
  '\u0085::error::next line',
  '\u000b\u000c::error::vt ff',
  '\ufeff::error::bom',
  '\u200b::error::zero width space',
  ':\u00ad:error::soft hyphen inside',
  '#\u200b#[error]zero width inside v1',
  ':\u034f:error::combining grapheme joiner inside',
  '#\ufe0f#[error]variation selector inside v1',
  'x #\u0000#[error]nul inside v1',
  '\x1b[31m::error::ansi colour',
  '%3A%3Aerror%3A%3Aencoded',
  '%3a%3aerror::lower-case escapes',
  '%253A%253Aerror::twice encoded',
  '%20%3A%3Aerror::encoded space',
  '%23%23%5Berror%5Dencoded v1',
  '\uff1a\uff1aerror::fullwidth colons'
]

describe('splitLines', () => {
  test.each([
    ['a', ['a']],
    ['a\nb', ['a', 'b']],
    ['a\r\nb', ['a', 'b']],
    ['a\rb', ['a', 'b']],
    ['a\r\rb', ['a', '', 'b']],
    ['a\n\rb', ['a', '', 'b']],
    ['a\n', ['a', '']],
    ['', ['']]
  ])('%j → %j', (text, lines) => {
    expect(splitLines(text)).toEqual(lines)
  })
})

describe('isCommandLike', () => {
  test.each(HOSTILE)('%j is command-like', line => {
    expect(isCommandLike(line)).toBe(true)
  })

  test.each([
    'app: starting',
    'a :: b',
    'time 12::30',
    '#1 [internal] load build definition',
    '# [not v1]',
    '#[x]',
    '» ::error::already inert',
    '%3A only one',
    'x%3A%3Aerror not at the start',
    ''
  ])('%j is not', line => {
    expect(isCommandLike(line)).toBe(false)
  })
})

describe('inert', () => {
  test.each([
    ['::error::x', `${P}::error::x`],
    ['  ::add-mask::y', `${P}  ::add-mask::y`],
    ['z\r::warning::w', `z\n${P}::warning::w`],
    ['a\r\n::stop-commands::tok', `a\n${P}::stop-commands::tok`],
    ['%3A%3Aerror', `${P}%3A%3Aerror`],
    ['##[group]', '## [group]'],
    ['x ##[error]y', 'x ## [error]y'],
    ['    | cr\r::error::cr-injected', `    | cr\n${P}::error::cr-injected`],
    ['\u00a0::error::x', `${P}\u00a0::error::x`],
    ['#\u200b#[error]x', '## [error]x'],
    ['plain text', 'plain text'],
    ['two\nplain lines', 'two\nplain lines'],
    ['', '']
  ])('%j → %j', (text, expected) => {
    expect(inert(text)).toBe(expected)
  })

  test.each(HOSTILE)('%j: no command survives, the text is still there', line => {
    for (const text of [line, `before\n${line}`, `before\r${line}`, `before\r\n${line}\r\nafter`]) {
      const out = inert(text)
      expect(runnerCommands(`${out}\n`)).toEqual([])
      expect(splitLines(out).every(l => !isCommandLike(l))).toBe(true)
      // Readable: the words are all still there.
      expect(out.replace(/## \[/g, '##[')).toContain(line.replace(/\p{Cf}/gu, '').slice(-6))
    }
  })

  test('inertLine leaves an inert line alone (idempotent)', () => {
    for (const line of HOSTILE) expect(inertLine(inertLine(line))).toBe(inertLine(line))
  })
})

/** Runs chunks through a CommandsStopped stream with a fixed token; returns what was written. */
function stream(chunks: string[], token = 'f'.repeat(32)): { out: string; writes: string[] } {
  const writes: string[] = []
  const s = new CommandsStopped(t => writes.push(t), token)
  for (const c of chunks) s.push(c)
  s.close()
  return { out: writes.join(''), writes }
}

const TOKEN = 'f'.repeat(32)
const OPEN = `::stop-commands::${TOKEN}\n`
const CLOSE = `::${TOKEN}::\n`

describe('CommandsStopped', () => {
  test.each([
    { chunks: ['#1 building\n'], out: `${OPEN}#1 building\n${CLOSE}` },
    { chunks: ['no newline at the end'], out: `${OPEN}no newline at the end\n${CLOSE}` },
    { chunks: ['progress\r'], out: `${OPEN}progress\r\n${CLOSE}` },
    { chunks: ['a\r', '\nb\n'], out: `${OPEN}a\r\nb\n${CLOSE}` },
    { chunks: ['::err', 'or::x\n'], out: `${OPEN}::error::x\n${CLOSE}` },
    {
      chunks: ['z\r::warning::w\n', '::add-mask::y'],
      out: `${OPEN}z\r::warning::w\n::add-mask::y\n${CLOSE}`
    },
    { chunks: ['', ''], out: '' },
    { chunks: [], out: '' }
  ])('case %# → verbatim inside the block', ({ chunks, out }) => {
    expect(stream(chunks).out).toBe(out)
  })

  test('only the stop and the resume reach the runner, however the chunks split the text', () => {
    const text = [
      '::error::x',
      '::add-mask::y',
      'z\r::warning::w',
      '::stop-commands::tok',
      '##[group]g'
    ].join('\n')
    for (let i = 0; i <= text.length; i++) {
      for (const tail of ['', '\n', '\r', '\r\n']) {
        const { out } = stream([text.slice(0, i), text.slice(i) + tail])
        expect(runnerCommands(`${out}::error::ours\n`).map(c => c.command)).toEqual([
          'stop-commands',
          TOKEN,
          'error'
        ])
        expect(out).toContain('z\r::warning::w')
      }
    }
  })

  test('complete lines are written at once, a partial line when it ends', () => {
    const { writes } = stream(['a\nb', 'c\nd'])
    expect(writes).toEqual([OPEN, 'a\n', 'bc\n', 'd', '\n', CLOSE])
  })

  test.each([
    ['in one chunk', [`::${TOKEN}::\n::error::x\n`]],
    ['upper case', [`::${TOKEN.toUpperCase()}::\n::error::x\n`]],
    ['v1 form', [`x ##[${TOKEN}]\n::error::x\n`]],
    [
      'split over chunks',
      [`::${TOKEN.slice(0, 10)}`, `${TOKEN.slice(10, 20)}`, `${TOKEN.slice(20)}::\n::error::x\n`]
    ]
  ])('the token in the stream is masked (%s): the block cannot be ended from inside', (_, chunks) => {
    const { out } = stream(chunks)
    expect(out.match(new RegExp(TOKEN, 'gi'))).toHaveLength(2) // our open and close only
    expect(runnerCommands(out).map(c => c.command)).toEqual(['stop-commands', TOKEN])
  })

  test('a partial line over 64 KiB is written without waiting, the token still masked across the cut', () => {
    const writes: string[] = []
    const s = new CommandsStopped(t => writes.push(t), TOKEN)
    const long = 'x'.repeat(70 * 1024)
    s.push(long + TOKEN.slice(0, 5))
    expect(writes.join('').length).toBeGreaterThan(64 * 1024)
    s.push(`${TOKEN.slice(5)}]\n`)
    s.close()
    expect(writes.join('').match(new RegExp(TOKEN, 'g'))).toHaveLength(2)
  })

  test('close is idempotent; nothing written → no block', () => {
    const writes: string[] = []
    const s = new CommandsStopped(t => writes.push(t), TOKEN)
    s.close()
    expect(writes).toEqual([])
    s.push('a\n')
    s.close()
    s.close()
    expect(writes.join('')).toBe(`${OPEN}a\n${CLOSE}`)
  })

  test('a fresh random token by default; a weak one is refused', () => {
    const a = newStopToken()
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(newStopToken()).not.toBe(a)
    const writes: string[] = []
    const s = new CommandsStopped(t => writes.push(t))
    s.push('x\n')
    s.close()
    expect(writes[0]).toBe(`::stop-commands::${s.token}\n`)
    expect(s.token).toMatch(/^[0-9a-f]{32}$/)
    expect(() => new CommandsStopped(() => undefined, 'tok')).toThrow(/token/)
  })
})

describe('runnerCommands (the runner view the integration tests use)', () => {
  test.each([
    ['::error::x', [{ command: 'error', form: 'v2', data: 'x' }]],
    ['  ::add-mask::y', [{ command: 'add-mask', form: 'v2', data: 'y' }]],
    ['z\r::warning::w', [{ command: 'warning', form: 'v2', data: 'w' }]],
    ['a ##[error]b%0Ac', [{ command: 'error', form: 'v1', data: 'b\nc' }]],
    ['::error title=t%3A::m%25', [{ command: 'error', form: 'v2', data: 'm%' }]],
    ['::stop-commands::tok\n::error::hidden\n::tok::\n::error::seen', ['stop-commands', 'tok', 'error']],
    ['::stop-commands::tok\n::error::hidden', ['stop-commands']],
    ['not :: a command\n::incomplete', []]
  ])('%j', (output, expected) => {
    const found = runnerCommands(output)
    if (typeof expected[0] === 'string') expect(found.map(c => c.command)).toEqual(expected)
    else expect(found).toMatchObject(expected as object[])
  })
})

/**
 * Every printer in src/ goes through the gate. A call of core.info, core.debug, process.stdout.write,
 * process.stderr.write or console.* must have, as its first argument, either a string literal without
 * substitutions or a call of a function imported from './untrusted.js' (inert, inertLine…); handing a
 * printer over as a value (`lines.forEach(core.info)`) is refused too. Only src/untrusted.ts itself may
 * write to stdout. To satisfy it: `core.info(inert(\`Image: ${image}\`))`.
 */
describe('every printer in src/ goes through the gate', () => {
  const PRINTERS = new Set([
    'core.info',
    'core.debug',
    'process.stdout.write',
    'process.stderr.write',
    'console.log',
    'console.info',
    'console.warn',
    'console.error',
    'console.debug'
  ])
  const srcDir = path.join(repoRoot, 'src')
  const files = fs.readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.ts'))

  /** Names this file imports from the gate: `import { inert } …` or `import * as gate …`. */
  function gateNames(sf: ts.SourceFile): { names: Set<string>; namespaces: Set<string> } {
    const names = new Set<string>()
    const namespaces = new Set<string>()
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue
      if (!/^\.{1,2}\/(.*\/)?untrusted\.js$/.test(st.moduleSpecifier.text)) continue
      const bindings = st.importClause?.namedBindings
      if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) names.add(el.name.text)
      if (bindings && ts.isNamespaceImport(bindings)) namespaces.add(bindings.name.text)
    }
    return { names, namespaces }
  }

  function violations(file: string, text: string): string[] {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
    const gate = gateNames(sf)
    const gated = (arg: ts.Expression): boolean => {
      if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) return true
      if (!ts.isCallExpression(arg)) return false
      const callee = arg.expression
      if (ts.isIdentifier(callee)) return gate.names.has(callee.text)
      return (
        ts.isPropertyAccessExpression(callee) &&
        ts.isIdentifier(callee.expression) &&
        gate.namespaces.has(callee.expression.text)
      )
    }
    const found: string[] = []
    const where = (node: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAccessExpression(node) && PRINTERS.has(node.getText().replace(/\s/g, ''))) {
        const parent = node.parent
        const called = ts.isCallExpression(parent) && parent.expression === node
        const allowed = called
          ? (file === 'untrusted.ts' && node.getText() === 'process.stdout.write') ||
            (parent.arguments.length > 0 && gated(parent.arguments[0]))
          : false
        if (!allowed) found.push(`${where(node)}: ${(called ? parent : node).getText().slice(0, 100)}`)
      }
      ts.forEachChild(node, visit)
    }
    visit(sf)
    return found
  }

  test('src/ has printers, and none of them prints outside text raw', () => {
    expect(files.length).toBeGreaterThan(10)
    const all = files.flatMap(f => violations(f, fs.readFileSync(path.join(srcDir, f), 'utf8')))
    expect(all).toEqual([])
  })

  test.each([
    ['core.info(`Image: ${image}`)', 1],
    ['core.info(message)', 1],
    ['core.debug(error.stack)', 1],
    ['lines.forEach(core.info)', 1],
    ['process.stdout.write(chunk)', 1],
    ['console.log("x", y)', 0],
    ["core.info('Removed the temporary Docker credentials.')", 0],
    ["import { inert } from './untrusted.js'\ncore.info(inert(`Image: ${image}`))", 0],
    ["import * as gate from './untrusted.js'\ncore.info(gate.inert(x))", 0],
    ["import { inert } from './other.js'\ncore.info(inert(x))", 1],
    ['core.info(somethingElse(x))', 1],
    ['core.warning(`annotations are escaped by @actions/core: ${x}`)', 0]
  ])('the check itself: %j → %i finding(s)', (code, count) => {
    expect(violations('example.ts', code)).toHaveLength(count)
  })
})

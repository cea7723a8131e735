/**
 * Reading YAML with the position of every member and item, from the yaml library's AST: one document,
 * merge keys, aliases counted against a budget (an alias bomb fails fast), nesting limited before the
 * library (which recurses) ever sees the text.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Alias,
  type Document,
  type Node
} from 'yaml'
import { boundMessage, quote } from '../untrusted.js'
import {
  lineIndex,
  pathKey,
  READER_LIMITS,
  SyntaxProblem,
  tooDeep,
  type Path,
  type Position,
  type SourceTree
} from './source.js'

/**
 * Where a YAML text nests deeper than `limit`, roughly (block indentation, "- " entries on one line and flow
 * brackets outside quotes and comments; block scalars may count too, so it errs on the high side), or -1.
 * Linear and without recursion, so it runs before the yaml library, which recurses.
 */
export function yamlNestingPastLimit(text: string, limit: number): number {
  const n = text.length
  const indents: number[] = []
  let flow = 0
  let i = 0
  const skipQuoted = (start: number): number => {
    const quote = text[start]
    let j = start + 1
    while (j < n) {
      const c = text[j]
      if (quote === '"' && c === '\\') j += 2
      else if (c === quote) {
        if (quote === "'" && text[j + 1] === "'") j += 2
        else return j + 1
      } else j++
    }
    return n
  }
  while (i < n) {
    let col = 0
    while (text.charCodeAt(i) === 32) {
      i++
      col++
    }
    let c = text[i]
    if (flow === 0 && i < n && c !== '\n' && c !== '\r' && c !== '#') {
      while (indents.length > 0 && indents[indents.length - 1] >= col) indents.pop()
      indents.push(col)
      // Compact entries: "- - - x" or "- ? x" open a level each.
      while ((c === '-' || c === '?' || c === ':') && text[i + 1] === ' ') {
        i++
        col++
        while (text.charCodeAt(i) === 32) {
          i++
          col++
        }
        indents.push(col)
        c = text[i]
      }
      if (indents.length > limit) return i
    }
    while (i < n && text[i] !== '\n') {
      c = text[i]
      const before = i === 0 ? ' ' : text[i - 1]
      if ((c === '"' || c === "'") && ' \t\n[{,:-?'.includes(before)) {
        i = skipQuoted(i)
        continue
      }
      if (c === '#' && (before === ' ' || before === '\t' || before === '\n')) {
        while (i < n && text[i] !== '\n') i++
        break
      }
      if (c === '[' || c === '{') {
        flow++
        if (indents.length + flow > limit) return i
      } else if ((c === ']' || c === '}') && flow > 0) flow--
      i++
    }
    i++ // the newline
  }
  return -1
}

export function readYaml(text: string): SourceTree {
  const lineCounter = new LineCounter()
  const lines = lineIndex(text)
  const deep = yamlNestingPastLimit(text, READER_LIMITS.yamlScanDepth)
  if (deep >= 0) throw new SyntaxProblem(tooDeep(READER_LIMITS.yamlScanDepth), lines(deep))
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true })
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset)
    // linePos reports line 0 when the text has no newline at all.
    return line === 0 ? { line: 1, column: offset + 1 } : { line, column: col }
  }
  const error = doc.errors[0]
  if (error) {
    const message =
      error.code === 'MULTIPLE_DOCS'
        ? 'The file holds more than one YAML document (---); a task definition file holds exactly one'
        : /call stack/i.test(error.message)
          ? tooDeep(READER_LIMITS.yamlScanDepth)
          : boundMessage(error.message.split('\n')[0])
    // yaml points some errors at the start of the line; point at the text instead.
    let offset = error.pos[0]
    while (text[offset] === ' ') offset++
    throw new SyntaxProblem(message, at(offset))
  }
  const tree: SourceTree = { value: undefined, positions: new Map(), raw: new Map(), warnings: [] }
  for (const w of doc.warnings)
    tree.warnings.push({ message: boundMessage(w.message.split('\n')[0]), position: at(w.pos[0]) })
  if (!doc.contents) throw new SyntaxProblem('The file is empty', { line: 1, column: 1 })
  tree.positions.set(pathKey([]), at(doc.contents.range[0]))
  tree.value = yamlValue(doc, doc.contents, [], tree, at, 0, { values: 0 })
  return tree
}

/** Values produced through aliases so far, the outermost alias being expanded, and resolved aliases. */
interface AliasBudget {
  values: number
  alias?: { name: string; position: Position }
  /** Alias.resolve searches the whole document on each call; an alias bomb calls it very often. */
  targets?: Map<Alias, Node | undefined>
}

function yamlValue(
  doc: Document,
  node: unknown,
  path: Path,
  tree: SourceTree,
  at: (offset: number) => Position,
  depth: number,
  budget: AliasBudget
): unknown {
  if (depth > READER_LIMITS.depth) {
    throw new SyntaxProblem(
      tooDeep(READER_LIMITS.depth) +
        (budget.alias ? ` (through alias ${quote(`*${budget.alias.name}`)})` : ''),
      budget.alias?.position ?? tree.positions.get(pathKey(path)) ?? at(0)
    )
  }
  if (budget.alias && ++budget.values > READER_LIMITS.aliasValues) {
    throw new SyntaxProblem(
      `The document expands to more than ${READER_LIMITS.aliasValues} values through aliases (a YAML alias ` +
        `bomb?), passing the limit in ${quote(`*${budget.alias.name}`)}; the 64 KiB of JSON ECS takes hold fewer than 33 000`,
      budget.alias.position
    )
  }
  if (node === null || node === undefined) return null
  if (isAlias(node)) {
    budget.targets ??= new Map()
    if (!budget.targets.has(node)) budget.targets.set(node, node.resolve(doc))
    const target = budget.targets.get(node)
    const position = at(node.range?.[0] ?? 0)
    if (!target) throw new SyntaxProblem(`Unknown alias ${quote(`*${node.source}`)}`, position)
    if (budget.alias) return yamlValue(doc, target, path, tree, at, depth + 1, budget)
    budget.alias = { name: node.source, position }
    try {
      return yamlValue(doc, target, path, tree, at, depth + 1, budget)
    } finally {
      budget.alias = undefined
    }
  }
  if (isScalar(node)) {
    const value = node.value
    if ((typeof value === 'number' || typeof value === 'boolean') && node.source !== undefined) {
      if (node.type === 'PLAIN') tree.raw.set(pathKey(path), node.source)
    }
    return typeof value === 'bigint' ? Number(value) : value
  }
  if (isSeq(node)) {
    return node.items.map((item, index) => {
      const itemPath = [...path, index]
      const start = (item as Node | null)?.range?.[0]
      if (start !== undefined) tree.positions.set(pathKey(itemPath), at(start))
      return yamlValue(doc, item, itemPath, tree, at, depth + 1, budget)
    })
  }
  if (isMap(node)) {
    const result: Record<string, unknown> = {}
    const set = (key: string, value: unknown): void => {
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true })
    }
    const pairs = node.items.filter(isPair)
    const isMerge = (key: unknown): boolean => isScalar(key) && typeof key.value === 'symbol'
    // Merge keys (<<: *defaults) first, so the map's own keys win over merged ones; earlier sources win.
    for (const pair of pairs.filter(p => isMerge(p.key)).reverse()) {
      // An alias of a map stays an alias here, so its expansion counts against the budget.
      const source: unknown = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value
      const sources = isSeq(source) ? [...source.items].reverse() : [pair.value]
      for (const s of sources) {
        const merged = yamlValue(doc, s, path, tree, at, depth + 1, budget)
        if (merged && typeof merged === 'object' && !Array.isArray(merged)) {
          for (const [k, v] of Object.entries(merged)) set(k, v)
        } else {
          throw new SyntaxProblem(
            'A merge key (<<) needs a map or a list of maps',
            at(pair.key ? (pair.key as Node).range![0] : 0)
          )
        }
      }
    }
    for (const pair of pairs) {
      if (isMerge(pair.key)) continue
      const keyNode = pair.key as Node | null
      if (keyNode && !isScalar(keyNode)) {
        // "? [a, b]: x" or an alias as a key: no task definition field is named by a list or a map.
        throw new SyntaxProblem(
          'A key must be a plain string, not a list, a map or an alias',
          at(keyNode.range?.[0] ?? 0)
        )
      }
      const key = isScalar(keyNode) ? String(keyNode.value ?? '') : ''
      const memberPath = [...path, key]
      if (keyNode?.range) tree.positions.set(pathKey(memberPath), at(keyNode.range[0]))
      set(key, yamlValue(doc, pair.value, memberPath, tree, at, depth + 1, budget))
    }
    return result
  }
  return null
}

/**
 * The task definition: load it (JSON, YAML, or `aws ecs describe-task-definition` output) with line numbers
 * for everything in it, check it against what RegisterTaskDefinition accepts, and render it (pure).
 *
 * The AWS SDK v3 silently drops keys it does not know, so a typo like `healthcheck` would vanish without a
 * trace. Every object we know the shape of is checked against the member lists of the installed SDK
 * (@aws-sdk/client-ecs 3.1164, dist-types/models/models_0.d.ts and models_1.d.ts); unknown keys are
 * reported with their position and a "did you mean", and left out of the input.
 */
import { readFile } from 'node:fs/promises'
import nodePath from 'node:path'
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
import type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition
} from '@aws-sdk/client-ecs'
import { DeployError, errorMessage } from './errors.js'
import {
  applyDrops,
  checkRegisterInput,
  dropPath,
  formatRulePath,
  registerRule,
  type Violation
} from './register-rules.js'
import { boundMessage, defang, quote } from './untrusted.js'
import { resolveInWorkspace } from './workspace.js'

export interface SourceWarning {
  message: string
  file?: string
  line?: number
  column?: number
}

export interface LoadedTaskDefinition {
  /** What RegisterTaskDefinition gets: read-only describe keys stripped, nulls removed. */
  input: RegisterTaskDefinitionCommandInput
  /** Tags found in describe output (`tags` beside `taskDefinition`), if any (never an empty list). */
  tags?: Tag[]
  /** Where it came from: a file path (as the user gave it) or a description like 'service web (current task definition)'. */
  source: string
  file?: string
  warnings: SourceWarning[]
  /**
   * What was changed so that ECS takes it (e.g. an empty `tags` list left out), one notice each, with the
   * position of what was left out.
   */
  notices: SourceWarning[]
  /**
   * Line/column of a path of `input` in the file, e.g. ['containerDefinitions', 1, 'image'], when known.
   * Object members point at their key, list items at the item. Paths are those of `input`: for a file with
   * the `{"taskDefinition": ...}` wrapper they still start at `containerDefinitions`.
   */
  locate(path: Array<string | number>): { line: number; column: number } | undefined
}

type Path = Array<string | number>
interface Position {
  line: number
  column: number
}

// ---------------------------------------------------------------------------------------------------------
// The shapes RegisterTaskDefinition accepts (member lists copied from the installed SDK's type definitions).
// ---------------------------------------------------------------------------------------------------------

type Shape = 'string' | 'integer' | 'boolean' | 'stringMap' | 'any' | ListShape | ObjectShape
interface ListShape {
  kind: 'list'
  of: Shape
}
interface ObjectShape {
  kind: 'object'
  name: string
  fields: Record<string, Shape>
}
const list = (of: Shape): ListShape => ({ kind: 'list', of })
const object = (name: string, fields: Record<string, Shape>): ObjectShape => ({
  kind: 'object',
  name,
  fields
})

const KEY_VALUE = object('KeyValuePair', { name: 'string', value: 'string' })
const SECRET = object('Secret', { name: 'string', valueFrom: 'string' })
const TAG = object('Tag', { key: 'string', value: 'string' })

const HEALTH_CHECK = object('HealthCheck', {
  command: list('string'),
  interval: 'integer',
  timeout: 'integer',
  retries: 'integer',
  startPeriod: 'integer'
})
const LOG_CONFIGURATION = object('LogConfiguration', {
  logDriver: 'string',
  options: 'stringMap',
  secretOptions: list(SECRET)
})
const PORT_MAPPING = object('PortMapping', {
  containerPort: 'integer',
  hostPort: 'integer',
  protocol: 'string',
  name: 'string',
  appProtocol: 'string',
  containerPortRange: 'string'
})
const LINUX_PARAMETERS = object('LinuxParameters', {
  capabilities: object('KernelCapabilities', { add: list('string'), drop: list('string') }),
  devices: list(
    object('Device', { hostPath: 'string', containerPath: 'string', permissions: list('string') })
  ),
  initProcessEnabled: 'boolean',
  sharedMemorySize: 'integer',
  tmpfs: list(object('Tmpfs', { containerPath: 'string', size: 'integer', mountOptions: list('string') })),
  maxSwap: 'integer',
  swappiness: 'integer'
})

const CONTAINER_DEFINITION = object('ContainerDefinition', {
  name: 'string',
  image: 'string',
  repositoryCredentials: object('RepositoryCredentials', { credentialsParameter: 'string' }),
  cpu: 'integer',
  memory: 'integer',
  memoryReservation: 'integer',
  links: list('string'),
  portMappings: list(PORT_MAPPING),
  essential: 'boolean',
  restartPolicy: object('ContainerRestartPolicy', {
    enabled: 'boolean',
    ignoredExitCodes: list('integer'),
    restartAttemptPeriod: 'integer'
  }),
  entryPoint: list('string'),
  command: list('string'),
  environment: list(KEY_VALUE),
  environmentFiles: list(object('EnvironmentFile', { value: 'string', type: 'string' })),
  mountPoints: list(
    object('MountPoint', { sourceVolume: 'string', containerPath: 'string', readOnly: 'boolean' })
  ),
  volumesFrom: list(object('VolumeFrom', { sourceContainer: 'string', readOnly: 'boolean' })),
  linuxParameters: LINUX_PARAMETERS,
  secrets: list(SECRET),
  dependsOn: list(object('ContainerDependency', { containerName: 'string', condition: 'string' })),
  startTimeout: 'integer',
  stopTimeout: 'integer',
  versionConsistency: 'string',
  hostname: 'string',
  user: 'string',
  workingDirectory: 'string',
  disableNetworking: 'boolean',
  privileged: 'boolean',
  readonlyRootFilesystem: 'boolean',
  dnsServers: list('string'),
  dnsSearchDomains: list('string'),
  extraHosts: list(object('HostEntry', { hostname: 'string', ipAddress: 'string' })),
  dockerSecurityOptions: list('string'),
  interactive: 'boolean',
  pseudoTerminal: 'boolean',
  dockerLabels: 'stringMap',
  ulimits: list(object('Ulimit', { name: 'string', softLimit: 'integer', hardLimit: 'integer' })),
  logConfiguration: LOG_CONFIGURATION,
  healthCheck: HEALTH_CHECK,
  systemControls: list(object('SystemControl', { namespace: 'string', value: 'string' })),
  resourceRequirements: list(
    object('ResourceRequirement', { value: 'string', type: 'string', sharingStrategy: 'string' })
  ),
  firelensConfiguration: object('FirelensConfiguration', { type: 'string', options: 'stringMap' }),
  credentialSpecs: list('string')
})

const VOLUME = object('Volume', {
  name: 'string',
  host: object('HostVolumeProperties', { sourcePath: 'string' }),
  dockerVolumeConfiguration: object('DockerVolumeConfiguration', {
    scope: 'string',
    autoprovision: 'boolean',
    driver: 'string',
    driverOpts: 'stringMap',
    labels: 'stringMap'
  }),
  efsVolumeConfiguration: object('EFSVolumeConfiguration', {
    fileSystemId: 'string',
    rootDirectory: 'string',
    transitEncryption: 'string',
    transitEncryptionPort: 'integer',
    authorizationConfig: object('EFSAuthorizationConfig', { accessPointId: 'string', iam: 'string' })
  }),
  s3filesVolumeConfiguration: object('S3FilesVolumeConfiguration', {
    fileSystemArn: 'string',
    rootDirectory: 'string',
    transitEncryptionPort: 'integer',
    accessPointArn: 'string'
  }),
  fsxWindowsFileServerVolumeConfiguration: object('FSxWindowsFileServerVolumeConfiguration', {
    fileSystemId: 'string',
    rootDirectory: 'string',
    authorizationConfig: object('FSxWindowsFileServerAuthorizationConfig', {
      credentialsParameter: 'string',
      domain: 'string'
    })
  }),
  configuredAtLaunch: 'boolean'
})

const REGISTER_TASK_DEFINITION = object('RegisterTaskDefinitionRequest', {
  family: 'string',
  taskRoleArn: 'string',
  executionRoleArn: 'string',
  networkMode: 'string',
  containerDefinitions: list(CONTAINER_DEFINITION),
  volumes: list(VOLUME),
  placementConstraints: list(
    object('TaskDefinitionPlacementConstraint', { type: 'string', expression: 'string' })
  ),
  requiresCompatibilities: list('string'),
  cpu: 'string',
  memory: 'string',
  tags: list(TAG),
  pidMode: 'string',
  ipcMode: 'string',
  proxyConfiguration: object('ProxyConfiguration', {
    type: 'string',
    containerName: 'string',
    properties: list(KEY_VALUE)
  }),
  inferenceAccelerators: list(object('InferenceAccelerator', { deviceName: 'string', deviceType: 'string' })),
  ephemeralStorage: object('EphemeralStorage', { sizeInGiB: 'integer' }),
  runtimePlatform: object('RuntimePlatform', { cpuArchitecture: 'string', operatingSystemFamily: 'string' }),
  enableFaultInjection: 'boolean'
})

/** Members of a described TaskDefinition that RegisterTaskDefinition does not take: dropped without a word. */
const READ_ONLY_KEYS = new Set([
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt'
])

/** Names people use for a key that ECS spells differently (lower case → ECS name). */
const ALIASES: Record<string, string> = {
  portbindings: 'portMappings',
  ports: 'portMappings',
  env: 'environment',
  environmentvariables: 'environment',
  envfiles: 'environmentFiles',
  volumemounts: 'mountPoints',
  mounts: 'mountPoints',
  workdir: 'workingDirectory',
  workingdir: 'workingDirectory',
  labels: 'dockerLabels',
  logging: 'logConfiguration',
  depends_on: 'dependsOn',
  dependencies: 'dependsOn',
  taskrole: 'taskRoleArn',
  executionrole: 'executionRoleArn'
}

// ---------------------------------------------------------------------------------------------------------
// Parsing: a value plus the position of every member and item, for JSON (own parser) and YAML (yaml's AST).
// ---------------------------------------------------------------------------------------------------------

interface SourceTree {
  value: unknown
  /** Position of each path (JSON-encoded): the key of a member, the start of a list item. */
  positions: Map<string, Position>
  /** The source text of numbers and booleans, so a number where ECS wants a string keeps its spelling. */
  raw: Map<string, string>
  warnings: Array<{ message: string; position?: Position }>
}

class SyntaxProblem extends Error {
  constructor(
    message: string,
    readonly position: Position
  ) {
    super(message)
  }
}

const pathKey = (path: Path): string => JSON.stringify(path)

/** 1-based line and column of offsets in a text. */
function lineIndex(text: string): (offset: number) => Position {
  const starts = [0]
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1)
  return offset => {
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid] <= offset) lo = mid
      else hi = mid - 1
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 }
  }
}

/**
 * Limits of the readers, far above any real task definition, so hostile files fail fast with one clear
 * error instead of hanging or overflowing the stack. RegisterTaskDefinition takes at most 64 KiB of JSON;
 * the file may hold comments, indentation and a wrapper, hence the margin.
 */
export const READER_LIMITS = {
  /** Bytes of the file. */
  size: 1024 * 1024,
  /** Nesting of objects and lists; an ECS task definition nests less than 10 levels. */
  depth: 64,
  /**
   * Values produced through YAML aliases (each item, member and scalar of an expanded alias counts). 64 KiB
   * of JSON holds at most 32 768 values (each takes 2 bytes or more: `1,`); the largest definition of the
   * corpus has ~160 values in all, a 10-container one with every field a few thousand.
   */
  aliasValues: 50_000,
  /**
   * Rough nesting the YAML pre-scan allows before the yaml library parses (it recurses, and overflows the
   * stack near 800 levels while slowing down sharply); the walker then applies `depth` exactly.
   */
  yamlScanDepth: 256
}

const tooDeep = (limit: number): string =>
  `The document nests more than ${limit} levels of objects and lists here; a task definition nests fewer than 10`

/** A strict JSON parser (RFC 8259) that remembers where every member and item is. */
class JsonReader {
  private i = 0
  private readonly at: (offset: number) => Position
  readonly tree: SourceTree = { value: undefined, positions: new Map(), raw: new Map(), warnings: [] }

  constructor(private readonly text: string) {
    this.at = lineIndex(text)
  }

  read(): SourceTree {
    this.skipSpace()
    if (this.i >= this.text.length) this.fail('The file is empty', this.i)
    this.tree.positions.set(pathKey([]), this.at(this.i))
    this.tree.value = this.value([])
    this.skipSpace()
    if (this.i < this.text.length) this.fail('Unexpected text after the end of the JSON value', this.i)
    return this.tree
  }

  private fail(message: string, offset: number): never {
    throw new SyntaxProblem(message, this.at(offset))
  }

  private skipSpace(): void {
    const t = this.text
    while (this.i < t.length) {
      const c = t[this.i]
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.i++
      else if (c === '/' && (t[this.i + 1] === '/' || t[this.i + 1] === '*')) {
        this.fail('Comments are not allowed in JSON', this.i)
      } else break
    }
  }

  private describe(offset: number): string {
    if (offset >= this.text.length) return 'the end of the file'
    const c = this.text[offset]
    return c === '\n' || c === '\r' ? 'the end of the line' : `'${defang(c)}'`
  }

  private depth = 0

  private value(path: Path): unknown {
    const t = this.text
    const c = t[this.i]
    if (c === '{' || c === '[') {
      if (this.depth >= READER_LIMITS.depth) this.fail(tooDeep(READER_LIMITS.depth), this.i)
      this.depth++
      const result = c === '{' ? this.object(path) : this.array(path)
      this.depth--
      return result
    }
    if (c === '"') return this.string()
    if (c === '-' || (c >= '0' && c <= '9')) return this.number(path)
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null]
    ] as const) {
      if (t.startsWith(word, this.i) && !/[0-9A-Za-z_]/.test(t[this.i + word.length] ?? '')) {
        this.i += word.length
        if (value !== null) this.tree.raw.set(pathKey(path), word)
        return value
      }
    }
    if (this.i >= t.length) this.fail('Unexpected end of file: a value is missing', this.i)
    if (c === "'") this.fail('Strings must use double quotes in JSON', this.i)
    if (c === '}' || c === ']' || c === ',')
      this.fail(`Expected a value, found ${this.describe(this.i)}`, this.i)
    this.fail(
      `Unexpected ${this.describe(this.i)}: expected a value (string in double quotes, number, object…)`,
      this.i
    )
  }

  private object(path: Path): Record<string, unknown> {
    const result: Record<string, unknown> = {}
    const seen = new Map<string, Position>()
    this.i++ // {
    this.skipSpace()
    if (this.text[this.i] === '}') {
      this.i++
      return result
    }
    for (;;) {
      this.skipSpace()
      const keyAt = this.i
      const c = this.text[keyAt]
      if (c !== '"') {
        if (c === '}') this.fail('Trailing comma after the last member of an object', this.lastComma)
        if (keyAt >= this.text.length) this.fail('Unexpected end of file inside an object: missing }', keyAt)
        if (c === "'") this.fail('Property names must use double quotes in JSON', keyAt)
        this.fail(`Expected a property name in double quotes, found ${this.describe(keyAt)}`, keyAt)
      }
      const key = this.string()
      const keyPosition = this.at(keyAt)
      const previous = seen.get(key)
      if (previous) {
        this.tree.warnings.push({
          message: `Duplicate key ${quote(key)} (also on line ${previous.line}); the last one wins`,
          position: keyPosition
        })
      }
      seen.set(key, keyPosition)
      this.skipSpace()
      if (this.text[this.i] !== ':')
        this.fail(`Expected ':' after ${quote(key)}, found ${this.describe(this.i)}`, this.i)
      this.i++
      this.skipSpace()
      const memberPath = [...path, key]
      this.tree.positions.set(pathKey(memberPath), keyPosition)
      const value = this.value(memberPath)
      // Like JSON.parse: a duplicate key's last value wins; defineProperty so "__proto__" is a plain key.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true })
      this.skipSpace()
      const next = this.text[this.i]
      if (next === ',') {
        this.lastComma = this.i
        this.i++
        continue
      }
      if (next === '}') {
        this.i++
        return result
      }
      if (this.i >= this.text.length) this.fail('Unexpected end of file inside an object: missing }', this.i)
      this.fail(
        `Expected ',' or '}' after the value of ${quote(key)}, found ${this.describe(this.i)}`,
        this.i
      )
    }
  }

  private lastComma = 0

  private array(path: Path): unknown[] {
    const result: unknown[] = []
    this.i++ // [
    this.skipSpace()
    if (this.text[this.i] === ']') {
      this.i++
      return result
    }
    for (;;) {
      this.skipSpace()
      if (this.text[this.i] === ']') this.fail('Trailing comma after the last item of a list', this.lastComma)
      const itemPath = [...path, result.length]
      this.tree.positions.set(pathKey(itemPath), this.at(this.i))
      result.push(this.value(itemPath))
      this.skipSpace()
      const next = this.text[this.i]
      if (next === ',') {
        this.lastComma = this.i
        this.i++
        continue
      }
      if (next === ']') {
        this.i++
        return result
      }
      if (this.i >= this.text.length) this.fail('Unexpected end of file inside a list: missing ]', this.i)
      this.fail(`Expected ',' or ']' after a list item, found ${this.describe(this.i)}`, this.i)
    }
  }

  private string(): string {
    const t = this.text
    const start = this.i
    this.i++ // "
    for (;;) {
      if (this.i >= t.length) this.fail('Unterminated string: missing closing "', start)
      const code = t.charCodeAt(this.i)
      if (code === 0x22) break
      if (code === 0x5c) {
        const e = t[this.i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 2, this.i + 6))) {
            this.fail('Invalid \\u escape in string: four hex digits expected', this.i)
          }
          this.i += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          this.i += 2
        } else {
          this.fail(`Invalid escape '\\${defang(e ?? '')}' in string`, this.i)
        }
        continue
      }
      if (code === 0x0a || code === 0x0d)
        this.fail('Unterminated string: missing closing " before the end of the line', start)
      if (code < 0x20) this.fail('Control character in string: write it as an escape like \\t', this.i)
      this.i++
    }
    this.i++ // closing "
    return JSON.parse(t.slice(start, this.i)) as string
  }

  private number(path: Path): number {
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
    match.lastIndex = this.i
    const m = match.exec(this.text)
    if (!m) this.fail(`Invalid number starting with ${this.describe(this.i)}`, this.i)
    const after = this.text[this.i + m[0].length]
    if (after !== undefined && /[0-9A-Za-z_.]/.test(after)) {
      this.fail(`Invalid number ${quote(`${m[0]}${after}…`, 40)}`, this.i)
    }
    this.i += m[0].length
    this.tree.raw.set(pathKey(path), m[0])
    return Number(m[0])
  }
}

function readJson(text: string): SourceTree {
  return new JsonReader(text).read()
}

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

function readYaml(text: string): SourceTree {
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

type Format = 'json' | 'yaml'

function readSource(text: string, file: string): { tree: SourceTree; format: Format } {
  const size = Buffer.byteLength(text, 'utf8')
  if (size > READER_LIMITS.size) {
    throw new SyntaxProblem(
      `The file is ${(size / 1024 / 1024).toFixed(1)} MiB (${size} bytes); a task definition file may be at most ` +
        `${READER_LIMITS.size / 1024 / 1024} MiB (ECS takes at most 64 KiB of task definition JSON)`,
      { line: 1, column: 1 }
    )
  }
  const ext = nodePath.extname(file).toLowerCase()
  if (ext === '.json') return { tree: readJson(text), format: 'json' }
  if (ext === '.yml' || ext === '.yaml') return { tree: readYaml(text), format: 'yaml' }
  try {
    return { tree: readJson(text), format: 'json' }
  } catch (jsonError) {
    try {
      return { tree: readYaml(text), format: 'yaml' }
    } catch (yamlError) {
      // Report the error of the format it looks like.
      throw /^\s*[{[]/.test(text) ? jsonError : yamlError
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Cleaning: nulls out, read-only keys out, unknown keys reported and out, scalars of the wrong type fixed.
// ---------------------------------------------------------------------------------------------------------

interface CleanContext {
  tree?: SourceTree
  file?: string
  /** Report and drop unknown keys (files); described task definitions come from the SDK and keep them. */
  strict: boolean
  warnings: SourceWarning[]
  /** Positions by path in the cleaned value. */
  positions: Map<string, Position>
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function formatPath(path: Path): string {
  let out = ''
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p
  return out || 'the top level'
}

function warn(ctx: CleanContext, message: string, sourcePath: Path): void {
  const position = ctx.tree?.positions.get(pathKey(sourcePath))
  ctx.warnings.push({ message, file: ctx.file, line: position?.line, column: position?.column })
}

function clean(value: unknown, shape: Shape, from: Path, to: Path, ctx: CleanContext): unknown {
  if (value === null || value === undefined) return undefined
  const position = ctx.tree?.positions.get(pathKey(from))
  if (position) ctx.positions.set(pathKey(to), position)
  const raw = ctx.tree?.raw.get(pathKey(from))
  const where = formatPath(from)

  if (shape === 'any') {
    if (Array.isArray(value)) return cleanList(value, 'any', from, to, ctx)
    if (isPlainObject(value)) {
      const result: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value))
        setMember(result, k, clean(v, 'any', [...from, k], [...to, k], ctx))
      return result
    }
    return value instanceof Date ? new Date(value.getTime()) : value
  }
  if (shape === 'string') {
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean') return raw ?? String(value)
    warn(ctx, `${where} should be a string, not ${kindOf(value)}`, from)
    return clean(value, 'any', from, to, ctx)
  }
  if (shape === 'integer') {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) warn(ctx, `${where} should be a whole number, not ${value}`, from)
      return value
    }
    if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) {
      const number = Number(value)
      warn(ctx, `${where} should be a number, not the string "${value}"; it was converted to ${number}`, from)
      return number
    }
    warn(ctx, `${where} should be a number, not ${kindOf(value)}`, from)
    return clean(value, 'any', from, to, ctx)
  }
  if (shape === 'boolean') {
    if (typeof value === 'boolean') return value
    if (typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value)) {
      const bool = value.trim().toLowerCase() === 'true'
      warn(
        ctx,
        `${where} should be true or false, not the string "${value}"; it was converted to ${bool}`,
        from
      )
      return bool
    }
    warn(ctx, `${where} should be true or false, not ${kindOf(value)}`, from)
    return clean(value, 'any', from, to, ctx)
  }
  if (shape === 'stringMap') {
    if (!isPlainObject(value)) {
      warn(ctx, `${where} should be a map of names to strings, not ${kindOf(value)}`, from)
      return clean(value, 'any', from, to, ctx)
    }
    const result: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value))
      setMember(result, k, clean(v, 'string', [...from, k], [...to, k], ctx))
    return result
  }
  if (shape.kind === 'list') {
    if (!Array.isArray(value)) {
      warn(ctx, `${where} should be a list, not ${kindOf(value)}`, from)
      return clean(value, 'any', from, to, ctx)
    }
    return cleanList(value, shape.of, from, to, ctx)
  }
  if (!isPlainObject(value)) {
    warn(ctx, `${where} should be an object (${shape.name}), not ${kindOf(value)}`, from)
    return clean(value, 'any', from, to, ctx)
  }
  const result: Record<string, unknown> = {}
  for (const [key, member] of Object.entries(value)) {
    const memberShape = Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined
    if (member === null || member === undefined) {
      // Dropped, but an error about a missing member (e.g. `image:` with nothing) can still point here.
      const at = memberShape && ctx.tree?.positions.get(pathKey([...from, key]))
      if (at) ctx.positions.set(pathKey([...to, key]), at)
      continue
    }
    if (memberShape) {
      setMember(result, key, clean(member, memberShape, [...from, key], [...to, key], ctx))
    } else if (ctx.strict) {
      warn(ctx, unknownKeyMessage(key, shape, from), [...from, key])
    } else {
      setMember(result, key, clean(member, 'any', [...from, key], [...to, key], ctx))
    }
  }
  return result
}

function cleanList(value: unknown[], of: Shape, from: Path, to: Path, ctx: CleanContext): unknown[] {
  const result: unknown[] = []
  value.forEach((item, index) => {
    const cleaned = clean(item, of, [...from, index], [...to, result.length], ctx)
    if (cleaned !== undefined) result.push(cleaned)
  })
  return result
}

function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) return
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (isPlainObject(value)) return 'an object'
  if (typeof value === 'string') return `the string ${quote(value)}`
  return `${typeof value} ${String(value)}`
}

function unknownKeyMessage(key: string, shape: ObjectShape, path: Path): string {
  const where = path.length ? ` in ${formatPath(path)}` : ''
  const message =
    `Unknown key "${key}"${where}: ${shape.name} has no such member, so the AWS SDK would drop it ` +
    'silently; it is left out.'
  const suggestion = suggest(key, Object.keys(shape.fields))
  if (shape === CONTAINER_DEFINITION && Object.hasOwn(REGISTER_TASK_DEFINITION.fields, key)) {
    return `${message} "${key}" belongs to the task definition, beside containerDefinitions, not inside a container.`
  }
  if (shape === REGISTER_TASK_DEFINITION && Object.hasOwn(CONTAINER_DEFINITION.fields, key)) {
    return `${message} "${key}" belongs inside a container in containerDefinitions.`
  }
  if (shape === KEY_VALUE && key === 'valueFrom') {
    return `${message} A value read from Secrets Manager or SSM belongs in "secrets", not "environment".`
  }
  return suggestion ? `${message} Did you mean "${suggestion}"?` : message
}

/** The member a mistyped key most likely meant, if one is close. */
export function suggest(key: string, candidates: string[]): string | undefined {
  const lower = key.toLowerCase()
  const sameLetters = candidates.find(c => c.toLowerCase() === lower)
  if (sameLetters) return sameLetters
  const alias = ALIASES[lower]
  if (alias && candidates.includes(alias)) return alias
  let best: string | undefined
  let bestDistance = Infinity
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase())
    if (d < bestDistance) {
      best = c
      bestDistance = d
    }
  }
  const allowed = lower.length >= 12 ? 3 : lower.length >= 6 ? 2 : 1
  return bestDistance <= allowed ? best : undefined
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...new Array<number>(b.length).fill(0)
  ])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

// ---------------------------------------------------------------------------------------------------------
// Loading.
// ---------------------------------------------------------------------------------------------------------

function invalid(
  message: string,
  file: string | undefined,
  position: Position | undefined,
  hint?: string
): DeployError {
  const prefix = file ? `${file}${position ? `:${position.line}:${position.column}` : ''}: ` : ''
  return new DeployError('Invalid task definition', prefix + message, {
    file,
    line: position?.line,
    column: position?.column,
    hint
  })
}

/** Unwrap, strip, clean and check a parsed task definition. `tree` is absent for SDK objects. */
function build(
  value: unknown,
  ctx: CleanContext,
  source: string
): Omit<LoadedTaskDefinition, 'locate'> & { positions: Map<string, Position> } {
  const at = (path: Path): Position | undefined => ctx.tree?.positions.get(pathKey(path))
  if (!isPlainObject(value)) {
    throw invalid(
      `A task definition must be an object with "family" and "containerDefinitions", not ${kindOf(value)}`,
      ctx.file,
      at([])
    )
  }
  let root: Record<string, unknown> = value
  let base: Path = []
  let tags: Tag[] | undefined
  if (Object.hasOwn(value, 'taskDefinition') && isPlainObject(value.taskDefinition)) {
    // `aws ecs describe-task-definition` output: {"taskDefinition": {...}, "tags": [...]}
    root = value.taskDefinition
    base = ['taskDefinition']
    for (const key of Object.keys(value)) {
      if (key !== 'taskDefinition' && key !== 'tags' && value[key] !== null && ctx.strict) {
        warn(ctx, `Unknown key "${key}" beside "taskDefinition"; it is ignored`, [key])
      }
    }
    const cleanedTags = clean(value.tags, list(TAG), ['tags'], ['#wrapper', 'tags'], ctx)
    if (Array.isArray(cleanedTags) && cleanedTags.length > 0) tags = cleanedTags as Tag[]
  }
  const stripped: Record<string, unknown> = {}
  for (const [key, member] of Object.entries(root))
    if (!READ_ONLY_KEYS.has(key)) setMember(stripped, key, member)

  const input = clean(stripped, REGISTER_TASK_DEFINITION, base, [], ctx) as Record<string, unknown>
  ctx.positions.set(pathKey([]), at(base) ?? at([]) ?? { line: 1, column: 1 })

  const top = at(base)
  if (typeof input.family !== 'string' || input.family.trim() === '') {
    throw invalid(
      input.family === undefined
        ? 'The task definition has no "family"'
        : '"family" must be a non-empty string',
      ctx.file,
      at([...base, 'family']) ?? top,
      'Every task definition needs a family: the name its revisions are registered under.'
    )
  }
  const containers = input.containerDefinitions
  if (!Array.isArray(containers) || containers.length === 0) {
    throw invalid(
      containers === undefined
        ? 'The task definition has no "containerDefinitions"'
        : '"containerDefinitions" must be a list with at least one container',
      ctx.file,
      at([...base, 'containerDefinitions']) ?? top
    )
  }
  const names = new Map<string, number>()
  containers.forEach((container: unknown, index) => {
    const where = ctx.positions.get(pathKey(['containerDefinitions', index]))
    const memberAt = (key: string): Position | undefined =>
      ctx.positions.get(pathKey(['containerDefinitions', index, key])) ?? where
    if (!isPlainObject(container)) {
      throw invalid(
        `containerDefinitions[${index}] must be an object, not ${kindOf(container)}`,
        ctx.file,
        where
      )
    }
    const { name, image } = container
    if (typeof name !== 'string' || name.trim() === '') {
      throw invalid(
        name === undefined
          ? `containerDefinitions[${index}] has no "name"`
          : `containerDefinitions[${index}].name must be a non-empty string`,
        ctx.file,
        memberAt('name')
      )
    }
    const first = names.get(name)
    if (first !== undefined) {
      throw invalid(
        `Two containers are named ${quote(name)} (containerDefinitions[${first}] and [${index}]); names must be unique`,
        ctx.file,
        memberAt('name')
      )
    }
    names.set(name, index)
    if (typeof image !== 'string') {
      throw invalid(
        image === undefined
          ? `Container ${quote(name)} has no "image"`
          : `The image of container ${quote(name)} must be a string, not ${kindOf(image)}`,
        ctx.file,
        memberAt('image'),
        'An empty string ("image": "") is fine for the container that gets the new image.'
      )
    }
  })

  const fixed = dropWhatEcsRefuses(input, ctx)
  return {
    input: fixed.input as unknown as RegisterTaskDefinitionCommandInput,
    tags,
    source,
    file: ctx.file,
    warnings: ctx.warnings,
    notices: fixed.notices,
    positions: ctx.positions
  }
}

// ---------------------------------------------------------------------------------------------------------
// What RegisterTaskDefinition refuses (src/register-rules.ts): fixed where the intent is clear, else refused.
// ---------------------------------------------------------------------------------------------------------

/**
 * Leaves out what ECS refuses and what, left out, means what was written: an empty `tags` list, an empty
 * string for an enumerated member (`pidMode: ""`), an empty `credentialsParameter`. One notice each, at the
 * position of what was left out; `ctx.positions` follows the change (list items after a dropped one move up).
 */
function dropWhatEcsRefuses(
  input: Record<string, unknown>,
  ctx: CleanContext
): { input: Record<string, unknown>; notices: SourceWarning[] } {
  const drops = checkRegisterInput(input).filter(v => v.fix === 'drop')
  if (drops.length === 0) return { input, notices: [] }
  const { input: fixed, dropped } = applyDrops(input, drops)
  const notices: SourceWarning[] = []
  for (const path of dropped) {
    const violation = drops.find(v => pathKey(dropPath(v)) === pathKey(path)) as Violation
    const position = ctx.tree ? nearestPosition(ctx.positions, violation.path) : undefined
    const shown = JSON.stringify(valueAt(input, violation.path))
    const note = registerRule(violation.rule)?.fixNote ?? 'ECS refuses it.'
    notices.unshift({
      message:
        `${formatRulePath(path)} was left out (${formatRulePath(violation.path)} is ${shown}): ${note} ` +
        `ECS would answer ${violation.exception}: "${violation.message}"`,
      file: ctx.file,
      line: position?.line,
      column: position?.column
    })
    forgetPosition(ctx.positions, path)
  }
  notices.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
  return { input: fixed, notices }
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string | number, unknown>)[step]
  }
  return current
}

/** The position of a path, or of the nearest enclosing member that has one. */
function nearestPosition(positions: Map<string, Position>, path: Path): Position | undefined {
  for (let n = path.length; n >= 0; n--) {
    const position = positions.get(pathKey(path.slice(0, n)))
    if (position) return position
  }
  return undefined
}

/** Forget the positions under a dropped path; when it was a list item, the items after it move up one. */
function forgetPosition(positions: Map<string, Position>, dropped: Path): void {
  const parent = dropped.slice(0, -1)
  const index = dropped[dropped.length - 1]
  const moved: Array<[string, Position]> = []
  for (const [key, position] of [...positions]) {
    const path = JSON.parse(key) as Path
    const under = dropped.every((p, i) => path[i] === p)
    if (under) {
      positions.delete(key)
      continue
    }
    const sibling = parent.every((p, i) => path[i] === p)
    const at = path[parent.length]
    if (typeof index === 'number' && sibling && typeof at === 'number' && at > index) {
      positions.delete(key)
      moved.push([pathKey([...parent, at - 1, ...path.slice(parent.length + 1)]), position])
    }
  }
  for (const [key, position] of moved) positions.set(key, position)
}

/** The longest image reference the image phase can put in: registry host, "/", ECR name, "@sha256:" digest. */
const LONGEST_IMAGE_REFERENCE = 255 + 1 + 256 + '@sha256:'.length + 64

/**
 * Fails with one DeployError (phase plan, title naming the rule, file:line:column of the first finding) when
 * ECS would refuse to register the task definition. Runs in the plan, before any login, build or push.
 *
 * `newImageFor` is the container that gets the new image, when one is deployed: its image is counted as
 * the longest reference the image phase can produce. That makes this check final: rendering only puts an
 * image into that one container, so it cannot turn a task definition ECS takes into one it refuses (an
 * empty new image is refused by renderTaskDefinition itself), and the rendered definition is not checked
 * again.
 */
export function assertRegistrable(loaded: LoadedTaskDefinition, newImageFor?: string): void {
  const preview = structuredClone(loaded.input) as unknown as Record<string, unknown>
  if (loaded.tags?.length && preview.tags === undefined) preview.tags = loaded.tags
  if (newImageFor !== undefined) {
    const containers = (preview.containerDefinitions ?? []) as Array<Record<string, unknown>>
    const target = containers.find(c => c.name === newImageFor)
    if (target) target.image = 'x'.repeat(LONGEST_IMAGE_REFERENCE)
  }
  const violations = checkRegisterInput(preview).filter(v => v.fix === undefined)
  if (violations.length === 0) return
  throw refusedError(loaded, violations, newImageFor !== undefined)
}

function refusedError(
  loaded: LoadedTaskDefinition,
  violations: Violation[],
  imageCounted: boolean
): DeployError {
  const locate = (path: Path): { line: number; column: number } | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const position = loaded.locate(path.slice(0, n))
      if (position) return position
    }
    return undefined
  }
  const [first] = violations
  const rule = registerRule(first.rule)
  const where = (v: Violation): string => {
    const position = loaded.file ? locate(v.path) : undefined
    const at = loaded.file ? `${loaded.file}${position ? `:${position.line}:${position.column}` : ''}: ` : ''
    return `${at}${formatRulePath(v.path)}: ${v.exception}: ${v.message}`
  }
  const position = loaded.file ? locate(first.path) : undefined
  const lines = violations.slice(0, 5).map(where)
  if (violations.length > 5) lines.push(`… and ${violations.length - 5} more`)
  const origin = loaded.file
    ? ''
    : `Task definition ${loaded.source} (read from ECS, no file) would be refused by RegisterTaskDefinition. `
  const size = first.rule === 'size-limit' && imageCounted ? ' (the new image counted at its longest)' : ''
  const hint = [
    rule
      ? `ECS refuses this (rule ${rule.id}, see ${rule.doc}); nothing was built, pushed or registered.`
      : '',
    loaded.file
      ? ''
      : 'It comes from a revision registered before: register a corrected revision, or give the task-definition input a file.'
  ]
    .filter(Boolean)
    .join(' ')
  return new DeployError(
    `ECS would refuse the task definition: ${rule?.title ?? first.rule}`,
    origin + lines.join('\n') + size,
    { file: loaded.file, line: position?.line, column: position?.column, hint }
  )
}

/** Parse a task definition file's text. `file` names it in messages and picks the format by extension. */
export function parseTaskDefinition(text: string, file: string): LoadedTaskDefinition {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  let tree: SourceTree
  try {
    tree = readSource(body, file).tree
  } catch (error) {
    if (error instanceof SyntaxProblem) throw invalid(error.message, file, error.position)
    throw invalid(boundMessage(errorMessage(error)), file, undefined)
  }
  const ctx: CleanContext = { tree, file, strict: true, warnings: [], positions: new Map() }
  for (const w of tree.warnings) {
    ctx.warnings.push({ message: w.message, file, line: w.position?.line, column: w.position?.column })
  }
  const { positions, ...loaded } = build(tree.value, ctx, file)
  return {
    ...loaded,
    locate: path => {
      const position = positions.get(pathKey(path))
      return position ? { ...position } : undefined
    }
  }
}

/** The largest task definition file read. RegisterTaskDefinition itself takes at most 64 KiB of JSON. */
export const MAX_TASK_DEFINITION_FILE_BYTES = 1024 * 1024

/**
 * Read and parse the task definition file named by the `task-definition` input. `path` is as the user gave
 * it, relative to `workspace`; it must lead (symlinks followed) to a regular file inside the workspace, else
 * nothing is read. `file` in the result is the real file relative to the workspace, for annotations.
 * Every error names the input.
 */
export async function loadTaskDefinitionFile(
  path: string,
  workspace: string = process.cwd()
): Promise<LoadedTaskDefinition> {
  const where = await resolveInWorkspace(INPUT, path, workspace, {
    kind: 'file',
    maxBytes: MAX_TASK_DEFINITION_FILE_BYTES
  })
  let text: string
  try {
    text = await readFile(where.real, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new DeployError(
      'Task definition not found',
      `Input "${INPUT}": cannot read ${boundMessage(path, 200)} (${code ?? errorMessage(error)}).`,
      {
        hint: 'The task-definition input is a path relative to the repository root (the workspace).',
        cause: error
      }
    )
  }
  let loaded: LoadedTaskDefinition
  try {
    loaded = parseTaskDefinition(text, where.relative)
  } catch (error) {
    if (error instanceof DeployError) throw namingInput(error)
    throw error
  }
  return { ...loaded, source: path }
}

const INPUT = 'task-definition'

/** The same error, its message starting with the input it came from. */
function namingInput(error: DeployError): DeployError {
  return new DeployError(error.title, `Input "${INPUT}": ${error.message}`, {
    file: error.file,
    line: error.line,
    column: error.column,
    hint: error.hint,
    cause: error
  })
}

/** A LoadedTaskDefinition from the SDK's TaskDefinition (e.g. the service's current one). */
export function fromDescribedTaskDefinition(
  td: TaskDefinition,
  tags: Tag[] | undefined,
  source: string
): LoadedTaskDefinition {
  const ctx: CleanContext = { strict: false, warnings: [], positions: new Map() }
  const value = tags && tags.length > 0 ? { taskDefinition: td, tags } : td
  const { positions: _positions, ...loaded } = build(value, ctx, source)
  return { ...loaded, locate: () => undefined }
}

// ---------------------------------------------------------------------------------------------------------
// Choosing the container and rendering.
// ---------------------------------------------------------------------------------------------------------

function containerNames(input: RegisterTaskDefinitionCommandInput): string[] {
  return (input.containerDefinitions ?? []).map(c => c.name ?? '')
}

/** Container names for a message: each bounded, at most 20 of them. */
function listNames(names: string[]): string {
  const shown = names.slice(0, 20).map(n => boundMessage(n, 60))
  return names.length > 20 ? `${shown.join(', ')} and ${names.length - 20} more` : shown.join(', ')
}

/**
 * The container that gets the new image: the named one, or the only one. Fails in the plan phase when it
 * is not there, when a name is needed, or when another container has an empty image (only the container
 * being deployed may leave `image` empty, since it gets the new one).
 */
export function selectContainer(loaded: LoadedTaskDefinition, containerName?: string): ContainerDefinition {
  const containers = loaded.input.containerDefinitions ?? []
  const names = containerNames(loaded.input)
  const listPosition = loaded.locate(['containerDefinitions'])
  let index: number
  if (containerName !== undefined && containerName !== '') {
    index = names.indexOf(containerName)
    if (index < 0) {
      const close = suggest(containerName, names)
      throw new DeployError(
        'Container not found',
        `Input "container-name": Container ${quote(containerName)} is not in task definition ` +
          `${boundMessage(loaded.source, 200)}. Containers: ${listNames(names)}`,
        {
          file: loaded.file,
          line: listPosition?.line,
          column: listPosition?.column,
          hint: close
            ? `Did you mean ${quote(close)}? Set the container-name input to one of the containers above.`
            : 'Set the container-name input to one of the containers above.'
        }
      )
    }
  } else if (containers.length === 1) {
    index = 0
  } else {
    throw new DeployError(
      'Container name needed',
      `Task definition ${boundMessage(loaded.source, 200)} has ${containers.length} containers (${listNames(names)}); ` +
        'set the container-name input to the one that gets the new image.',
      { file: loaded.file, line: listPosition?.line, column: listPosition?.column }
    )
  }
  const chosen = containers[index]
  containers.forEach((container, i) => {
    if (i !== index && (container.image ?? '').trim() === '') {
      const position = loaded.locate(['containerDefinitions', i, 'image'])
      throw new DeployError(
        'Empty image',
        `Container ${quote(container.name ?? '')} in task definition ${boundMessage(loaded.source, 200)} has an empty image, ` +
          `and it is not the container being deployed (${quote(chosen.name ?? '')}). Only that one may leave "image" empty.`,
        {
          file: loaded.file,
          line: position?.line,
          column: position?.column,
          hint: 'Give the other container its image in the file, or deploy one image per container in separate steps with separate files.'
        }
      )
    }
  })
  return chosen
}

/**
 * The task definition with `image` as the image of `containerName`. Pure: returns a deep copy and changes
 * nothing else. Throws a render-phase DeployError when the container is missing, the image is empty, or
 * another container would be registered with an empty image.
 */
export function renderTaskDefinition(
  input: RegisterTaskDefinitionCommandInput,
  containerName: string,
  image: string
): RegisterTaskDefinitionCommandInput {
  const rendered = structuredClone(input)
  const containers = rendered.containerDefinitions ?? []
  const target = containers.find(c => c.name === containerName)
  if (!target) {
    throw new DeployError(
      'Container not found',
      `Container ${quote(containerName)} is not in the task definition. Containers: ${listNames(containerNames(input))}`
    )
  }
  if (image.trim() === '') {
    throw new DeployError('No image', `The new image for container ${quote(containerName)} is empty.`)
  }
  target.image = image
  for (const c of containers) {
    if ((c.image ?? '').trim() === '') {
      throw new DeployError(
        'Empty image',
        `Container ${quote(c.name ?? '')} has an empty image; only the container being deployed (${quote(containerName)}) may.`
      )
    }
  }
  return rendered
}

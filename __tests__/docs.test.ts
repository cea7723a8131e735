/**
 * The docs against the code: README's input/output tables against action.yml, the IAM policy against the
 * AWS calls in src/, the example workflows against action.yml, and the Quick start commands.
 */
import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import {
  actionStackFrames,
  codeBlocks,
  localActionErrors,
  runningLocallySteps,
  section,
  substituteStep
} from './readme.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8')

// ---------------------------------------------------------------------------------------------------------
// Helpers (pure, and tested below on inputs made to fail).
// ---------------------------------------------------------------------------------------------------------

interface ActionMetadata {
  inputs: Record<string, { description?: string; required?: boolean; default?: unknown }>
  outputs: Record<string, { description?: string }>
}

function actionMetadata(): ActionMetadata {
  return parseYaml(read('action.yml')) as ActionMetadata
}

/** The rows of the first Markdown table in `markdown`, as cells; the header and the rule are dropped. */
export function tableRows(markdown: string): string[][] {
  const lines = markdown.split('\n')
  const first = lines.findIndex(l => /^\s*\|/.test(l))
  if (first < 0) return []
  const rows: string[][] = []
  for (let i = first; i < lines.length && /^\s*\|/.test(lines[i]); i++) {
    const cells = lines[i]
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map(c => c.trim())
    rows.push(cells)
  }
  return rows.slice(2)
}

/** A table cell's code span (`name`) or its text; "—", "-" and "" mean "none". */
export function cellValue(cell: string): string | undefined {
  const text = cell.trim()
  if (text === '' || text === '—' || text === '-') return undefined
  const code = /^`([^`]*)`$/.exec(text)
  return code ? code[1] : text
}

export type AwsService = 'ecs' | 'ecr' | 'logs' | 'cloudwatch' | 'application-autoscaling'

const CLIENT_PACKAGES: Record<string, AwsService> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-application-auto-scaling': 'application-autoscaling'
}

export interface ScanResult {
  /** IAM actions (service:Operation) the source calls. */
  actions: Set<string>
  /** `file: what` for calls the scan cannot map to an IAM action (they need a look, and this test a change). */
  unresolved: string[]
}

/**
 * The AWS operations one source file calls: `new <Name>Command(` and `paginate<Name>(` where the name is
 * imported (named or as a namespace) from one of the AWS SDK clients, mapped by that file's import.
 */
export function scanSource(file: string, text: string, into: ScanResult): void {
  // Block comments and whole-line // comments out: an example in a doc comment is not a call.
  const source = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  const named = new Map<string, { pkg: string; imported: string }>()
  const namespaces = new Map<string, string>()
  const importRe = /^\s*import\s+(type\s+)?((?:(?!\bimport\b)[^;'"])*?)\s+from\s+['"]([^'"]+)['"]/gm
  for (const m of source.matchAll(importRe)) {
    if (m[1]) continue // import type { … }: no runtime call
    const clause = m[2]
    const pkg = m[3]
    if (!pkg.startsWith('@aws-sdk/client-')) continue
    const ns = /\*\s+as\s+([A-Za-z_$][\w$]*)/.exec(clause)
    if (ns) namespaces.set(ns[1], pkg)
    const braces = /\{([\s\S]*)\}/.exec(clause)
    if (!braces) continue
    for (const raw of braces[1].split(',')) {
      const spec = raw.trim()
      if (spec === '' || spec.startsWith('type ')) continue
      const [imported, local] = spec.split(/\s+as\s+/).map(s => s.trim())
      named.set(local ?? imported, { pkg, imported })
    }
  }

  const record = (pkg: string, operation: string, what: string): void => {
    const service = CLIENT_PACKAGES[pkg]
    if (service) into.actions.add(`${service}:${operation}`)
    else into.unresolved.push(`${file}: ${what} from ${pkg} (no IAM prefix known for this client)`)
  }

  // new XCommand(…) / new ns.XCommand(…)
  for (const m of source.matchAll(/\bnew\s+(?:([A-Za-z_$][\w$]*)\s*\.\s*)?([A-Za-z_$][\w$]*)\s*\(/g)) {
    const [, ns, name] = m
    if (ns) {
      const pkg = namespaces.get(ns)
      if (!pkg) continue
      const op = /^(\w+)Command$/.exec(name)
      if (op) record(pkg, op[1], `new ${ns}.${name}`)
      else if (!/Client$/.test(name)) into.unresolved.push(`${file}: new ${ns}.${name} (aggregated client?)`)
      continue
    }
    const imp = named.get(name)
    if (!imp) continue
    const op = /^(\w+)Command$/.exec(imp.imported)
    if (op) record(imp.pkg, op[1], `new ${name}`)
    else if (!/Client$/.test(imp.imported)) {
      // new ECS() etc.: the aggregated client's methods hide their operations from this scan.
      into.unresolved.push(`${file}: new ${name} (use <Operation>Command so the IAM test can see the call)`)
    }
  }

  // paginateX(…) and waitUntilX(…) / waitForX(…)
  for (const [local, imp] of named) {
    if (!new RegExp(`(?<![\\w$.])${local.replace(/\$/g, '\\$')}\\s*\\(`).test(source)) continue
    const pag = /^paginate(\w+)$/.exec(imp.imported)
    if (pag) record(imp.pkg, pag[1], local)
    else if (/^waitUntil|^waitFor/.test(imp.imported)) {
      into.unresolved.push(`${file}: ${local} (a waiter: add the operations it polls to this test)`)
    }
  }
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...sourceFiles(full))
    else if (/\.(ts|mts|cts)$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)) out.push(full)
  }
  return out.sort()
}

function scanSourceTree(dir: string): ScanResult {
  const result: ScanResult = { actions: new Set(), unresolved: [] }
  for (const file of sourceFiles(dir)) {
    scanSource(path.relative(root, file), fs.readFileSync(file, 'utf8'), result)
  }
  return result
}

interface PolicyStatement {
  Effect: string
  Action: string | string[]
  Resource: string | string[]
}

/** Every action an Allow statement grants. */
export function policyActions(policy: { Statement: PolicyStatement[] }): string[] {
  return policy.Statement.filter(s => s.Effect === 'Allow').flatMap(s =>
    Array.isArray(s.Action) ? s.Action : [s.Action]
  )
}

/** What `docker push` (and buildx's manifest lookups) need from ECR, besides what the source calls. */
const DOCKER_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:InitiateLayerUpload',
  'ecr:UploadLayerPart',
  'ecr:CompleteLayerUpload',
  'ecr:PutImage',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer'
]
/**
 * Not calls, but authorisations other calls need: RegisterTaskDefinition with the task and execution roles
 * (iam:PassRole), and with tags (ecs:TagResource, limited in the policy to ecs:CreateAction
 * RegisterTaskDefinition; the action keeps the base task definition's tags).
 */
const IMPLIED_ACTIONS = ['iam:PassRole', 'ecs:TagResource']

// ---------------------------------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------------------------------

const readme = read('README.md')
const action = actionMetadata()

describe('README tables match action.yml', () => {
  const inputRows = tableRows(section(readme, /^Inputs$/))
  const outputRows = tableRows(section(readme, /^Outputs$/))

  it('lists every input of action.yml, and no other, with its default', () => {
    const documented = inputRows.map(cells => ({
      name: cellValue(cells[0]),
      default: cellValue(cells[1] ?? '')
    }))
    const expected = Object.entries(action.inputs).map(([name, spec]) => ({
      name,
      default: spec.default === undefined || spec.default === null ? undefined : String(spec.default)
    }))
    expect(documented).toEqual(expected)
  })

  it('describes every input', () => {
    for (const cells of inputRows) expect(cellValue(cells[2] ?? '')).toBeDefined()
  })

  it('lists every output of action.yml, and no other', () => {
    expect(outputRows.map(cells => cellValue(cells[0]))).toEqual(Object.keys(action.outputs))
    for (const cells of outputRows) expect(cellValue(cells[1] ?? '')).toBeDefined()
  })
})

describe('the IAM policy', () => {
  const file = JSON.parse(read('docs/iam-policy.json')) as { Version: string; Statement: PolicyStatement[] }
  const scan = scanSourceTree(path.join(root, 'src'))
  const granted = new Set(policyActions(file))

  it('in the README is docs/iam-policy.json', () => {
    const json = codeBlocks(section(readme, /IAM/)).filter(b => b.lang === 'json')
    expect(json.length).toBeGreaterThan(0)
    expect(JSON.parse(json[0].body)).toEqual(file)
  })

  it('the source scan finds AWS calls, and every one maps to an IAM action', () => {
    expect(scan.unresolved).toEqual([])
    // The deploy cannot work without these; an empty scan means the scan is broken, not the source.
    for (const a of ['ecr:GetAuthorizationToken', 'ecs:RegisterTaskDefinition', 'ecs:UpdateService']) {
      expect(scan.actions).toContain(a)
    }
  })

  it('grants every AWS operation the source calls', () => {
    const missing = [...scan.actions].filter(a => !granted.has(a)).sort()
    expect(missing).toEqual([])
  })

  it('grants nothing the source does not call, beyond docker push and the implied authorisations', () => {
    const allowed = new Set([...scan.actions, ...DOCKER_PUSH_ACTIONS, ...IMPLIED_ACTIONS])
    const extra = [...granted].filter(a => !allowed.has(a)).sort()
    expect(extra).toEqual([])
    for (const a of [...DOCKER_PUSH_ACTIONS, 'iam:PassRole']) expect(granted).toContain(a)
  })

  it('scopes resources, and limits iam:PassRole and ecs:TagResource with conditions', () => {
    const mustBeStar = new Set([
      'ecr:GetAuthorizationToken',
      'ecs:RegisterTaskDefinition',
      'ecs:DescribeTaskDefinition',
      // GetMetricData has no resource type (the Service Authorization Reference lists none).
      'cloudwatch:GetMetricData',
      // Application Auto Scaling's Describe calls take no resource (its service authorization reference).
      'application-autoscaling:DescribeScalableTargets',
      'application-autoscaling:DescribeScalingPolicies'
    ])
    for (const s of file.Statement) {
      const actions = Array.isArray(s.Action) ? s.Action : [s.Action]
      const resources = Array.isArray(s.Resource) ? s.Resource : [s.Resource]
      const conditioned = Boolean((s as { Condition?: unknown }).Condition)
      if (resources.includes('*')) {
        // "*" only where ECS/ECR allow nothing else, or narrowed by a condition.
        expect({ actions, ok: conditioned || actions.every(a => mustBeStar.has(a)) }).toEqual({
          actions,
          ok: true
        })
      }
    }
    const passRole = file.Statement.find(s => policyActions({ Statement: [s] }).includes('iam:PassRole')) as
      (PolicyStatement & { Condition?: Record<string, Record<string, string>> }) | undefined
    expect(passRole?.Condition?.StringEquals?.['iam:PassedToService']).toBe('ecs-tasks.amazonaws.com')
  })
})

describe('example workflows', () => {
  const dir = path.join(root, 'examples', 'workflows')
  const files = fs.readdirSync(dir).filter(f => /\.ya?ml$/.test(f))
  const inputNames = new Set(Object.keys(action.inputs))

  it('are there', () => {
    expect(files).toEqual(expect.arrayContaining(['deploy-on-merge.yml', 'deploy-manual.yml']))
  })

  it.each(files)(
    '%s is a workflow that uses org/ecs-deploy@v1 with inputs it has, OIDC and concurrency',
    f => {
      const wf = parseYaml(fs.readFileSync(path.join(dir, f), 'utf8')) as {
        on?: unknown
        permissions?: Record<string, string>
        concurrency?: { group?: string; 'cancel-in-progress'?: boolean } | string
        jobs: Record<
          string,
          {
            'runs-on'?: unknown
            permissions?: Record<string, string>
            concurrency?: { group?: string; 'cancel-in-progress'?: boolean } | string
            steps?: Array<{ uses?: string; with?: Record<string, unknown> }>
          }
        >
      }
      expect(wf.on).toBeDefined()
      const jobs = Object.values(wf.jobs ?? {})
      const deployJobs = jobs.filter(j => (j.steps ?? []).some(s => s.uses?.startsWith('org/ecs-deploy')))
      expect(deployJobs.length).toBeGreaterThan(0)
      for (const job of deployJobs) {
        expect(job['runs-on']).toBeDefined()
        const permissions = job.permissions ?? wf.permissions
        expect(permissions?.['id-token']).toBe('write')
        const concurrency = job.concurrency ?? wf.concurrency
        const group = typeof concurrency === 'string' ? concurrency : concurrency?.group
        expect(group).toEqual(expect.stringMatching(/\S/))
        if (typeof concurrency === 'object') expect(concurrency['cancel-in-progress']).not.toBe(true)
        for (const step of (job.steps ?? []).filter(s => s.uses?.startsWith('org/ecs-deploy'))) {
          expect(step.uses).toBe('org/ecs-deploy@v1')
          const unknown = Object.keys(step.with ?? {}).filter(k => !inputNames.has(k))
          expect(unknown).toEqual([])
        }
      }
    }
  )

  it("README's YAML examples use only inputs that exist", () => {
    const uses: Array<{ uses: string; with?: Record<string, unknown> }> = []
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk)
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>
        if (typeof o.uses === 'string' && o.uses.startsWith('org/ecs-deploy')) {
          uses.push(o as { uses: string; with?: Record<string, unknown> })
        }
        Object.values(o).forEach(walk)
      }
    }
    for (const block of codeBlocks(readme).filter(b => /^ya?ml$/.test(b.lang))) walk(parseYaml(block.body))
    expect(uses.length).toBeGreaterThan(0)
    for (const step of uses) {
      expect(step.uses).toMatch(/^org\/ecs-deploy@(v1|[0-9a-f]{40})$/)
      expect(Object.keys(step.with ?? {}).filter(k => !inputNames.has(k))).toEqual([])
    }
  })
})

describe('.env.example', () => {
  it('points at the local simulator and sets only inputs that exist', () => {
    const vars = new Map<string, string>()
    for (const line of read('.env.example').split('\n')) {
      const m = /^\s*([\w.-]+)\s*=\s*(.*)$/.exec(line)
      if (m) vars.set(m[1], m[2])
    }
    expect(vars.get('AWS_ENDPOINT_URL')).toBe('http://127.0.0.1:4566')
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
      expect(vars.get(name)).toEqual(expect.stringMatching(/\S/))
    }
    // AWS CLI v1 reads only AWS_DEFAULT_REGION.
    expect(vars.get('AWS_DEFAULT_REGION')).toBe(vars.get('AWS_REGION'))
    // No service: the first run of "Running locally" registers the revision the service is created from.
    expect(vars.has('INPUT_SERVICE')).toBe(false)
    const inputs = [...vars.keys()].filter(k => k.startsWith('INPUT_')).map(k => k.slice(6).toLowerCase())
    expect(inputs.length).toBeGreaterThan(0)
    expect(inputs.filter(i => !(i in action.inputs))).toEqual([])
    const taskDefinition = vars.get('INPUT_TASK-DEFINITION')
    expect(taskDefinition && fs.existsSync(path.join(root, taskDefinition))).toBe(true)
  })
})

describe('Quick start', () => {
  it('has exactly the demo command and the test command, in that order', () => {
    const blocks = codeBlocks(section(readme, /^Quick start$/))
    expect(blocks.map(b => b.body.trim())).toEqual(['npm ci && npm run demo', 'npm ci && npm test'])
  })
})

describe('Running locally', () => {
  const steps = runningLocallySteps(readme)
  const lines = steps.flatMap(s => s.body.split('\n'))
  const localAction = 'npx @github/local-action run . src/main.ts .env'

  it('has the simulator terminal first, then the four steps typed in the second', () => {
    expect(steps.map(s => s.terminal)).toEqual([1, 2, 2, 2, 2])
    expect(steps[0].body).toContain('npm run sim -- --port 4566 --tasks docker')
  })

  it('sets AWS_DEFAULT_REGION (AWS CLI v1) with AWS_REGION, and every aws command names the endpoint', () => {
    const exported = new Map<string, string>()
    for (const line of lines.filter(l => /^export /.test(l)))
      for (const m of line.matchAll(/\b([A-Z_]+)=(\S*)/g)) exported.set(m[1], m[2])
    expect(exported.get('AWS_REGION')).toEqual(expect.stringMatching(/\S/))
    expect(exported.get('AWS_DEFAULT_REGION')).toBe(exported.get('AWS_REGION'))
    const aws = steps.flatMap(s => s.body.replace(/\\\n\s*/g, ' ').split('\n')).filter(l => /^aws /.test(l))
    expect(aws.length).toBeGreaterThan(0)
    for (const command of aws) expect(command).toContain('--endpoint-url')
  })

  it('registers without a service first, then adds INPUT_SERVICE to .env, then deploys', () => {
    const firstRun = lines.indexOf(localAction)
    const createService = lines.findIndex(l => l.startsWith('aws ecs create-service'))
    const addService = lines.indexOf("echo 'INPUT_SERVICE=web' >> .env")
    expect(firstRun).toBeGreaterThanOrEqual(0)
    expect([firstRun < createService, createService < addService]).toEqual([true, true])
    expect(lines.lastIndexOf(localAction)).toBeGreaterThan(addService)
    // The red run: its build argument is appended, and the line further down wins when .env is read.
    const crash = lines.indexOf("echo 'INPUT_BUILD-ARGS=APP_MODE=crash' >> .env")
    expect(crash).toBeGreaterThan(addService)
    expect(lines[crash + 1]).toBe(localAction)
  })

  it('runs the local-action pinned in devDependencies, which supports this Node', () => {
    const pkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string> }
    const pinned = pkg.devDependencies['@github/local-action']
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/)
    const installed = JSON.parse(read('node_modules/@github/local-action/package.json')) as {
      version: string
      engines: { node: string }
    }
    expect(installed.version).toBe(pinned)
    const major = process.versions.node.split('.')[0]
    expect(installed.engines.node.split('||').map(r => r.trim())).toContain(`^${major}`)
  })

  it.each<[string, string]>([
    ['cp .env.example .env', 'cp .env.example /t/x.env'],
    ["echo 'INPUT_SERVICE=web' >> .env", "echo 'INPUT_SERVICE=web' >> /t/x.env"],
    [
      'npx @github/local-action run . src/main.ts .env',
      'npx @github/local-action run . src/main.ts /t/x.env'
    ],
    [
      'export AWS_ENDPOINT_URL=http://127.0.0.1:4566 X=1',
      'export AWS_ENDPOINT_URL=http://127.0.0.1:5999 X=1'
    ],
    [
      'npm run sim -- --port 4566 --tasks docker',
      'npm run sim -- --port 5999 --tasks docker --time-scale 0.1'
    ],
    ['cat .envrc .env.local a.env', 'cat .envrc .env.local a.env'],
    ['echo 45660 14566', 'echo 45660 14566']
  ])('a step as the test runs it: %s', (step, expected) => {
    expect(substituteStep(step, { port: 5999, envFile: '/t/x.env', simFlags: '--time-scale 0.1' })).toBe(
      expected
    )
  })
})

// ---------------------------------------------------------------------------------------------------------
// The helpers above can fail: each check is shown a document that is wrong.
// ---------------------------------------------------------------------------------------------------------

describe('the checks catch mistakes', () => {
  it('the source scan maps imports per file, including aliases and namespaces', () => {
    const result: ScanResult = { actions: new Set(), unresolved: [] }
    scanSource(
      'a.ts',
      [
        "import { ListTasksCommand, DescribeTasksCommand as DT, type Task } from '@aws-sdk/client-ecs'",
        "import * as logs from '@aws-sdk/client-cloudwatch-logs'",
        "import { paginateDescribeImages } from '@aws-sdk/client-ecr'",
        "import type { PutImageCommand } from '@aws-sdk/client-ecr'",
        'await ecs.send(new ListTasksCommand({}))',
        'await ecs.send(new DT({}))',
        'await c.send(new logs.FilterLogEventsCommand({}))',
        'for await (const page of paginateDescribeImages({ client }, {})) {}'
      ].join('\n'),
      result
    )
    scanSource(
      'b.ts',
      [
        "import './side-effect.js'",
        "import { DescribeServicesCommand } from './not-the-sdk.js'",
        '/** import { RunTaskCommand } from "@aws-sdk/client-ecs"; new RunTaskCommand({}) */',
        "// import { StopTaskCommand } from '@aws-sdk/client-ecs'",
        'new DescribeServicesCommand({})'
      ].join('\n'),
      result
    )
    expect([...result.actions].sort()).toEqual([
      'ecr:DescribeImages',
      'ecs:DescribeTasks',
      'ecs:ListTasks',
      'logs:FilterLogEvents'
    ])
    expect(result.unresolved).toEqual([])
  })

  it('the source scan reports calls it cannot map', () => {
    const result: ScanResult = { actions: new Set(), unresolved: [] }
    scanSource(
      'c.ts',
      [
        "import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'",
        "import { ECS, waitUntilServicesStable } from '@aws-sdk/client-ecs'",
        'new GetCallerIdentityCommand({})',
        'const ecs = new ECS({})',
        'await waitUntilServicesStable({ client }, {})'
      ].join('\n'),
      result
    )
    expect(result.unresolved).toHaveLength(3)
  })

  it('a missing or extra table row, or a wrong default, is a difference', () => {
    const md = [
      '## Inputs',
      '',
      '| name | default | description |',
      '| --- | --- | --- |',
      '| `cluster` | `prod` | The cluster. |',
      '| `service` | — | The service. |',
      '',
      '## Next'
    ].join('\n')
    const rows = tableRows(section(md, /^Inputs$/)).map(c => [cellValue(c[0]), cellValue(c[1])])
    expect(rows).toEqual([
      ['cluster', 'prod'],
      ['service', undefined]
    ])
    expect(rows).not.toEqual([
      ['cluster', 'default'],
      ['service', undefined]
    ])
  })

  it.each<[string, string, Array<{ title?: string; file?: string; line?: string; message: string }>]>([
    [
      'an unescaped title with a colon',
      '::error title=web: container exited with code 3::2 tasks (a, b): exited with code 3',
      [{ title: 'web: container exited with code 3', message: '2 tasks (a, b): exited with code 3' }]
    ],
    [
      'title, file and line; a comma in the title',
      '::error title=Invalid task definition, line 4,file=td.json,line=4,endLine=4,col=2,endColumn=2::Unexpected "}"',
      [{ title: 'Invalid task definition, line 4', file: 'td.json', line: '4', message: 'Unexpected "}"' }]
    ],
    ['no properties', 'x\n::error::boom\n::warning title=w::not an error', [{ message: 'boom' }]]
  ])('local-action error lines are read: %s', (_name, output, expected) => {
    expect(localActionErrors(output)).toEqual(
      expected.map(e => ({ title: undefined, file: undefined, line: undefined, ...e }))
    )
  })

  it('stack frames are found, except the launcher error local-action prints after a failed run', () => {
    // What a failed run printed before fail() stopped using core.ExitCode.
    const before = [
      '::error title=DescribeClusters failed::DescribeClusters: connect ECONNREFUSED 127.0.0.1:1',
      '/work/x/src/main.ts:238',
      '  process.exitCode = core.ExitCode.Failure',
      "TypeError: Cannot read properties of undefined (reading 'Failure')",
      '    at fail (/work/x/src/main.ts:238:36)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'
    ].join('\n')
    const launcher = [
      'Error: Command failed: npm exec tsx "/x/node_modules/@github/local-action/src/index.ts" -- run . src/main.ts e',
      '    at genericNodeError (node:internal/errors:984:15)',
      '    at entrypoint (file:///x/node_modules/@github/local-action/bin/local-action.js:108:5) {'
    ].join('\n')
    expect(actionStackFrames(before)).toEqual([
      '/work/x/src/main.ts:238',
      '    at fail (/work/x/src/main.ts:238:36)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'
    ])
    expect(actionStackFrames(`::error title=Deployment failed::x\n${launcher}`)).toEqual([])
    expect(actionStackFrames(`${before}\n${launcher}`)).toHaveLength(3)
  })

  it('sections end at the next heading of their level, and code fences hide headings', () => {
    const md = ['## A', '```sh', '## not a heading', '```', '### A.1', 'x', '## B', 'y'].join('\n')
    const a = section(md, /^A$/)
    expect(codeBlocks(a)).toEqual([{ lang: 'sh', body: '## not a heading' }])
    expect(a).toContain('x')
    expect(a).not.toContain('y')
    expect(() => section(md, /^C$/)).toThrow()
  })
})

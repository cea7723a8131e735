/**
 * The hostile-input table (issue 10): bad inputs, bad task definitions and paths that reach outside the
 * workspace. Every row must end the same way: exit 1, exactly one `::error` that names the input (or, for
 * what is wrong inside a task definition file, its file:line), no mutating ECS/ECR call, and nothing of a
 * secret's or an outside file's content anywhere the runner shows. `check` turns one run into the list of
 * what went wrong; hostile.test.ts runs the rows against the local ECS.
 */
import fs from 'node:fs'
import path from 'node:path'
import { repoRoot, type ActionRun } from '../../scripts/run-action.js'
import type { SimCall } from '../../packages/ecs-sim/testing.js'
import { CREDENTIALS, MUTATING } from '../../testkit/world.js'

export const FIXTURES = path.join(repoRoot, '__tests__/fixtures/hostile')
export const CLUSTER = 'hostile'
export const SERVICE = 'web'
/** In the local ECR before every row: the build base pushes here. */
export const REPOSITORY = 'hostile-app'
/** Also in the local ECR, so `repository: ../etc` cannot fail for the wrong reason ("etc does not exist"). */
export const DECOY_REPOSITORY = 'etc'

/** Calls that change something in AWS: the testkit's list (testkit/world.ts), plus the tag and image writes ECS/ECR also have. */
export const MUTATING_CALLS = new Set([
  ...MUTATING,
  'TagResource',
  'UntagResource',
  'PutImage',
  'BatchDeleteImage',
  'DeleteRepository',
  'DeleteCluster'
])

export type FileContent = string | Buffer | (() => string | Buffer)

export interface HostileCase {
  name: string
  /**
   * Which valid deploy the row spoils. `image`: an image given by digest (no build); `build`: an existing
   * ECR repository to build and push to. Either reaches RegisterTaskDefinition when nothing is wrong.
   */
  base?: 'image' | 'build'
  /** Inputs over the base's; `null` removes a base input. */
  inputs: Record<string, string | null>
  env?: Record<string, string | undefined>
  /** Written into the workspace before the run. */
  files?: Record<string, FileContent>
  /** Written one folder above the workspace: outside it, but reachable with `../`. */
  outside?: Record<string, FileContent>
  /** Symlinks in the workspace: path → target (as given to symlink(2), so `../x` is relative to the link). */
  symlinks?: Record<string, string>
  expect: {
    exitCode: 1
    errors: 1
    /** The input the error must name (any one of a list). */
    input?: string | string[]
    /** An error inside a task definition file: the annotation's `file`, and its `line` (any one of a list). */
    file?: string
    line?: number | number[]
    /** More the message must say (e.g. the value as given). */
    message?: RegExp
  }
  /** Must appear nowhere the runner shows (output, post output, summary, outputs). */
  secrets?: Array<string | RegExp>
}

export function fixture(name: string): () => Buffer {
  return () => fs.readFileSync(path.join(FIXTURES, name))
}

/** The annotation message may quote a short excerpt of what it refuses, never a whole file. */
export const MAX_MESSAGE_LENGTH = 1000

/** Text of the machine's own files that a confined action can never print. */
const HOSTNAME = fs.existsSync('/etc/hostname') ? fs.readFileSync('/etc/hostname', 'utf8').trim() : ''
const HOSTNAME_SECRETS: RegExp[] = HOSTNAME
  ? [new RegExp(`(?<![\\w.-])${HOSTNAME.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.-])`)]
  : []
const PASSWD_SECRETS = ['root:x:0:0', '/bin/bash', 'daemon:', '/usr/sbin/nologin']
/** What outside-td.json holds: its family and a value only it has. */
const OUTSIDE_SECRETS = ['outside-td-marker', 'outside-workspace-secret-7c1e']
const OUTSIDE_DOCKERFILE = '# outside-dockerfile-marker-5d2a\nFROM scratch\nCOPY . /\n'

/** Strings of `size` characters with a line break nowhere: a minified file. */
function hugeOneLine(): string {
  const env = Array.from({ length: 12_000 }, (_, i) => `{"name":"K${i}","value":"filler-${i}-xxxxxxxxxxxx"}`)
  // The mistake is at the very end: a missing closing bracket of the list.
  return `{"family":"demo-web","containerDefinitions":[{"name":"web","image":"","environment":[${env.join(',')}]}`
}
/** A 300-character window of the huge line: quoting that much would be quoting the file. */
const HUGE_WINDOW = hugeOneLine().slice(200_000, 200_300)

function tenMegabyteValue(): string {
  const value = 'v'.repeat(10 * 1024 * 1024)
  return [
    '{',
    '  "family": "demo-web",',
    '  "networkMode": "awsvpc",',
    '  "requiresCompatibilities": ["FARGATE"],',
    '  "cpu": "256",',
    '  "memory": "512",',
    '  "containerDefinitions": [',
    '    {',
    '      "name": "web",',
    '      "image": "",',
    '      "essential": true,',
    '      "environment": [',
    `        { "name": "BLOB", "value": "${value}" }`,
    '      ]',
    '    }',
    '  ]',
    '}',
    ''
  ].join('\n')
}

/** 700 variables of ~100 characters: about 80 KiB, over RegisterTaskDefinition's 64 KiB. */
function over64KiB(): string {
  const env = Array.from(
    { length: 700 },
    (_, i) => `        { "name": "SETTING_${String(i).padStart(3, '0')}", "value": "${'x'.repeat(80)}" }`
  )
  return [
    '{',
    '  "family": "demo-web",',
    '  "networkMode": "awsvpc",',
    '  "requiresCompatibilities": ["FARGATE"],',
    '  "cpu": "256",',
    '  "memory": "512",',
    '  "containerDefinitions": [',
    '    {',
    '      "name": "web",',
    '      "image": "",',
    '      "essential": true,',
    '      "environment": [',
    env.join(',\n'),
    '      ]',
    '    }',
    '  ]',
    '}',
    ''
  ].join('\n')
}

/** 4 KiB of every byte value: what `task-definition: build/app` (a compiled binary) would read. */
function binary(): Buffer {
  return Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256))
}

// Invalid boolean spellings: only true|True|TRUE|false|False|FALSE are booleans (core.getBooleanInput).
const BOOLEAN_INPUTS = [
  'create-repository',
  'skip-existing',
  'force-new-deployment',
  'wait-for-service-stability',
  'rollback',
  'enable-ecs-managed-tags'
]
const NOT_BOOLEANS = ['yes', 'on', '1', 'maybe']

const booleanRows: HostileCase[] = BOOLEAN_INPUTS.flatMap(input =>
  NOT_BOOLEANS.map((value): HostileCase => ({
    name: `${input}: ${value}`,
    // create-repository and skip-existing only matter for a build; a repository that does not exist yet
    // shows whether `yes` was taken as true (CreateRepository).
    base: input === 'create-repository' || input === 'skip-existing' ? 'build' : 'image',
    inputs:
      input === 'create-repository' ? { [input]: value, repository: 'hostile-new' } : { [input]: value },
    expect: { exitCode: 1, errors: 1, input }
  }))
)

const inputRows: HostileCase[] = [
  // --- aws-region
  {
    name: 'aws-region: not-a-region',
    inputs: { 'aws-region': 'not-a-region' },
    expect: { exitCode: 1, errors: 1, input: 'aws-region' }
  },
  {
    name: 'aws-region: EU_WEST_1',
    inputs: { 'aws-region': 'EU_WEST_1' },
    expect: { exitCode: 1, errors: 1, input: 'aws-region' }
  },
  {
    name: 'aws-region: an endpoint smuggled in (eu-west-1.evil.example.com)',
    inputs: { 'aws-region': 'eu-west-1.evil.example.com' },
    expect: { exitCode: 1, errors: 1, input: 'aws-region' }
  },
  {
    name: 'no aws-region, AWS_REGION nor AWS_DEFAULT_REGION',
    inputs: { 'aws-region': null },
    env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined },
    expect: { exitCode: 1, errors: 1, input: 'aws-region' }
  },

  // --- repository
  {
    name: 'repository: ../etc',
    base: 'build',
    inputs: { repository: '../etc' },
    expect: { exitCode: 1, errors: 1, input: 'repository', message: /\.\.\/etc/ }
  },
  {
    name: 'repository: UPPER',
    base: 'build',
    inputs: { repository: 'UPPER' },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: a//b',
    base: 'build',
    inputs: { repository: 'a//b' },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: URI of a non-ECR host (evil.example.com/hostile-app)',
    base: 'build',
    inputs: { repository: `evil.example.com/${REPOSITORY}` },
    expect: { exitCode: 1, errors: 1, input: 'repository', message: /evil\.example\.com/ }
  },
  {
    name: 'repository: ECR URI with ../ in the path',
    base: 'build',
    inputs: { repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/../etc' },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: with a URL scheme',
    base: 'build',
    inputs: { repository: `https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/${REPOSITORY}` },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: with a tag',
    base: 'build',
    inputs: { repository: `${REPOSITORY}:latest` },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: with a digest',
    base: 'build',
    inputs: { repository: `${REPOSITORY}@sha256:${'a'.repeat(64)}` },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: one character',
    base: 'build',
    inputs: { repository: 'a' },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: 300 characters',
    base: 'build',
    inputs: { repository: 'a'.repeat(300) },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: shell characters (app;id)',
    base: 'build',
    inputs: { repository: 'app;id' },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: trailing slash',
    base: 'build',
    inputs: { repository: `${REPOSITORY}/` },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },
  {
    name: 'repository: ECR URI of another region',
    base: 'build',
    inputs: { repository: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${REPOSITORY}` },
    expect: { exitCode: 1, errors: 1, input: 'repository' }
  },

  // --- image references
  {
    name: 'image: with whitespace',
    inputs: { image: 'my app:latest' },
    expect: { exitCode: 1, errors: 1, input: 'image' }
  },
  {
    name: 'image: with a URL scheme',
    inputs: { image: 'https://registry.example.com/app:1' },
    expect: { exitCode: 1, errors: 1, input: 'image' }
  },
  {
    name: 'image: uppercase repository',
    inputs: { image: 'registry.example.com/MyApp:1' },
    expect: { exitCode: 1, errors: 1, input: 'image' }
  },
  {
    name: 'image: short sha256 digest',
    inputs: { image: 'registry.example.com/app@sha256:abc123' },
    expect: { exitCode: 1, errors: 1, input: 'image' }
  },
  {
    name: 'image: empty tag',
    inputs: { image: 'registry.example.com/app:' },
    expect: { exitCode: 1, errors: 1, input: 'image' }
  },
  {
    name: 'image: an unexpanded workflow expression',
    inputs: { image: 'registry.example.com/app:${{ github.sha }}' },
    expect: { exitCode: 1, errors: 1, input: 'image' }
  },
  {
    name: 'image: a tag of 129 characters',
    inputs: { image: `registry.example.com/app:${'t'.repeat(129)}` },
    expect: { exitCode: 1, errors: 1, input: 'image' }
  },
  {
    name: 'image: no repository name',
    inputs: { image: 'registry.example.com/:1' },
    expect: { exitCode: 1, errors: 1, input: 'image' }
  },

  // --- tags, platforms, build-args, network
  {
    name: 'tags: with a space',
    base: 'build',
    inputs: { tags: 'release 1' },
    expect: { exitCode: 1, errors: 1, input: 'tags' }
  },
  {
    name: 'tags: starting with a dot',
    base: 'build',
    inputs: { tags: '.hidden' },
    expect: { exitCode: 1, errors: 1, input: 'tags' }
  },
  {
    name: 'tags: 129 characters',
    base: 'build',
    inputs: { tags: 't'.repeat(129) },
    expect: { exitCode: 1, errors: 1, input: 'tags' }
  },
  {
    name: 'tags: command substitution $(id)',
    base: 'build',
    inputs: { tags: 'latest\n$(id)' },
    expect: { exitCode: 1, errors: 1, input: 'tags' }
  },
  {
    name: 'platforms: linux',
    base: 'build',
    inputs: { platforms: 'linux' },
    expect: { exitCode: 1, errors: 1, input: 'platforms' }
  },
  {
    name: 'platforms: Linux/AMD64',
    base: 'build',
    inputs: { platforms: 'Linux/AMD64' },
    expect: { exitCode: 1, errors: 1, input: 'platforms' }
  },
  {
    name: 'platforms: a flag smuggled in (linux/amd64 --push)',
    base: 'build',
    inputs: { platforms: 'linux/amd64 --push' },
    expect: { exitCode: 1, errors: 1, input: 'platforms' }
  },
  {
    name: 'build-args: a line without =',
    base: 'build',
    inputs: { 'build-args': 'APP_MODE=ok\nNOVALUE' },
    expect: { exitCode: 1, errors: 1, input: 'build-args' }
  },
  {
    name: 'build-args: a key starting with a digit',
    base: 'build',
    inputs: { 'build-args': '1KEY=x' },
    expect: { exitCode: 1, errors: 1, input: 'build-args' }
  },
  {
    name: 'build-args: a key with a space',
    base: 'build',
    inputs: { 'build-args': 'MY KEY=x' },
    expect: { exitCode: 1, errors: 1, input: 'build-args' }
  },
  {
    name: 'build-args: a docker flag as a line (--network=host)',
    base: 'build',
    inputs: { 'build-args': '--network=host' },
    expect: { exitCode: 1, errors: 1, input: 'build-args' }
  },
  {
    name: 'network: bogus',
    base: 'build',
    inputs: { network: 'bogus' },
    expect: { exitCode: 1, errors: 1, input: 'network' }
  },
  {
    name: 'network: a flag smuggled in (none --privileged)',
    base: 'build',
    inputs: { network: 'none --privileged' },
    expect: { exitCode: 1, errors: 1, input: 'network' }
  },
  {
    name: 'network: $(id)',
    base: 'build',
    inputs: { network: '$(id)' },
    expect: { exitCode: 1, errors: 1, input: 'network' }
  },

  // --- numbers
  ...['three', '-1', '1e3', '1.5', '5001', '0x10'].map((value): HostileCase => ({
    name: `desired-count: ${value}`,
    inputs: { 'desired-count': value },
    expect: { exitCode: 1, errors: 1, input: 'desired-count' }
  })),
  ...['0', '-1', 'abc', '1000', 'Infinity', '1e2'].map((value): HostileCase => ({
    name: `wait-for-minutes: ${value}`,
    inputs: { 'wait-for-minutes': value },
    expect: { exitCode: 1, errors: 1, input: 'wait-for-minutes' }
  })),
  ...['0', '-3', 'many', '2.5', '1001'].map((value): HostileCase => ({
    name: `max-failed-tasks: ${value}`,
    inputs: { 'max-failed-tasks': value },
    expect: { exitCode: 1, errors: 1, input: 'max-failed-tasks' }
  })),
  ...['ALL', 'TASK-DEFINITION', 'SERVICE,NONE'].map((value): HostileCase => ({
    name: `propagate-tags: ${value}`,
    inputs: { 'propagate-tags': value },
    expect: { exitCode: 1, errors: 1, input: 'propagate-tags' }
  })),

  // --- booleans: a case the table above does not cover
  {
    name: 'rollback: tRUE (mixed case is not a boolean either)',
    inputs: { rollback: 'tRUE' },
    expect: { exitCode: 1, errors: 1, input: 'rollback' }
  },

  // --- conflicting or missing inputs
  {
    name: 'repository and image both set',
    base: 'build',
    inputs: { image: `127.0.0.1:5001/${REPOSITORY}@sha256:${'a'.repeat(64)}` },
    expect: { exitCode: 1, errors: 1, input: ['image', 'repository'] }
  },
  {
    name: 'task-definition and task-definition-family both set',
    inputs: { 'task-definition-family': 'demo-web' },
    expect: { exitCode: 1, errors: 1, input: ['task-definition-family', 'task-definition'] }
  },
  {
    name: 'nothing to deploy: no repository, image or service',
    inputs: { image: null, service: null },
    expect: { exitCode: 1, errors: 1, input: ['repository', 'image', 'service'] }
  },
  {
    name: 'nothing to start from: no service, task-definition or family',
    inputs: { service: null, 'task-definition': null },
    expect: { exitCode: 1, errors: 1, input: ['task-definition', 'task-definition-family', 'service'] }
  },
  {
    name: 'cluster that does not exist',
    inputs: { cluster: 'no-such-cluster' },
    expect: { exitCode: 1, errors: 1, input: 'cluster' }
  },
  {
    name: 'service that does not exist',
    inputs: { service: 'no-such-service' },
    expect: { exitCode: 1, errors: 1, input: 'service' }
  },
  {
    name: 'service name carrying a workflow command (nope\\n::error::injected)',
    inputs: { service: 'nope\n::error::injected' },
    expect: { exitCode: 1, errors: 1, input: 'service' }
  },
  {
    name: 'task-definition-family that does not exist',
    inputs: { 'task-definition': null, 'task-definition-family': 'no-such-family' },
    expect: { exitCode: 1, errors: 1, input: 'task-definition-family' }
  },
  {
    name: 'container-name not in the task definition',
    inputs: { 'container-name': 'api' },
    expect: { exitCode: 1, errors: 1, input: 'container-name' }
  }
]

const fileRows: HostileCase[] = [
  {
    name: 'task definition: malformed JSON (missing comma)',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('malformed.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 4 }
  },
  {
    name: 'task definition: malformed YAML (broken indentation)',
    inputs: { 'task-definition': 'td.yaml' },
    files: { 'td.yaml': fixture('malformed.yaml') },
    expect: { exitCode: 1, errors: 1, file: 'td.yaml', line: [5, 6] }
  },
  {
    name: 'task definition: a list, not an object',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': '[\n  { "family": "demo-web" }\n]\n' },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 1 }
  },
  {
    name: 'task definition: a string, not an object',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': '"demo-web"\n' },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 1 }
  },
  {
    name: 'task definition: null',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': 'null\n' },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 1 }
  },
  {
    name: 'task definition: empty file',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': '' },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 1 }
  },
  {
    name: 'task definition: only whitespace',
    inputs: { 'task-definition': 'td.yaml' },
    files: { 'td.yaml': '\n   \n\t\n' },
    expect: { exitCode: 1, errors: 1, file: 'td.yaml' }
  },
  {
    name: 'task definition: a binary file',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': binary },
    expect: { exitCode: 1, errors: 1, file: 'td.json' }
  },
  {
    name: 'task definition: a 1 MB one-line file (only a short excerpt quoted)',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': hugeOneLine },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 1 },
    secrets: [HUGE_WINDOW]
  },
  {
    name: 'task definition: 100 000 nested brackets',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': () => `${'['.repeat(100_000)}${']'.repeat(100_000)}\n` },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 1 }
  },
  {
    name: 'task definition: YAML alias bomb (billion laughs)',
    inputs: { 'task-definition': 'td.yaml' },
    files: { 'td.yaml': fixture('yaml-alias-bomb.yaml') },
    expect: { exitCode: 1, errors: 1, file: 'td.yaml' }
  },
  {
    name: 'task definition: a PyYAML object tag as an image',
    inputs: { 'task-definition': 'td.yaml' },
    files: { 'td.yaml': fixture('yaml-python-tag.yaml') },
    expect: { exitCode: 1, errors: 1, file: 'td.yaml', line: 12 }
  },
  {
    name: 'task definition: unknown keys only',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('unknown-keys-only.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 1 }
  },
  {
    name: 'task definition: CloudFormation casing (Family, ContainerDefinitions)',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('wrong-case-keys.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: [1, 2] }
  },
  {
    name: 'task definition: describe output wrapping an empty object',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': '{\n  "taskDefinition": {}\n}\n' },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: [1, 2] }
  },
  {
    name: 'task definition: containerDefinitions is an object',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('containers-as-object.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 7 }
  },
  {
    name: 'task definition: a directory',
    inputs: { 'task-definition': 'examples' },
    files: { 'examples/td.json': fixture('outside-td.json') },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: OUTSIDE_SECRETS
  },
  {
    name: 'task definition: no such file',
    inputs: { 'task-definition': 'nope.json' },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' }
  },

  // --- what RegisterTaskDefinition refuses: found in the plan, with file:line, before any build
  {
    name: 'register-time: cpu as an object',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('cpu-object.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 5 }
  },
  {
    name: 'register-time: container memory -5',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('memory-negative.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 12 }
  },
  {
    name: 'register-time: a 10 MB environment value',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': tenMegabyteValue },
    // Refused before it is read: a file over 1 MiB is not a task definition ECS could take (64 KiB).
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: ['v'.repeat(300)]
  },
  {
    name: 'register-time: a definition over 64 KiB',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': over64KiB },
    expect: { exitCode: 1, errors: 1, file: 'td.json' }
  },
  {
    name: 'register-time: the only container with an empty image and no new image',
    inputs: { image: null },
    expect: { exitCode: 1, errors: 1, file: 'task-definition.json', line: 10 }
  },
  {
    name: 'register-time: a sidecar with an empty image',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('empty-sidecar-image.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 9 }
  },
  {
    name: 'register-time: a container with an empty name',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('empty-name.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 9 }
  },
  {
    name: 'register-time: duplicate container names',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('duplicate-names.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 9 }
  },
  {
    name: 'register-time: no essential container',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('no-essential.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: [7, 8, 9] }
  },
  {
    name: 'register-time: Fargate without awsvpc',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('fargate-bridge.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: [3, 4] }
  },
  {
    name: 'register-time: Fargate cpu 256 with memory 4096',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('fargate-cpu-memory.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: [5, 6] }
  },
  {
    name: 'register-time: 11 containers',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('eleven-containers.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: [7, 18] }
  },
  {
    name: 'register-time: hostPort 80 with containerPort 8080 under awsvpc',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('host-port-mismatch.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 12 }
  },
  {
    name: 'register-time: EC2 with neither task nor container memory',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('ec2-no-memory.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: [1, 4, 5] }
  },
  {
    name: 'register-time: a family with spaces and shell characters',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('family-invalid.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 2 }
  },
  {
    name: 'register-time: containerPort "http"',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('container-port-string.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 12 }
  },
  {
    name: 'register-time: essential "yes"',
    base: 'build',
    inputs: { 'task-definition': 'td.json' },
    files: { 'td.json': fixture('essential-string.json') },
    expect: { exitCode: 1, errors: 1, file: 'td.json', line: 7 }
  }
]

const pathRows: HostileCase[] = [
  {
    name: 'task-definition: ../outside-td.json (a valid file one folder up)',
    inputs: { 'task-definition': '../outside-td.json' },
    outside: { 'outside-td.json': fixture('outside-td.json') },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: OUTSIDE_SECRETS
  },
  {
    name: 'task-definition: a symlink in the workspace to a file outside',
    inputs: { 'task-definition': 'td.json' },
    outside: { 'outside-td.json': fixture('outside-td.json') },
    symlinks: { 'td.json': '../outside-td.json' },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: OUTSIDE_SECRETS
  },
  {
    name: 'task-definition: through a symlinked folder that points outside',
    inputs: { 'task-definition': 'deploy/outside-td.json' },
    outside: { 'outside-td.json': fixture('outside-td.json') },
    symlinks: { deploy: '..' },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: OUTSIDE_SECRETS
  },
  {
    name: 'task-definition: sub/../../outside-td.json',
    inputs: { 'task-definition': 'sub/../../outside-td.json' },
    files: { 'sub/readme.txt': 'a folder that exists\n' },
    outside: { 'outside-td.json': fixture('outside-td.json') },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: OUTSIDE_SECRETS
  },
  {
    name: 'task-definition: /etc/passwd',
    inputs: { 'task-definition': '/etc/passwd' },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: PASSWD_SECRETS
  },
  {
    name: 'task-definition: ../../../../etc/passwd',
    inputs: { 'task-definition': '../../../../../../../../etc/passwd' },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: PASSWD_SECRETS
  },
  {
    name: 'task-definition: /etc/hostname',
    inputs: { 'task-definition': '/etc/hostname' },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: HOSTNAME_SECRETS
  },
  {
    name: 'task-definition: a symlink in the workspace to /etc/passwd',
    inputs: { 'task-definition': 'td.yaml' },
    symlinks: { 'td.yaml': '/etc/passwd' },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' },
    secrets: PASSWD_SECRETS
  },
  {
    name: 'task-definition: a symlink in the workspace to /dev/stdin',
    inputs: { 'task-definition': 'td.json' },
    symlinks: { 'td.json': '/dev/stdin' },
    expect: { exitCode: 1, errors: 1, input: 'task-definition' }
  },
  {
    name: 'dockerfile: ../Dockerfile.outside',
    base: 'build',
    inputs: { dockerfile: '../Dockerfile.outside' },
    outside: { 'Dockerfile.outside': OUTSIDE_DOCKERFILE },
    expect: { exitCode: 1, errors: 1, input: 'dockerfile' },
    secrets: ['outside-dockerfile-marker-5d2a']
  },
  {
    name: 'dockerfile: /etc/passwd',
    base: 'build',
    inputs: { dockerfile: '/etc/passwd' },
    expect: { exitCode: 1, errors: 1, input: 'dockerfile' },
    secrets: PASSWD_SECRETS
  },
  {
    name: 'dockerfile: a symlink in the workspace to a file outside',
    base: 'build',
    inputs: { dockerfile: 'Dockerfile.link' },
    outside: { 'Dockerfile.outside': OUTSIDE_DOCKERFILE },
    symlinks: { 'Dockerfile.link': '../Dockerfile.outside' },
    expect: { exitCode: 1, errors: 1, input: 'dockerfile' },
    secrets: ['outside-dockerfile-marker-5d2a']
  },
  {
    name: 'context: .. (the folder above the workspace)',
    base: 'build',
    inputs: { context: '..' },
    expect: { exitCode: 1, errors: 1, input: 'context' }
  },
  {
    name: 'context: /etc',
    base: 'build',
    inputs: { context: '/etc' },
    expect: { exitCode: 1, errors: 1, input: 'context' }
  },
  {
    name: 'context: a symlinked folder that points outside',
    base: 'build',
    inputs: { context: 'app' },
    symlinks: { app: '/etc' },
    expect: { exitCode: 1, errors: 1, input: 'context' }
  }
]

export const CASES: HostileCase[] = [...inputRows, ...booleanRows, ...fileRows, ...pathRows]

// ---------------------------------------------------------------------------------------------------------
// Judging one run.
// ---------------------------------------------------------------------------------------------------------

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Whether an annotation names the input: `Input "x"`, `(input "x")`, `the x input`, a message that starts
 * with the input's name (`repository: "…"`), or the title `Invalid input: x`. The wording is free.
 */
export function namesInput(error: { title?: string; message: string }, input: string): boolean {
  const name = escapeRegExp(input)
  const quoted = new RegExp(
    `\\binputs? [\`"']?${name}[\`"']?(?![\\w-])|(?<![\\w-])[\`"']?${name}[\`"']? input\\b`,
    'i'
  )
  const leading = new RegExp(`^${name}(?![\\w-])`)
  return (
    quoted.test(error.message) ||
    leading.test(error.message) ||
    (error.title !== undefined && new RegExp(`^Invalid input: ${name}$`).test(error.title))
  )
}

/**
 * The log as the runner shows it: `::add-mask::` lines are consumed, and the values they registered are
 * shown as `***` wherever they appear afterwards.
 */
export function runnerView(output: string): string {
  const masks: string[] = []
  const lines: string[] = []
  for (const line of output.split('\n')) {
    const mask = /^\s*::add-mask::(.*)$/.exec(line)
    if (mask) {
      if (mask[1].trim() !== '') masks.push(mask[1].replace(/\r$/, ''))
      continue
    }
    lines.push(masks.reduce((text, secret) => text.split(secret).join('***'), line))
  }
  return lines.join('\n')
}

function found(text: string, secret: string | RegExp): boolean {
  return typeof secret === 'string' ? text.includes(secret) : secret.test(text)
}

/** A stack trace line, as Node prints one. */
const STACK_LINE = /\n\s+at .*\(?[^\s()]+\.[cm]?js:\d+:\d+\)?/

/** Everything that is wrong with this run for this row; empty when the row holds. */
export function check(c: HostileCase, run: ActionRun, calls: SimCall[]): string[] {
  const problems: string[] = []
  const e = c.expect
  if (run.exitCode !== e.exitCode) problems.push(`exit code ${run.exitCode}, expected ${e.exitCode}`)
  if (run.errors.length !== e.errors) {
    problems.push(
      `${run.errors.length} ::error annotations, expected ${e.errors}: ${JSON.stringify(run.errors.map(a => a.title ?? a.message))}`
    )
  }
  const error = run.errors[0]
  if (error) {
    const inputs = e.input === undefined ? [] : Array.isArray(e.input) ? e.input : [e.input]
    if (inputs.length > 0 && !inputs.some(i => namesInput(error, i))) {
      problems.push(
        `the error does not name input ${inputs.map(i => `"${i}"`).join(' or ')}: ${error.title}: ${error.message}`
      )
    }
    if (e.file !== undefined) {
      if (error.file !== e.file)
        problems.push(`annotation file ${JSON.stringify(error.file)}, expected "${e.file}"`)
      const lines = e.line === undefined ? [] : Array.isArray(e.line) ? e.line : [e.line]
      if (error.line === undefined) problems.push('the annotation has no line')
      else if (lines.length > 0 && !lines.includes(Number(error.line)))
        problems.push(`annotation line ${error.line}, expected ${lines.join(' or ')}`)
      // The annotation's properties place it at file:line; the text itself must still say which file.
      if (!error.message.includes(e.file))
        problems.push(`the message does not name ${e.file}: ${error.message.slice(0, 200)}`)
    }
    if (e.message && !e.message.test(error.message))
      problems.push(`the message does not match ${e.message}: ${error.message.slice(0, 300)}`)
    if (error.message.length > MAX_MESSAGE_LENGTH)
      problems.push(`the message is ${error.message.length} characters long (at most ${MAX_MESSAGE_LENGTH})`)
  }
  const mutating = calls.filter(call => MUTATING_CALLS.has(call.operation))
  if (mutating.length > 0) problems.push(`mutating calls: ${mutating.map(call => call.operation).join(', ')}`)
  const shown: Array<[string, string]> = [
    ['output', runnerView(run.output)],
    ['post output', runnerView(run.post?.output ?? '')],
    ['summary', run.summary],
    ['outputs', JSON.stringify(run.outputs)]
  ]
  for (const secret of [CREDENTIALS.secretAccessKey, ...(c.secrets ?? [])]) {
    for (const [where, text] of shown) {
      if (found(text, secret)) problems.push(`the ${where} shows ${String(secret).slice(0, 60)}`)
    }
  }
  if (STACK_LINE.test(run.output)) problems.push('the output has a stack trace')
  return problems
}

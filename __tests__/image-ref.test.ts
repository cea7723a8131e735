import { describe, expect, test } from '@jest/globals'
import { DeployError } from '../src/errors.js'
import {
  buildInputsHash,
  defaultTag,
  formatRepositoryInput,
  lookupRepository,
  ociLabels,
  parseEcrHost,
  parseImageReference,
  parseRepositoryInput,
  pinnedImage,
  registryHost,
  splitRepositoryUri,
  TAG_PATTERN,
  type BuildInputs
} from '../src/image-ref.js'

const base: BuildInputs = { context: '.', buildArgs: {}, platforms: [] }
const SHA = '0123456789abcdef0123456789abcdef01234567'
const DIGEST = `sha256:${'a'.repeat(64)}`

describe('buildInputsHash', () => {
  test('is sha256 hex and stable across calls', () => {
    const h = buildInputsHash(base)
    expect(h).toMatch(/^[a-f0-9]{64}$/)
    expect(buildInputsHash({ ...base })).toBe(h)
  })

  test.each<[string, BuildInputs, BuildInputs]>([
    [
      'build-arg key order',
      { ...base, buildArgs: { A: '1', B: '2' } },
      { ...base, buildArgs: { B: '2', A: '1' } }
    ],
    [
      'platform order',
      { ...base, platforms: ['linux/amd64', 'linux/arm64'] },
      { ...base, platforms: ['linux/arm64', 'linux/amd64'] }
    ],
    [
      'duplicate platforms',
      { ...base, platforms: ['linux/amd64', 'linux/amd64'] },
      { ...base, platforms: ['linux/amd64'] }
    ],
    ['empty dockerfile = unset', { ...base, dockerfile: '' }, base],
    ['empty target = unset', { ...base, target: '' }, base],
    ['undefined network = unset', { ...base, network: undefined }, base],
    ['object key order', { platforms: [], buildArgs: {}, context: '.' }, base]
  ])('is the same regardless of %s', (_name, a, b) => {
    expect(buildInputsHash(a)).toBe(buildInputsHash(b))
  })

  test.each<[string, BuildInputs]>([
    ['context', { ...base, context: 'app' }],
    ['dockerfile', { ...base, dockerfile: 'Dockerfile.prod' }],
    ['a build arg', { ...base, buildArgs: { A: '1' } }],
    ['a build arg value', { ...base, buildArgs: { A: '2' } }],
    ['target', { ...base, target: 'runtime' }],
    ['platforms', { ...base, platforms: ['linux/arm64'] }],
    ['network', { ...base, network: 'host' }]
  ])('changes with %s', (_name, changed) => {
    expect(buildInputsHash(changed)).not.toBe(buildInputsHash(base))
  })

  test('build args: a value containing = is not confused with another split', () => {
    expect(buildInputsHash({ ...base, buildArgs: { A: 'b=c' } })).not.toBe(
      buildInputsHash({ ...base, buildArgs: { 'A=b': 'c' } })
    )
  })
})

describe('defaultTag', () => {
  test('is <sha 12>-<hash 8> and a valid docker tag', () => {
    const tag = defaultTag(SHA, base)
    expect(tag).toBe(`${SHA.slice(0, 12)}-${buildInputsHash(base).slice(0, 8)}`)
    expect(tag).toMatch(TAG_PATTERN)
    expect(tag.length).toBeLessThanOrEqual(128)
  })

  test('changes with the commit and with the build inputs', () => {
    const other = 'f' + SHA.slice(1)
    expect(defaultTag(other, base)).not.toBe(defaultTag(SHA, base))
    expect(defaultTag(SHA, { ...base, target: 'x' })).not.toBe(defaultTag(SHA, base))
  })

  test('accepts an upper-case sha and normalises it', () => {
    expect(defaultTag(SHA.toUpperCase(), base)).toBe(defaultTag(SHA, base))
  })

  test.each(['', 'main', 'not-a-sha-at-all', 'xyz1234567'])('rejects %p as a commit', sha => {
    expect(() => defaultTag(sha, base)).toThrow(DeployError)
  })
})

describe('ociLabels', () => {
  const created = new Date('2024-05-06T07:08:09.123Z')

  test.each<[string, Parameters<typeof ociLabels>[0], Record<string, string>]>([
    [
      'branch push',
      { repoUrl: 'https://github.com/o/r', sha: SHA, created, ref: 'refs/heads/main' },
      {
        'org.opencontainers.image.source': 'https://github.com/o/r',
        'org.opencontainers.image.revision': SHA,
        'org.opencontainers.image.created': '2024-05-06T07:08:09.123Z'
      }
    ],
    [
      'tag push',
      { repoUrl: 'https://github.com/o/r', sha: SHA, created, ref: 'refs/tags/v1.2.3' },
      {
        'org.opencontainers.image.source': 'https://github.com/o/r',
        'org.opencontainers.image.revision': SHA,
        'org.opencontainers.image.created': '2024-05-06T07:08:09.123Z',
        'org.opencontainers.image.version': 'v1.2.3'
      }
    ],
    [
      'no repository url, no ref',
      { sha: SHA, created },
      {
        'org.opencontainers.image.revision': SHA,
        'org.opencontainers.image.created': '2024-05-06T07:08:09.123Z'
      }
    ]
  ])('%s', (_name, ctx, expected) => {
    expect(ociLabels(ctx)).toEqual(expected)
  })
})

describe('parseImageReference', () => {
  test.each<[string, ReturnType<typeof parseImageReference>]>([
    ['nginx', { repository: 'nginx' }],
    ['nginx:1.27', { repository: 'nginx', tag: '1.27' }],
    ['library/nginx:latest', { repository: 'library/nginx', tag: 'latest' }],
    ['team/sub/app', { repository: 'team/sub/app' }],
    ['localhost/app:dev', { registry: 'localhost', repository: 'app', tag: 'dev' }],
    ['127.0.0.1:5001/app:abc', { registry: '127.0.0.1:5001', repository: 'app', tag: 'abc' }],
    ['127.0.0.1:5001/app', { registry: '127.0.0.1:5001', repository: 'app' }],
    ['ghcr.io/o/r:v1', { registry: 'ghcr.io', repository: 'o/r', tag: 'v1' }],
    [
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app@${DIGEST}`,
      { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com', repository: 'my-app', digest: DIGEST }
    ],
    [
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/my-app:v1@${DIGEST}`,
      {
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        repository: 'team/my-app',
        tag: 'v1',
        digest: DIGEST
      }
    ],
    [`app@${DIGEST}`, { repository: 'app', digest: DIGEST }],
    ['  app:v1  ', { repository: 'app', tag: 'v1' }],
    ['my_app__x.y-z:T_1.0-rc', { repository: 'my_app__x.y-z', tag: 'T_1.0-rc' }]
  ])('%s', (ref, expected) => {
    expect(parseImageReference(ref)).toEqual(expected)
  })

  test.each<[string, RegExp]>([
    ['', /empty/],
    ['   ', /empty/],
    ['https://ghcr.io/o/r', /URL scheme/],
    ['My-App', /invalid repository name/],
    ['app:', /invalid tag/],
    ['app:-bad', /invalid tag/],
    [`app:${'x'.repeat(129)}`, /invalid tag/],
    ['app@sha256:abc', /invalid digest/],
    [`app@sha256:${'A'.repeat(64)}`, /invalid digest/],
    ['app@', /invalid digest/],
    ['ghcr.io/', /no repository name/],
    ['a//b', /invalid repository name/],
    ['app-/x', /invalid repository name/],
    ['my app', /whitespace/],
    ['bad_host!.io/app', /invalid registry/],
    // A path is not an image: ".." is no registry.
    ['../etc:1', /has an invalid registry "\.\."/],
    ['./app', /has an invalid registry "\."/],
    // What the message quotes is bounded and inert.
    ['app\u0000x', /"app\\u0000x" has an invalid repository name/],
    ['app:1@sha256:::error::x', /has an invalid digest "sha256:\\u003a\\u003aerror:\\u003ax"/],
    [`${'a'.repeat(300)}:1`, /^Input "image": "a{79}…" has a repository name longer than 255/]
  ])('rejects %p', (ref, message) => {
    let caught: unknown
    try {
      parseImageReference(ref)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(DeployError)
    const e = caught as DeployError
    expect(e.message).toMatch(/^Input "image": /)
    expect(e.title).toBe('Invalid input: image')
    expect(e.message).toMatch(message)
    expect(e.message).not.toMatch(/\p{Cc}|::/u)
  })
})

describe('pinnedImage', () => {
  test('is uri@digest', () => {
    expect(pinnedImage('123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app', DIGEST)).toBe(
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app@${DIGEST}`
    )
  })

  test('round-trips through parseImageReference', () => {
    expect(parseImageReference(pinnedImage('127.0.0.1:5001/app', DIGEST))).toEqual({
      registry: '127.0.0.1:5001',
      repository: 'app',
      digest: DIGEST
    })
  })

  test.each(['', 'sha256:abc', 'latest', `md5:${'a'.repeat(64)}`])('rejects digest %p', digest => {
    expect(() => pinnedImage('app', digest)).toThrow(DeployError)
  })
})

describe('ECR hosts', () => {
  test.each([
    ['https://123456789012.dkr.ecr.us-east-1.amazonaws.com', '123456789012.dkr.ecr.us-east-1.amazonaws.com'],
    ['http://127.0.0.1:5001', '127.0.0.1:5001'],
    ['http://[::1]:5001/', '[::1]:5001'],
    ['127.0.0.1:5001/v2/', '127.0.0.1:5001']
  ])('registryHost(%p) = %p', (endpoint, host) => {
    expect(registryHost(endpoint)).toBe(host)
  })

  test.each<[string, ReturnType<typeof parseEcrHost>]>([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', { registryId: '123456789012', region: 'eu-west-1' }],
    ['123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM', { registryId: '123456789012', region: 'eu-west-1' }],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com',
      { registryId: '123456789012', region: 'us-gov-west-1' }
    ],
    [
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
      { registryId: '123456789012', region: 'cn-north-1' }
    ],
    [
      '123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov',
      { registryId: '123456789012', region: 'us-iso-east-1' }
    ],
    ['12345.dkr.ecr.eu-west-1.amazonaws.com', undefined],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.io', undefined],
    ['127.0.0.1:5001', undefined],
    ['public.ecr.aws', undefined]
  ])('parseEcrHost(%p) = %p', (host, expected) => {
    expect(parseEcrHost(host)).toEqual(expected)
  })

  test.each<[string | undefined, ReturnType<typeof splitRepositoryUri>]>([
    ['127.0.0.1:5001/my-app', { registry: '127.0.0.1:5001', uri: '127.0.0.1:5001/my-app' }],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app',
      {
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        uri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app'
      }
    ],
    ['my-app', undefined],
    ['/my-app', undefined],
    ['', undefined],
    [undefined, undefined]
  ])('splitRepositoryUri(%p) = %p', (uri, expected) => {
    expect(splitRepositoryUri(uri)).toEqual(expected)
  })
})

describe('parseRepositoryInput', () => {
  test.each<[string, ReturnType<typeof parseRepositoryInput>]>([
    ['my-app', { name: 'my-app' }],
    ['team/my-app', { name: 'team/my-app' }],
    ['a/b/c.d_e-f', { name: 'a/b/c.d_e-f' }],
    [' my-app ', { name: 'my-app' }],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app',
      {
        name: 'my-app',
        registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        registryId: '123456789012',
        region: 'eu-west-1'
      }
    ],
    [
      '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/team/my-app',
      {
        name: 'team/my-app',
        registry: '123456789012.dkr.ecr-fips.us-east-1.amazonaws.com',
        registryId: '123456789012',
        region: 'us-east-1'
      }
    ],
    [
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/my-app',
      {
        name: 'my-app',
        registry: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn',
        registryId: '123456789012',
        region: 'cn-north-1'
      }
    ],
    // Loopback registries (a local ECR such as sim/): the only non-AWS hosts taken.
    ['127.0.0.1:5001/my-app', { name: 'my-app', registry: '127.0.0.1:5001' }],
    ['localhost/my-app', { name: 'my-app', registry: 'localhost' }],
    ['localhost:5000/team/my-app', { name: 'team/my-app', registry: 'localhost:5000' }],
    ['[::1]:5001/my-app', { name: 'my-app', registry: '[::1]:5001' }]
  ])('%p', (value, expected) => {
    expect(parseRepositoryInput(value)).toEqual(expected)
  })

  test.each<[string, RegExp]>([
    ['', /empty/],
    ['a', /2 to 256/],
    ['x'.repeat(257), /2 to 256/],
    ['My-App', /is not an ECR repository name or URI/],
    // Moved from resolveRepository's tests: the plan parses, so an invalid name never reaches ECR.
    ['Bad Name', /is not an ECR repository name or URI/],
    ['my app', /is not an ECR repository name or URI/],
    ['-app', /is not an ECR repository name or URI/],
    ['app-', /is not an ECR repository name or URI/],
    ['a//b', /is not an ECR repository name or URI/],
    ['my-app:latest', /must not contain a tag/],
    ['127.0.0.1:5001/my-app:v1', /must not contain a tag/],
    [`my-app@sha256:${'a'.repeat(64)}`, /digest/],
    ['https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app', /URL scheme/],
    // Paths, not repositories: once parsed as registry "..", now refused as what they are.
    ['../etc', /"\.\.\/etc" is not an ECR repository name or URI/],
    ['./my-app', /is not an ECR repository name or URI/],
    ['/my-app', /is not an ECR repository name or URI/],
    ['my-app/', /is not an ECR repository name or URI/],
    ['a__b', /is not an ECR repository name or URI/],
    ['a--b', /is not an ECR repository name or URI/],
    // Other registries: this input pushes to ECR only.
    ['ghcr.io/owner/app', /names the registry "ghcr\.io", which is not an ECR registry/],
    ['public.ecr.aws/team/app', /names the registry "public\.ecr\.aws", which is not an ECR registry/],
    ['registry.example.com:5000/app', /which is not an ECR registry/],
    ['10.0.0.1:5001/app', /which is not an ECR registry/],
    ['12345.dkr.ecr.eu-west-1.amazonaws.com/app', /which is not an ECR registry/],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.io/app', /which is not an ECR registry/],
    // What the message quotes is bounded and inert.
    ['x\n::error::y', /"x\\n:\\u003aerror:\\u003ay" must not contain a tag/],
    [`${'a'.repeat(300)}/b`, /"a{79}…" has a name of 302 characters/]
  ])('rejects %p', (value, message) => {
    let error: unknown
    try {
      parseRepositoryInput(value)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(DeployError)
    expect(error).toMatchObject({ title: 'Invalid input: repository' })
    expect((error as Error).message).toMatch(/^Input "repository": /)
    expect((error as Error).message).not.toMatch(/[\n\r]|::/)
    expect((error as Error).message).toMatch(message)
  })
})

describe('formatRepositoryInput', () => {
  test.each([
    ['my-app', 'my-app'],
    [' team/my-app ', 'team/my-app'],
    ['127.0.0.1:5001/my-app', '127.0.0.1:5001/my-app'],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app',
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app'
    ]
  ])('%p parsed and formatted again is %p', (input, text) => {
    expect(formatRepositoryInput(parseRepositoryInput(input))).toBe(text)
  })
})

describe('lookupRepository (an image input ECR can pin)', () => {
  const ecr = '123456789012.dkr.ecr.eu-west-1.amazonaws.com'
  test.each<[string, ReturnType<typeof lookupRepository>]>([
    [`${ecr}/web:v1`, { name: 'web', registry: ecr, uri: `${ecr}/web` }],
    [
      '127.0.0.1:5001/team/web:v1',
      { name: 'team/web', registry: '127.0.0.1:5001', uri: '127.0.0.1:5001/team/web' }
    ],
    ['localhost:5000/web:v1', { name: 'web', registry: 'localhost:5000', uri: 'localhost:5000/web' }],
    [`${ecr}/web@sha256:${'a'.repeat(64)}`, undefined],
    [`${ecr}/web:v1@sha256:${'a'.repeat(64)}`, undefined],
    [`${ecr}/web`, undefined],
    ['nginx:1.27', undefined],
    ['ghcr.io/owner/web:v1', undefined]
  ])('%p → %p', (image, expected) => {
    expect(lookupRepository(parseImageReference(image))).toEqual(expected)
  })
})

/** What docker prints, read (src/docker-output.ts): tables, no docker. Moved from docker.test.ts. */
import { describe, expect, test } from '@jest/globals'
import {
  lastLines,
  parseCacheUse,
  parseImagetoolsDigest,
  parseMetadataDigest,
  parsePushDigest,
  parseRepoDigests,
  scrub
} from '../src/docker-output.js'

const URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app'
const DIGEST = `sha256:${'c'.repeat(64)}`
const OTHER = `sha256:${'d'.repeat(64)}`

describe('output parsers', () => {
  test.each<[string, string | undefined]>([
    [`latest: digest: ${DIGEST} size: 528\n`, DIGEST],
    [`The push refers to repository [x]\nabc: Pushed\nv1: digest: ${DIGEST} size: 1234\n`, DIGEST],
    [`a: digest: ${OTHER} size: 1\nb: digest: ${DIGEST} size: 2`, DIGEST],
    ['Pushed\n', undefined],
    ['v1: digest: sha256:short size: 1', undefined]
  ])('parsePushDigest %#', (output, expected) => {
    expect(parsePushDigest(output)).toBe(expected)
  })

  test.each<[string, string | undefined]>([
    [JSON.stringify({ 'containerimage.digest': DIGEST }), DIGEST],
    [JSON.stringify({ 'containerimage.digest': 'nope' }), undefined],
    [JSON.stringify({}), undefined],
    ['null', undefined],
    ['{', undefined]
  ])('parseMetadataDigest %#', (json, expected) => {
    expect(parseMetadataDigest(json)).toBe(expected)
  })

  test.each<[string, string | undefined]>([
    [JSON.stringify([`${URI}@${DIGEST}`]), DIGEST],
    [JSON.stringify([`${URI}-other@${OTHER}`, `${URI}@${DIGEST}`]), DIGEST],
    [JSON.stringify([`${URI}-other@${OTHER}`]), undefined],
    ['[]', undefined],
    ['<no value>', undefined]
  ])('parseRepoDigests %#', (json, expected) => {
    expect(parseRepoDigests(json, URI)).toBe(expected)
  })

  test.each<[string, string | undefined]>([
    [JSON.stringify({ mediaType: 'x', digest: OTHER, size: 1 }), OTHER],
    [JSON.stringify({ digest: 'sha256:short' }), undefined],
    [JSON.stringify({}), undefined],
    ['null', undefined],
    ['unknown flag: --format', undefined]
  ])('parseImagetoolsDigest %#', (json, expected) => {
    expect(parseImagetoolsDigest(json)).toBe(expected)
  })

  test.each<[string, number | undefined, string]>([
    ['a\r\nb\n\n c\n', 2, 'b\n c'],
    ['a\rb\rc', 2, 'b\nc'],
    [
      Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n'),
      undefined,
      Array.from({ length: 20 }, (_, i) => `line ${i + 10}`).join('\n')
    ],
    ['\n\n', 3, '']
  ])('lastLines keeps the last non-empty lines, CRLF or not %#', (text, n, expected) => {
    expect(lastLines(text, n)).toBe(expected)
  })

  test.each<[string, string, string]>([
    ['Error: bad password hunter2 for hunter2', 'hunter2', 'Error: bad password *** for ***'],
    ['nothing secret', 'hunter2', 'nothing secret'],
    ['an empty secret changes nothing', '', 'an empty secret changes nothing']
  ])('scrub %#', (text, secret, expected) => {
    expect(scrub(text, secret)).toBe(expected)
  })
})

/** Shapes as the two builders print them (BuildKit's plain progress; the classic builder's steps). */
describe('parseCacheUse', () => {
  const buildkit = [
    '#1 [internal] load build definition from Dockerfile',
    '#4 [1/3] FROM scratch',
    '#5 [2/3] COPY busybox /bin/busybox',
    '#5 CACHED',
    '#6 [3/3] RUN ["/bin/busybox", "--install", "-s", "/bin"]',
    '#6 DONE 0.2s'
  ].join('\n')
  const classic = [
    'Step 1/3 : FROM scratch',
    ' ---> ',
    'Step 2/3 : COPY busybox /bin/busybox',
    ' ---> Using cache',
    ' ---> 1a2b3c',
    'Step 3/3 : CMD ["sh"]',
    ' ---> Using cache'
  ].join('\r\n')
  test.each<[string, string, { steps: number; cached: number } | undefined]>([
    ['BuildKit: 3 steps, 1 cached', buildkit, { steps: 3, cached: 1 }],
    ['classic (CRLF): 3 steps, 2 cached', classic, { steps: 3, cached: 2 }],
    ['no steps shown', 'Successfully built 1a2b3c\n', undefined],
    [
      'a CACHED line of an internal step is not a step',
      '#2 [internal] load .dockerignore\n#2 CACHED\n#3 [1/1] FROM scratch',
      { steps: 1, cached: 0 }
    ]
  ])('%s', (_name, output, expected) => {
    expect(parseCacheUse(output)).toEqual(expected)
  })
})

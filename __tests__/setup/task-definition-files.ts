/**
 * What every task-definition file must survive, for a folder of them: the project's own fixtures
 * (__tests__/fixtures/task-definitions) and the real-world corpus (../shared/corpus/task-definitions).
 * Used by __tests__/task-definition/fixtures.test.ts and corpus.test.ts (which checks existsSync and
 * skips with its reason when the corpus is absent); this module reads only the folder it is given.
 */
import { expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import YAML from 'yaml'
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import { DeployError } from '../../src/errors.js'
import { loadTaskDefinitionFile, type LoadedTaskDefinition } from '../../src/task-definition/load.js'
import { renderTaskDefinition, selectContainer } from '../../src/task-definition/render.js'

export const NEW_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:' + 'ab'.repeat(32)

/** Keys of describe-task-definition output that RegisterTaskDefinition does not take. */
export const READ_ONLY = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt'
]

/** The task-definition files in a folder (not its notes), sorted. */
export function taskDefinitionFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter(f => !f.endsWith('.md'))
    .sort()
}

/**
 * Loads `file` from `dir` as the action does, `dir` standing for the workspace (paths must lie inside it);
 * one place, so a change of signature is one edit.
 */
export function load(dir: string, file: string): Promise<LoadedTaskDefinition> {
  return loadTaskDefinitionFile(file, dir)
}

/** The error a function throws (fails the test when it throws none). */
export function thrown(fn: () => unknown): DeployError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(DeployError)
    return error as DeployError
  }
  throw new Error('expected a DeployError, nothing was thrown')
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter(v => v !== null).map(withoutNulls)
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)])
    )
  }
  return value
}

function containsNull(value: unknown): boolean {
  if (value === null) return true
  if (value && typeof value === 'object') return Object.values(value).some(containsNull)
  return false
}

/** What the loader should produce, computed independently: JSON.parse/YAML.parse, unwrap, strip, no nulls. */
function independentlyExpected(dir: string, file: string): Record<string, unknown> {
  const text = fs.readFileSync(path.join(dir, file), 'utf8')
  let value = (file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text, { merge: true })) as Record<
    string,
    unknown
  >
  if (value.taskDefinition) value = value.taskDefinition as Record<string, unknown>
  const expected = withoutNulls(value) as Record<string, unknown>
  for (const key of READ_ONLY) delete expected[key]
  return expected
}

type Container = Record<string, unknown>
export const containerOf = (expected: Record<string, unknown>, i: number): Container =>
  (expected.containerDefinitions as Container[])[i]

/** Files whose load is expected to warn: [line, message pattern], plus how the input differs. */
export type KnownWarnings = Record<
  string,
  {
    warnings: Array<[number, RegExp]>
    /** What the loader left out because ECS refuses it (a notice each): [line, message pattern]. */
    notices?: Array<[number, RegExp]>
    adjust: (e: Record<string, unknown>) => void
  }
>

/**
 * For each file: it loads with read-only keys and nulls gone and nothing else lost (warning only as
 * `known` says), and it renders for each of its containers, changing only that container's image.
 */
export function testLoadAndRender(dir: string, files: string[], known: KnownWarnings): void {
  test.each(files)('%s loads: read-only keys and nulls gone, nothing else lost', async file => {
    const loaded = await load(dir, file)
    const expected = independentlyExpected(dir, file)
    const warned = known[file]
    warned?.adjust(expected)
    expect(loaded.input).toEqual(expected)
    expect(loaded.warnings.map(w => [w.line, w.message])).toEqual(
      (warned?.warnings ?? []).map(([line, message]) => [line, expect.stringMatching(message)])
    )
    expect(loaded.notices.map(n => [n.line, n.message])).toEqual(
      (warned?.notices ?? []).map(([line, message]) => [line, expect.stringMatching(message)])
    )
    for (const key of READ_ONLY) expect(loaded.input).not.toHaveProperty(key)
    expect(loaded.input).not.toHaveProperty('taskDefinition')
    expect(containsNull(loaded.input)).toBe(false)
    expect(loaded.source).toBe(file)
    expect(loaded.locate(['family'])).toEqual({ line: expect.any(Number), column: expect.any(Number) })
  })

  test.each(files)('%s renders for each of its containers, changing only that image', async file => {
    const loaded = await load(dir, file)
    const before = JSON.stringify(loaded.input)
    const input = deepFreeze(loaded.input)
    const containers = input.containerDefinitions!
    expect(containers.length).toBeGreaterThan(0)
    for (const [i, container] of containers.entries()) {
      const othersEmpty = containers.some((c, j) => j !== i && c.image === '')
      if (othersEmpty) {
        // Only the container being deployed may have an empty image.
        expect(thrown(() => selectContainer(loaded, container.name)).title).toBe('Empty image')
        expect(thrown(() => renderTaskDefinition(input, container.name!, NEW_IMAGE)).title).toBe(
          'Empty image'
        )
        continue
      }
      expect(selectContainer(loaded, container.name)).toBe(container)
      const rendered = renderTaskDefinition(input, container.name!, NEW_IMAGE)
      const expected = structuredClone(input) as RegisterTaskDefinitionCommandInput
      expected.containerDefinitions![i].image = NEW_IMAGE
      expect(rendered).toEqual(expected)
      expect(rendered.containerDefinitions!.filter(c => c.image === NEW_IMAGE)).toHaveLength(1)
      // A deep copy: changing it leaves the input alone.
      expect(rendered.containerDefinitions![i]).not.toBe(container)
      rendered.containerDefinitions!.forEach(c => (c.name = 'changed'))
      expect(containers[i].name).toBe(container.name)
    }
    expect(JSON.stringify(loaded.input)).toBe(before)
  })
}

/** `get` on the loaded file, and on it rendered for another container (when it has one with an image). */
export async function expectKept(
  dir: string,
  file: string,
  what: string,
  get: (l: LoadedTaskDefinition) => unknown,
  expected: unknown
): Promise<void> {
  const loaded = await load(dir, file)
  expect(get(loaded)).toEqual(expected)
  // Rendering another container's image (when the file has one) keeps the feature too.
  const containers = loaded.input.containerDefinitions!
  const target = containers.find(c => c.image !== '' && containers.every(o => o === c || o.image !== ''))
  if (target && !what.includes('image')) {
    expect(get({ ...loaded, input: renderTaskDefinition(loaded.input, target.name!, NEW_IMAGE) })).toEqual(
      expected
    )
  }
}

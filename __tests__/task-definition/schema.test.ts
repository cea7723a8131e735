/**
 * The shapes of schema.ts against the installed SDK's own type definitions
 * (@aws-sdk/client-ecs dist-types/models): every object we check has exactly the SDK's members, each of
 * the SDK's type. A member the SDK gains (a newer client) would otherwise be reported as an unknown key
 * and left out of the input; one it loses would pass our check and then be dropped by the SDK unseen.
 */
import { describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import {
  READ_ONLY_KEYS,
  REGISTER_TASK_DEFINITION,
  TAG,
  type ObjectShape,
  type Shape
} from '../../src/task-definition/schema.js'

const sdkRoot = path.dirname(createRequire(import.meta.url).resolve('@aws-sdk/client-ecs/package.json'))
const modelsDir = path.join(sdkRoot, 'dist-types', 'models')
const models = fs
  .readdirSync(modelsDir)
  .filter(f => /^models_\d+\.d\.ts$/.test(f))
  .map(f => fs.readFileSync(path.join(modelsDir, f), 'utf8'))
  .join('\n')
const enums = fs.readFileSync(path.join(modelsDir, 'enums.d.ts'), 'utf8')

/** The members of an SDK interface, name → its TypeScript type without `| undefined`. */
function sdkMembers(name: string): Record<string, string> | undefined {
  const start = models.indexOf(`\nexport interface ${name} {\n`)
  if (start < 0) return undefined
  const body = models.slice(start, models.indexOf('\n}\n', start))
  const members: Record<string, string> = {}
  for (const [, member, type] of body.matchAll(/^ {4}(\w+)\??: (.+?)(?: \| undefined)?;$/gm))
    members[member] = type
  return members
}

const isEnum = (type: string): boolean => enums.includes(`\nexport type ${type} = (typeof ${type})`)
/** A tagged union (`export type X = X.AMember | … | X.$UnknownMember`): an object with one member set. */
const isUnion = (type: string): boolean => models.includes(`\nexport type ${type} = ${type}.`)

/** An SDK type in our vocabulary: string, integer, boolean, stringMap, list<…>, or an object's name. */
function fromSdk(type: string): string {
  if (type === 'string' || isEnum(type)) return 'string'
  if (type === 'number') return 'integer'
  if (type === 'boolean') return 'boolean'
  if (type === 'Record<string, string>') return 'stringMap'
  if (type.endsWith('[]')) return `list<${fromSdk(type.slice(0, -2))}>`
  if (isUnion(type)) return `union ${type}`
  return sdkMembers(type) ? type : `unknown type ${type}`
}

/** One of our shapes in the same vocabulary (an object by its name; its members are its own row). */
function ours(shape: Shape): string {
  if (typeof shape === 'string') return shape
  if (shape.kind === 'list') return `list<${ours(shape.of)}>`
  return shape.name
}

/** Every object shape reachable from the request, each once. */
function objectShapes(shape: Shape, into = new Map<string, ObjectShape>()): Map<string, ObjectShape> {
  if (typeof shape === 'string') return into
  if (shape.kind === 'list') return objectShapes(shape.of, into)
  if (into.has(shape.name)) return into
  into.set(shape.name, shape)
  for (const member of Object.values(shape.fields)) objectShapes(member, into)
  return into
}

/**
 * Where schema.ts knowingly differs from the SDK, "Shape.member": [the SDK's type, ours]. Pinned, so a
 * change on either side shows here. sharingStrategy became a union ({"nvidiaMps": {...}}) in the SDK
 * while schema.ts still says string: an object there is kept, with a "should be a string" warning.
 */
const KNOWN_DIFFERENCES: Record<string, [sdk: string, ours: string]> = {
  'ResourceRequirement.sharingStrategy': ['union SharingStrategy', 'string']
}

const shapes = [...objectShapes(TAG, objectShapes(REGISTER_TASK_DEFINITION)).values()]

describe('the shapes are the installed SDK’s', () => {
  test('the request and every object in it are checked (more than 30 shapes)', () => {
    expect(shapes.length).toBeGreaterThan(30)
    expect(shapes.map(s => s.name)).toEqual(
      expect.arrayContaining(['RegisterTaskDefinitionRequest', 'ContainerDefinition', 'Volume', 'Tag'])
    )
  })

  test.each(shapes.map(s => [s.name, s] as const))(
    '%s has the SDK’s members, of its types',
    (name, shape) => {
      const members = sdkMembers(name)
      expect(members).toBeDefined()
      const sdk = Object.fromEntries(Object.entries(members!).map(([k, type]) => [k, fromSdk(type)]))
      const actual = Object.fromEntries(Object.entries(shape.fields).map(([k, member]) => [k, ours(member)]))
      const expected = { ...sdk }
      for (const [where, [sdkType, ourType]] of Object.entries(KNOWN_DIFFERENCES)) {
        const [owner, member] = where.split('.')
        if (owner !== name) continue
        expect(sdk[member]).toBe(sdkType)
        expected[member] = ourType
      }
      expect(actual).toEqual(expected)
    }
  )

  test('the read-only keys are what a described TaskDefinition has beyond the request', () => {
    const described = Object.keys(sdkMembers('TaskDefinition')!)
    const request = Object.keys(sdkMembers('RegisterTaskDefinitionRequest')!)
    expect([...READ_ONLY_KEYS].sort()).toEqual(described.filter(k => !request.includes(k)).sort())
  })
})

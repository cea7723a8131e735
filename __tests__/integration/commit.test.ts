/**
 * The commit a build is named by, off GitHub Actions: without GITHUB_SHA the action reads git's HEAD of
 * the build context (a workspace the testkit committed), and without either it fails in the plan, before
 * any mutating call. Run with dist/index.js against the local ECS (scripted backend) and the real engine.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { mutatingCalls, startWorld, type World } from '../../testkit/world.js'
import { createWorkspace, type Workspace } from '../../testkit/workspace.js'

let world: World
let uncommitted: Workspace
const repository = `it-commit-${Date.now().toString(36)}`

beforeAll(async () => {
  world = await startWorld({ tasks: 'scripted', timeScale: 0.05, workspace: { git: true } })
  uncommitted = createWorkspace()
}, 60_000)

afterAll(async () => {
  uncommitted?.remove()
  await world?.stop()
}, 60_000)

const inputs = {
  repository,
  'create-repository': 'true',
  'task-definition': 'task-definition.json',
  'container-name': 'web'
}

describe('no GITHUB_SHA', () => {
  test("a committed workspace: the image is built and tagged by HEAD's commit", async () => {
    expect(world.commit).toMatch(/^[0-9a-f]{40}$/)
    const run = await world.run(inputs, { sha: null })
    expect({ exitCode: run.exitCode, errors: run.errors }).toEqual({ exitCode: 0, errors: [] })
    expect(run.outputs['image-tags']).toMatch(new RegExp(`^${world.commit!.slice(0, 12)}-[0-9a-f]{8}$`))
    expect(run.outputs.image).toMatch(new RegExp(`^${world.registry}/${repository}@sha256:[0-9a-f]{64}$`))
  }, 180_000)

  test('a workspace without git: one "No commit" error in the plan, no mutating call', async () => {
    const since = Date.now()
    const run = await world.run(inputs, { sha: null, cwd: uncommitted.dir })
    expect(run.exitCode).toBe(1)
    expect(run.errors.map(e => e.title)).toEqual(['No commit'])
    expect(run.errors[0].message).toContain('GITHUB_SHA is not set')
    expect(mutatingCalls(await world.callsSince(since))).toEqual([])
    expect(run.dockerAuths).toEqual({})
  }, 60_000)
})

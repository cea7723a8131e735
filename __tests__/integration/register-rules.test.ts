/**
 * The bundled action against the strict local ECS (scripted backend): what ECS's RegisterTaskDefinition
 * refuses is left out with a ::notice naming file and line when the intent is clear, and otherwise fails
 * in the plan as one error at file:line, before any ECR login, build or push, with no mutating call.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs'
import { mutatingCalls, startWorld, type World } from '../../testkit/world.js'

let world: World
beforeAll(async () => {
  world = await startWorld({ tasks: 'scripted', timeScale: 0.05 })
}, 120_000)
afterAll(async () => {
  await world?.stop()
}, 60_000)

const IMAGE = '127.0.0.1:5001/strict/app@sha256:' + 'ab'.repeat(32)

/** `::notice file=…,line=…::message` commands in the output, as the runner reads them. */
function notices(output: string): Array<{ file?: string; line?: string; message: string }> {
  return output
    .split(/\r?\n|\r/)
    .map(line => /^::notice (.*?)::(.*)$/.exec(line.trimStart()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(m => {
      const props = Object.fromEntries(m[1].split(',').map(p => p.split('=') as [string, string]))
      return { file: props.file, line: props.line, message: m[2] }
    })
}

describe('the action and what RegisterTaskDefinition refuses', () => {
  test('empty tags, pidMode "" and an empty credentialsParameter: left out with a notice each, and registered', async () => {
    const file = 'td-empty-values.json'
    fs.writeFileSync(
      path.join(world.workspace, file),
      JSON.stringify(
        {
          family: 'strict-notices',
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          pidMode: '',
          containerDefinitions: [
            { name: 'web', image: '', essential: true, repositoryCredentials: { credentialsParameter: '' } }
          ],
          tags: []
        },
        null,
        2
      ) + '\n'
    )
    const run = await world.run({ image: IMAGE, 'task-definition': file, 'container-name': 'web' })
    expect(run.exitCode).toBe(0)
    expect(notices(run.output)).toEqual([
      { file, line: '9', message: expect.stringMatching(/^pidMode was left out/) },
      {
        file,
        line: '16',
        message: expect.stringMatching(/^containerDefinitions\[0\]\.repositoryCredentials was left out/)
      },
      { file, line: '20', message: expect.stringMatching(/^tags was left out .*Tags can not be empty\./) }
    ])
    const td = await world.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: run.outputs['task-definition-arn'] })
    )
    expect(td.taskDefinition?.pidMode).toBeUndefined()
    expect(td.taskDefinition?.containerDefinitions?.[0].repositoryCredentials).toBeUndefined()
    expect(td.taskDefinition?.containerDefinitions?.[0].image).toBe(IMAGE)
  }, 60_000)

  test.each([
    {
      name: 'Fargate 256 CPU with 4096 MiB',
      td: { cpu: '256', memory: '4096' },
      title: 'ECS would refuse the task definition: Fargate CPU and memory',
      line: '8',
      message: /No Fargate configuration exists for given values: 256 CPU, 4096 memory/
    },
    {
      name: 'hostPort 80 for containerPort 3000 under awsvpc',
      td: {
        containerDefinitions: [
          { name: 'web', image: '', portMappings: [{ containerPort: 3000, hostPort: 80 }] }
        ]
      },
      title: 'ECS would refuse the task definition: host port differs under awsvpc',
      line: '16',
      message: /host ports and container ports in port mappings must match/
    }
  ])(
    '$name: one error at file:line in the plan, before any login, build or push',
    async ({ td, title, line, message }) => {
      const file = 'td-refused.json'
      const base = {
        family: 'strict-refused',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: '' }]
      }
      fs.writeFileSync(path.join(world.workspace, file), JSON.stringify({ ...base, ...td }, null, 2) + '\n')
      const since = Date.now()
      // A repository input: the image would be built and pushed, were the plan not to stop first.
      const run = await world.run({
        repository: 'strict-app',
        'task-definition': file,
        'container-name': 'web'
      })
      expect(run.exitCode).toBe(1)
      expect(run.errors).toHaveLength(1)
      const [error] = run.errors
      expect(error.title).toBe(title)
      expect({ file: error.file, line: error.line }).toEqual({ file, line })
      expect(error.message).toMatch(new RegExp(`^${file.replace('.', '\\.')}:${line}:\\d+: `))
      expect(error.message).toMatch(message)
      expect(mutatingCalls(await world.callsSince(since))).toEqual([])
      expect(run.dockerAuths).toEqual({})
      expect(run.output).not.toMatch(/docker build|#\d+ \[/)
    },
    60_000
  )
})

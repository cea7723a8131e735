/**
 * The bundled action (dist/index.js) end to end, run as the GitHub runner runs it, against the local
 * ECS/ECR with the docker task backend, a real Docker engine and the real registry.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs'
import { mutatingCalls, startWorld, type World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'
import type { ActionRun } from '../../scripts/run-action.js'

let world: World
let goodRun: ActionRun
const repository = `it-app-${Date.now().toString(36)}`
const SERVICE = 'web'
const goodSha = randomSha()

async function registryDigest(name: string, tag: string): Promise<string | null> {
  const res = await fetch(`http://${world.registry}/v2/${name}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      Accept:
        'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json'
    }
  })
  return res.ok ? res.headers.get('docker-content-digest') : null
}

/** The log as a person sees it: the runner consumes ::add-mask:: commands (they register secrets). */
function visible(output: string): string {
  return output
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')
}

function expectNoSecret(run: ActionRun): void {
  // The password was registered for masking...
  for (const auth of Object.values(run.dockerAuths)) {
    const password = Buffer.from(auth, 'base64').toString('utf8').split(':').slice(1).join(':')
    expect(password.length).toBeGreaterThan(8)
    expect(run.output).toContain(`::add-mask::${password}`)
    // ...and never printed.
    expect(visible(run.output)).not.toContain(password)
    expect(visible(run.output)).not.toContain(auth)
    expect(run.summary).not.toContain(password)
    expect(run.post?.output ?? '').not.toContain(password)
  }
}

beforeAll(async () => {
  world = await startWorld({ tasks: 'docker', timeScale: 0.1 })
  // The service's first revision: register only (no service yet), which also creates the repository.
  await world.registerService(
    SERVICE,
    {
      repository,
      'create-repository': 'true',
      'task-definition': 'task-definition.json',
      'container-name': 'web'
    },
    { desiredCount: 2 }
  )
}, 180_000)

afterAll(async () => {
  await world?.stop()
}, 60_000)

const deployInputs = {
  repository,
  'task-definition': 'task-definition.json',
  'container-name': 'web',
  service: SERVICE,
  'wait-for-minutes': '3'
}

describe('deploy with dist/index.js', () => {
  test('(a) success: built, pushed, pinned by digest, service on the new revision, outputs and summary', async () => {
    goodRun = await world.run(deployInputs, { sha: goodSha })
    expect(goodRun.errors).toEqual([])
    expect(goodRun.exitCode).toBe(0)

    const { outputs } = goodRun
    const tag = outputs['image-tags'].split(',')[0]
    expect(tag).toMatch(new RegExp(`^${goodSha.slice(0, 12)}-[0-9a-f]{8}$`))
    const served = await registryDigest(repository, tag)
    expect(served).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(outputs['image-digest']).toBe(served)
    expect(outputs.image).toBe(`${world.registry}/${repository}@${served}`)

    const td = await world.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: outputs['task-definition-arn'] })
    )
    expect(td.taskDefinition?.containerDefinitions?.[0].image).toBe(outputs.image)
    const service = await world.service(SERVICE)
    expect(service.taskDefinition).toBe(outputs['task-definition-arn'])
    expect(service.deployments).toHaveLength(1)
    expect(service.deployments?.[0].id).toBe(outputs['deployment-id'])
    expect(service.deployments?.[0].rolloutState).toBe('COMPLETED')
    expect(outputs['console-url']).toContain(`/clusters/${world.cluster}/services/${SERVICE}/`)

    expect(goodRun.summary).toContain(outputs['deployment-id'])
    expect(goodRun.summary).toContain(served as string)
    expect(goodRun.output).toContain('deployment completed')
    // The post step removed the credentials; none was ever printed.
    expect(Object.keys(goodRun.dockerAuths)).toEqual([world.registry])
    expect(goodRun.post?.exitCode).toBe(0)
    expect(goodRun.dockerConfigLeft).toBe(false)
    expectNoSecret(goodRun)
  }, 120_000)

  test('(b) a re-run of the same commit skips build and push, deploys the same digest, applies the extra tags', async () => {
    expect(await registryDigest(repository, 'latest')).toBeNull()
    const again = await world.run({ ...deployInputs, tags: 'latest' }, { sha: goodSha })
    expect(again.exitCode).toBe(0)
    expect(again.output).toContain('already in ECR')
    // The extra tag went to the registry with PutImage, on the reused image.
    expect(await registryDigest(repository, 'latest')).toBe(goodRun.outputs['image-digest'])
    expect(again.outputs['image-tags']).toBe(`${goodRun.outputs['image-tags'].split(',')[0]},latest`)
    expect(again.output).not.toMatch(/docker (buildx )?build/)
    expect(again.output).not.toContain('docker push')
    expect(again.outputs.image).toBe(goodRun.outputs.image)
    expect(again.outputs['task-definition-arn']).not.toBe(goodRun.outputs['task-definition-arn'])
    // No login was needed, so no credentials were written at all.
    expect(again.dockerAuths).toEqual({})
  }, 120_000)

  test('(c) a container that exits 3: red, annotation names container and exit code, log tail, rolled back', async () => {
    const before = await world.service(SERVICE)
    const crash = await world.run({ ...deployInputs, 'build-args': 'APP_MODE=crash' })
    expect(crash.exitCode).toBe(1)
    // The cause in the one "Deployment failed" error, with the verdict (issue 13: each cause once).
    const final = crash.errors.find(e => e.title === 'Deployment failed')
    expect(final?.message).toContain('web: container exited with code 3')
    // The crashed container's last words, from its awslogs stream.
    expect(crash.output).toContain('app: FATAL: /etc/app/config.yml: no such file or directory')
    expect(crash.summary).toContain('app: FATAL: /etc/app/config.yml')
    expect(crash.output).toMatch(/Rolled back to demo-web:\d+/)
    const after = await world.service(SERVICE)
    expect(after.taskDefinition).toBe(before.taskDefinition)
    expect(after.deployments?.filter(d => d.status === 'PRIMARY')[0].taskDefinition).toBe(
      before.taskDefinition
    )
    expect(crash.dockerConfigLeft).toBe(false)
    expectNoSecret(crash)
  }, 180_000)

  test('(d) an image that is not in the registry: CannotPullContainerError', async () => {
    const missing = `${world.registry}/${repository}@sha256:${'0'.repeat(64)}`
    const run = await world.run({
      image: missing,
      'task-definition': 'task-definition.json',
      'container-name': 'web',
      service: SERVICE,
      'max-failed-tasks': '2',
      'wait-for-minutes': '3'
    })
    expect(run.exitCode).toBe(1)
    // The cause is folded into the one "Deployment failed" error (issue 13: each cause once).
    expect(run.errors.some(e => /CannotPullContainerError/.test(`${e.title ?? ''} ${e.message}`))).toBe(true)
    expect(run.outputs.image).toBe(missing)
  }, 180_000)
})

describe('bad inputs fail in the plan, with no mutating call', () => {
  const badJson =
    '{\n  "family": "demo-web",\n  "containerDefinitions": [\n    { "name": "web" "image": "" }\n  ]\n}\n'

  interface BadInput {
    name: string
    inputs: Record<string, string>
    title: string
    message: RegExp
    file?: string
    line?: string
  }
  test.each<BadInput>([
    {
      name: 'malformed task definition JSON',
      inputs: { 'task-definition': 'bad.json' },
      title: 'Invalid task definition',
      message: /bad\.json:4:21/,
      file: 'bad.json',
      line: '4'
    },
    {
      name: 'unknown container',
      inputs: { 'container-name': 'api' },
      title: 'Container not found',
      message: /Container "api" is not in task definition.*web/s,
      file: 'task-definition.json'
    },
    {
      name: 'missing service',
      inputs: { service: 'nope' },
      title: 'Service not found',
      message: /"nope" was not found/
    },
    {
      name: 'non-numeric desired-count',
      inputs: { 'desired-count': 'three' },
      title: 'Invalid input: desired-count',
      message: /"three" is not a whole number/
    }
  ])(
    '$name',
    async ({ inputs, title, message, file, line }) => {
      fs.writeFileSync(path.join(world.workspace, 'bad.json'), badJson)
      const since = Date.now()
      const run = await world.run({ ...deployInputs, ...inputs })
      expect(run.exitCode).toBe(1)
      expect(run.errors).toHaveLength(1)
      const [error] = run.errors
      expect(error.title).toBe(title)
      expect(error.message).toMatch(message)
      if (file) expect(error.file).toBe(file)
      if (line) expect(error.line).toBe(line)
      expect(run.output).not.toMatch(/\n\s+at .*\(.*\.js:\d+:\d+\)/) // no stack trace
      expect(mutatingCalls(await world.callsSince(since))).toEqual([])
      expect(run.dockerAuths).toEqual({})
    },
    60_000
  )
})

/**
 * Blame the right container (issue 10): an essential sidecar exits with code 3, then ECS stops `web`
 * (SIGTERM, SIGKILL after its stop timeout). The first annotation must name the sidecar and its code 3,
 * and the log tail must be the sidecar's. Run with dist/index.js against the local ECS, on both task
 * backends: scripted (outcomes per container name) and docker (real containers of the example app).
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { setRules } from '../../packages/ecs-sim/testing.js'
import { startWorld, type World } from '../../testkit/world.js'
import { randomSha } from '../../testkit/workspace.js'
import { repoRoot, type ActionRun } from '../../scripts/run-action.js'

const LOGS = {
  logDriver: 'awslogs',
  options: {
    'awslogs-group': '/ecs/demo-web',
    'awslogs-region': 'eu-west-1',
    'awslogs-stream-prefix': 'ecs'
  }
}

/** web (listed first, as in most files) and an essential sidecar, both logging to CloudWatch. */
function sidecarTaskDefinition(web: Record<string, unknown>, sidecar: Record<string, unknown>): string {
  const base = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples/app/task-definition.json'), 'utf8'))
  base.containerDefinitions = [
    { name: 'web', image: '', essential: true, logConfiguration: LOGS, ...web },
    { name: 'sidecar', essential: true, logConfiguration: LOGS, ...sidecar }
  ]
  return JSON.stringify(base, null, 2)
}

function expectSidecarBlamed(run: ActionRun, webStop: RegExp, sidecarLine: string, webLine: string): void {
  expect(run.exitCode).toBe(1)
  // The first cause travels in the run's one "Deployment failed" error, verdict folded in.
  expect(run.errors.map(e => e.title)).toEqual(['Deployment failed'])
  const first = run.errors[0]!
  expect(first.message).toMatch(/^sidecar: container exited with code 3\b/)
  expect(first.message).toContain('Essential container sidecar exited with code 3')
  expect(first.message).toMatch(webStop)
  expect(first.message).not.toContain('web: container exited with code 137')
  // The log tail printed under the cause is the sidecar's stream, not web's.
  const tail =
    /Last \d+ log lines of sidecar \(task ([0-9a-f]+)\), \/ecs\/demo-web\/ecs\/sidecar\/\1[0-9a-f]*:\n((?:[ \t]+\| .*\n)+)/.exec(
      run.output
    )
  expect(tail).not.toBeNull()
  expect(tail![2]).toContain(sidecarLine)
  expect(tail![2]).not.toContain(webLine)
  expect(run.output).not.toMatch(/Last \d+ log lines of web /)
}

describe('scripted backend: the sidecar crashes, ECS stops web', () => {
  let world: World
  let serial = 0
  const image = (kind: string) => `${world.registry}/${kind}/app@sha256:${randomSha().padEnd(64, '0')}`

  beforeAll(async () => {
    world = await startWorld({ tasks: 'scripted', timeScale: 0.05 })
  }, 60_000)

  afterAll(async () => {
    await world?.stop()
  }, 60_000)

  test.each([
    {
      name: 'web ignores SIGTERM and is killed at its stop timeout (137)',
      webRule: { stopDelayMs: 3_600_000 },
      webStop:
        /ECS then stopped the task's other containers: web \(exit code 137, SIGKILL after the stop timeout\)/
    },
    {
      name: 'web exits on SIGTERM (143)',
      webRule: { stopExitCode: 143 },
      webStop: /ECS then stopped the task's other containers: web \(exit code 143, SIGTERM\)/
    }
  ])(
    '$name',
    async ({ webRule, webStop }) => {
      const name = `svc-${++serial}`
      fs.writeFileSync(
        path.join(world.workspace, 'sidecar-td.json'),
        sidecarTaskDefinition({ stopTimeout: 5 }, { image: image('envoy') })
      )
      // The first revision runs with a healthy sidecar (no rule for it), so the service starts green.
      await setRules(world.sim.url, [{ container: 'web', outcome: 'healthy', ...webRule }])
      await world.registerService(name, {
        image: image('good'),
        'task-definition': 'sidecar-td.json',
        'container-name': 'web'
      })
      // Now the sidecar crashes with 3 shortly after it starts; web keeps serving until ECS stops it.
      await setRules(world.sim.url, [
        {
          container: 'sidecar',
          outcome: 'crash',
          exitCode: 3,
          afterMs: 500,
          logs: ['sidecar: starting', 'sidecar: FATAL: upstream config missing']
        },
        { container: 'web', outcome: 'healthy', logs: ['web: serving'], ...webRule }
      ])

      const run = await world.run({
        image: image('good'),
        'task-definition': 'sidecar-td.json',
        'container-name': 'web',
        service: name,
        'wait-for-minutes': '2',
        rollback: 'false'
      })

      expectSidecarBlamed(run, webStop, 'sidecar: FATAL: upstream config missing', 'web: serving')
    },
    120_000
  )
})

describe('docker backend: real containers, the sidecar exits 3, ECS stops web', () => {
  let world: World
  const repository = `it-sidecar-${Date.now().toString(36)}`

  beforeAll(async () => {
    world = await startWorld({ tasks: 'docker', timeScale: 0.1 })
  }, 60_000)

  afterAll(async () => {
    await world?.stop()
  }, 60_000)

  test('web ignores SIGTERM (a shell as PID 1) and is killed after its stop timeout: 137', async () => {
    // The example app, built and pushed once; its first revision is the service's healthy start.
    const first = await world.registerService('web', {
      repository,
      'create-repository': 'true',
      'task-definition': 'task-definition.json',
      'container-name': 'web'
    })
    const appImage = first.run.outputs.image
    expect(appImage).toBeTruthy()

    fs.writeFileSync(
      path.join(world.workspace, 'sidecar-td.json'),
      sidecarTaskDefinition(
        {
          // PID 1 without a TERM handler ignores SIGTERM: Docker kills it after the stop timeout.
          entryPoint: ['/bin/sh', '-c'],
          command: ['echo "web: serving"; while true; do sleep 1; done'],
          stopTimeout: 10
        },
        // The same app in crash mode: it logs why, then exits 3.
        { image: appImage, environment: [{ name: 'APP_MODE', value: 'crash' }] }
      )
    )

    const run = await world.run({
      image: appImage,
      'task-definition': 'sidecar-td.json',
      'container-name': 'web',
      service: 'web',
      'wait-for-minutes': '3',
      rollback: 'false'
    })

    expectSidecarBlamed(
      run,
      /ECS then stopped the task's other containers: web \(exit code 137, SIGKILL after the stop timeout\)/,
      'app: FATAL: /etc/app/config.yml: no such file or directory',
      'web: serving'
    )
    expect(run.output).toContain('app: starting (mode crash')
  }, 240_000)
})

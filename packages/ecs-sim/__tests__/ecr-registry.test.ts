/**
 * The local ECR's errors as ECR returns them, through the real AWS SDK client. The simulator's ECR answers
 * repositories from the registry's catalog (images pushed before it started are there), so these need the
 * registry (ECS_DEPLOY_REGISTRY): an integration test. No Docker engine and no containers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { DescribeRepositoriesCommand } from '@aws-sdk/client-ecr'
import { RunningSim, startSim } from '../testing.js'
import { clients, errorOf } from './helpers.js'

let sim: RunningSim
let c: ReturnType<typeof clients>

beforeAll(async () => {
  sim = await startSim({ tasks: 'scripted', timeScale: 0.02 })
  c = clients(sim.url)
})

afterAll(async () => {
  await sim?.stop()
})

describe('errors as ECR returns them', () => {
  it.each([
    {
      call: () => c.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['sim-never-created'] })),
      name: 'RepositoryNotFoundException',
      message: expect.stringContaining("'sim-never-created' does not exist")
    }
  ])('$name: $message', async ({ call, name, message }) => {
    const err = await errorOf(call())
    expect(err.name).toBe(name)
    expect(err.message).toEqual(message)
    expect(err.$metadata.httpStatusCode).toBe(400)
  })
})

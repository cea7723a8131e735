import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { mockClient } from 'aws-sdk-client-mock'
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr'
import type { Exec, ExecOptions } from '../src/exec.js'

const saved: Record<string, string> = {}
const secrets: string[] = []
jest.unstable_mockModule('@actions/core', () => ({
  saveState: jest.fn((k: string, v: string) => {
    saved[k] = v
  }),
  setSecret: jest.fn((s: string) => {
    secrets.push(s)
  }),
  info: jest.fn(),
  debug: jest.fn(),
  warning: jest.fn(),
  isDebug: () => false
}))

const { createDockerConfig, loginToEcr, removeDockerConfig } = await import('../src/login.js')
const { getRegistryCredentials } = await import('../src/ecr.js')

let home: string
let temp: string
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'login-test-home-'))
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'login-test-runner-'))
})
afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true })
  fs.rmSync(temp, { recursive: true, force: true })
})

function fakeExec(calls: Array<{ command: string; args: string[]; options?: ExecOptions }>): Exec {
  return async (command, args, options) => {
    calls.push({ command, args, options })
    return { exitCode: 0, stdout: 'Login Succeeded\n', stderr: '' }
  }
}

describe('createDockerConfig', () => {
  test('keeps other logins, drops the credential store, links buildx state, private permissions', async () => {
    fs.mkdirSync(path.join(home, 'buildx'))
    fs.writeFileSync(
      path.join(home, 'config.json'),
      JSON.stringify({ auths: { 'docker.io': { auth: 'eA==' } }, credsStore: 'desktop' })
    )
    const dir = await createDockerConfig({ DOCKER_CONFIG: home, RUNNER_TEMP: temp })
    expect(path.dirname(dir)).toBe(temp)
    expect(path.basename(dir)).toMatch(/^ecs-deploy-docker-/)
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'))
    expect(config).toEqual({ auths: { 'docker.io': { auth: 'eA==' } } })
    expect(fs.lstatSync(path.join(dir, 'buildx')).isSymbolicLink()).toBe(true)
    fs.rmSync(dir, { recursive: true })
  })

  test('no user config at all', async () => {
    const dir = await createDockerConfig({ DOCKER_CONFIG: path.join(home, 'missing'), RUNNER_TEMP: temp })
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({})
    fs.rmSync(dir, { recursive: true })
  })
})

describe('loginToEcr', () => {
  const ecrMock = mockClient(ECRClient)
  const oldEnv = { ...process.env }
  beforeEach(() => {
    ecrMock.reset()
    process.env.DOCKER_CONFIG = home
    process.env.RUNNER_TEMP = temp
  })
  afterEach(() => {
    process.env = { ...oldEnv }
  })

  test('state saved first, password only on stdin and masked, our registry removed from credHelpers', async () => {
    fs.writeFileSync(
      path.join(home, 'config.json'),
      JSON.stringify({
        credHelpers: { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login', 'gcr.io': 'gcr' }
      })
    )
    const token = Buffer.from('AWS:s3cr3t-password').toString('base64')
    ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: token, proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com' }
      ]
    })
    const calls: Array<{ command: string; args: string[]; options?: ExecOptions }> = []
    // The image phase asks ECR for the token (ecr.ts), then logs in with it here.
    const credentials = await getRegistryCredentials(new ECRClient({ region: 'eu-west-1' }))
    const result = await loginToEcr(credentials, fakeExec(calls))
    expect(result.registry).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com')
    expect(saved.dockerConfig).toBe(result.configDir)
    expect(saved.registry).toBe(result.registry)
    expect(secrets).toContain('s3cr3t-password')
    const login = calls.find(c => c.args.includes('login'))
    expect(login?.args).not.toContain('s3cr3t-password')
    expect(login?.options?.input).toBe('s3cr3t-password')
    expect(login?.options?.env?.DOCKER_CONFIG).toBe(result.configDir)
    const config = JSON.parse(fs.readFileSync(path.join(result.configDir, 'config.json'), 'utf8'))
    expect(config.credHelpers).toEqual({ 'gcr.io': 'gcr' })
    await removeDockerConfig(fakeExec(calls), result.configDir, result.registry)
    expect(fs.existsSync(result.configDir)).toBe(false)
    expect(calls.at(-1)?.args).toEqual(['logout', result.registry])
  })
})

describe('removeDockerConfig', () => {
  test('refuses to remove a directory it did not create', async () => {
    const other = fs.mkdtempSync(path.join(temp, 'not-ours-'))
    await removeDockerConfig(fakeExec([]), other)
    expect(fs.existsSync(other)).toBe(true)
  })
})

/**
 * ECR login into a Docker config of our own: a temporary DOCKER_CONFIG that only this step uses and
 * the post step removes, so the registry password never lands in the runner's ~/.docker.
 */
import * as core from '@actions/core'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Docker, linkDockerCliState } from './docker.js'
import type { RegistryCredentials } from './ecr.js'
import type { Exec } from './exec.js'
import { STATE } from './state.js'

export interface LoginResult {
  docker: Docker
  registry: string
  configDir: string
}

/**
 * A fresh config dir that keeps what the user's own config brings (other registries' logins, e.g. Docker
 * Hub for base images; buildx builders and CLI plugins) but stores our credentials in a file we delete.
 */
export async function createDockerConfig(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const parent = env.RUNNER_TEMP && fs.existsSync(env.RUNNER_TEMP) ? env.RUNNER_TEMP : os.tmpdir()
  const dir = fs.mkdtempSync(path.join(parent, 'ecs-deploy-docker-'))
  fs.chmodSync(dir, 0o700)
  const userDir = env.DOCKER_CONFIG || path.join(os.homedir(), '.docker')
  let config: Record<string, unknown> = {}
  try {
    config = JSON.parse(fs.readFileSync(path.join(userDir, 'config.json'), 'utf8')) as Record<string, unknown>
  } catch {
    // No user config, or unreadable: start empty.
  }
  // A credential store would keep our password outside the file we remove.
  delete config.credsStore
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o600 })
  await linkDockerCliState(dir, userDir)
  return dir
}

/**
 * `docker login` to the registry GetAuthorizationToken named (src/ecr.ts), into a config of our own. Its
 * directory is saved for the post step before docker runs, so it is removed whatever happens next.
 */
export async function loginToEcr(
  credentials: RegistryCredentials,
  exec: Exec,
  options: { onOutput?: (chunk: string) => void } = {}
): Promise<LoginResult> {
  const configDir = await createDockerConfig()
  // Saved before anything can fail: the post step removes it whatever happens next.
  core.saveState(STATE.dockerConfig, configDir)
  // Credential helpers named for this registry would bypass our file too.
  const file = path.join(configDir, 'config.json')
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { credHelpers?: Record<string, string> }
  if (config.credHelpers?.[credentials.registry]) {
    delete config.credHelpers[credentials.registry]
    fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 })
  }
  const docker = new Docker(exec, { configDir, onOutput: options.onOutput })
  await docker.login(credentials)
  core.saveState(STATE.registry, credentials.registry)
  return { docker, registry: credentials.registry, configDir }
}

/** Logs out and removes the temporary config. Never throws: it runs in cleanup paths. */
export async function removeDockerConfig(exec: Exec, configDir: string, registry?: string): Promise<void> {
  if (!configDir || !path.basename(configDir).startsWith('ecs-deploy-docker-')) return
  if (registry && fs.existsSync(configDir)) {
    try {
      await new Docker(exec, { configDir }).logout(registry)
    } catch {
      // The file goes anyway.
    }
  }
  fs.rmSync(configDir, { recursive: true, force: true })
}

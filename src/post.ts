/** Post step: remove the Docker credentials the main step wrote. Runs always, even after failure or cancel. */
import * as core from '@actions/core'
import { exec } from './exec.js'
import { removeDockerConfig } from './login.js'
import { STATE } from './state.js'

export async function post(): Promise<void> {
  const configDir = core.getState(STATE.dockerConfig)
  if (!configDir) {
    core.debug('No Docker config to remove.')
    return
  }
  try {
    await removeDockerConfig(exec, configDir, core.getState(STATE.registry) || undefined)
    core.info('Removed the temporary Docker credentials.')
  } catch (error) {
    core.warning(
      `Could not remove the temporary Docker config ${configDir}: ${error instanceof Error ? error.message : String(error)}`
    )
  }
}

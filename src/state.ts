/** What the main step leaves for the post step (GITHUB_STATE). */
import * as core from '@actions/core'

export const STATE = {
  isPost: 'isPost',
  dockerConfig: 'dockerConfig',
  registry: 'registry'
} as const

export function markPost(): void {
  core.saveState(STATE.isPost, 'true')
}

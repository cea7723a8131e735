// Brings up the Docker engine and registry the tests need (scripts/test-env.sh), unless they are up
// already, and exports their environment to the test workers. What it started, teardown stops.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/test-env.sh')

function status() {
  return execFileSync('bash', [script, 'status'], { encoding: 'utf8' })
}

export default async function globalSetup() {
  // Tests reach AWS only through the local simulator: never let the SDK look for instance metadata.
  process.env.AWS_EC2_METADATA_DISABLED = 'true'
  const before = status()
  execFileSync('bash', [script, 'up'], { stdio: ['ignore', 'inherit', 'inherit'] })
  const after = status()
  const exports = execFileSync('bash', [script, 'env'], { encoding: 'utf8' })
  for (const line of exports.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line.trim())
    if (m) process.env[m[1]] = m[2]
  }
  // Started here (not running before, running now): stop it in teardown.
  process.env.ECS_DEPLOY_ENV_STARTED_BY_JEST = before !== after && /running/.test(after) ? '1' : ''
}

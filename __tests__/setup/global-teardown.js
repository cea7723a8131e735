import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/test-env.sh')

export default async function globalTeardown() {
  if (process.env.ECS_DEPLOY_ENV_STARTED_BY_JEST === '1') {
    execFileSync('bash', [script, 'down'], { stdio: ['ignore', 'inherit', 'inherit'] })
  }
}

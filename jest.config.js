/**
 * Jest in ESM mode: ts-jest compiles TypeScript to ES modules, tests mock with jest.unstable_mockModule.
 *
 * Two projects:
 * - unit: no Docker engine, no registry, no globalSetup; files run in parallel workers.
 * - integration: the Docker engine and registry that globalSetup brings up (scripts/test-env.sh);
 *   files run one at a time (a serial runner), since they share the engine, the registry and fixed ports.
 * `npm test` runs both in one jest run (one summary, one --json result): jest runs one runner after
 * the other, the unit files in parallel workers, the integration files one at a time in band.
 * `npm run test:unit` and `npm run test:integration` run one; `npx jest <file>` brings up the engine
 * only when the file is an integration one.
 */

import { SIM_INTEGRATION } from './packages/ecs-sim/jest.config.js'

/**
 * Test files that need the Docker engine or the registry; every other *.test.ts is a unit test and
 * must pass with neither (check: `npm run test:unit` with no docker on PATH and ECS_DEPLOY_REGISTRY
 * pointing nowhere). The local ECS's own tests (packages/ecs-sim/__tests__) run here too: its scripted
 * backend needs neither, so only docker (real containers), ecr-registry (the local ECR answers from the
 * registry) and ecr-put-image (pushes real images) are integration tests. The package runs the others on
 * its own with `npm -w packages/ecs-sim test` (packages/ecs-sim/jest.config.js, the same list).
 */
const INTEGRATION = [
  '**/__tests__/integration/**/*.test.ts',
  ...SIM_INTEGRATION.map(name => `**/packages/ecs-sim/__tests__/${name}`)
]

const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: ['TS151001'] } }
    ]
  },
  setupFiles: ['<rootDir>/__tests__/setup/env.js'],
  testTimeout: 30000
}

export default {
  testTimeout: 30000,
  verbose: true,
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/__tests__', '<rootDir>/packages/ecs-sim'],
      testMatch: ['**/*.test.ts', ...INTEGRATION.map(glob => `!${glob}`)]
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/__tests__/integration', '<rootDir>/packages/ecs-sim/__tests__'],
      testMatch: INTEGRATION,
      globalSetup: '<rootDir>/__tests__/setup/global-setup.js',
      globalTeardown: '<rootDir>/__tests__/setup/global-teardown.js',
      runner: '<rootDir>/__tests__/setup/serial-runner.js'
    }
  ]
}

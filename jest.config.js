/**
 * Jest in ESM mode: ts-jest compiles TypeScript to ES modules, tests mock with jest.unstable_mockModule.
 *
 * Two projects:
 * - unit: no Docker engine, no registry, no globalSetup; files run in parallel workers.
 * - integration: the Docker engine and registry that globalSetup brings up (scripts/test-env.sh);
 *   files run one at a time (a serial runner), since they share the engine, the registry and fixed ports.
 * `npm test` runs both (unit first, in parallel, then integration, one file at a time);
 * `npm run test:unit` and `npm run test:integration` run one.
 */

/**
 * Test files that need the Docker engine or the registry. sim/__tests__/scripted.test.ts runs no
 * containers, but the local ECR answers DescribeRepositories from the registry.
 */
const INTEGRATION = [
  '**/__tests__/integration/**/*.test.ts',
  '**/sim/__tests__/docker.test.ts',
  '**/sim/__tests__/scripted.test.ts'
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
      roots: ['<rootDir>/__tests__', '<rootDir>/sim'],
      testMatch: ['**/*.test.ts', ...INTEGRATION.map(glob => `!${glob}`)]
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/__tests__/integration', '<rootDir>/sim/__tests__'],
      testMatch: INTEGRATION,
      globalSetup: '<rootDir>/__tests__/setup/global-setup.js',
      globalTeardown: '<rootDir>/__tests__/setup/global-teardown.js',
      runner: '<rootDir>/__tests__/setup/serial-runner.js'
    }
  ]
}

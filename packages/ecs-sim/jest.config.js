/**
 * The local ECS's own tests, with no Docker engine and no registry: `npm -w packages/ecs-sim test`.
 * They drive the simulator through the real AWS SDK clients with the scripted task backend, or test its
 * pure parts (faults, rules, clock). The files in SIM_INTEGRATION need the engine or the registry; the
 * root jest.config.js runs them in its integration project (and every file here in its unit project).
 */
export const SIM_INTEGRATION = [
  'docker.test.ts',
  'ecr-registry.test.ts',
  'ecr-put-image.test.ts',
  'docker-cloudwatch.test.ts'
]

export default {
  displayName: 'ecs-sim',
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts', ...SIM_INTEGRATION.map(name => `!**/__tests__/${name}`)],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: '<rootDir>/tsconfig.json', diagnostics: { ignoreCodes: ['TS151001'] } }
    ]
  },
  setupFiles: ['<rootDir>/__tests__/setup-env.js'],
  testTimeout: 30000
}

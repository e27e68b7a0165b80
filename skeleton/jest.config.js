// Jest runs in ESM mode (npm test sets --experimental-vm-modules) because @kubernetes/client-node is
// ESM-only and the tests use the real client. ts-jest only transpiles; `npm run lint` type-checks.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  // Sources import './x.ts' and ts-jest rewrites that to './x.js'; map it back to the source file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 20000,
};

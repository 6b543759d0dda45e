// The adapter's own tests on real Jest, once per setup entry, each resolved through this
// package's exports as a user's project resolves it.
const transform = { '^.+\\.ts$': '@swc/jest' };

module.exports = {
  projects: [
    {
      displayName: 'global expect',
      testEnvironment: 'node',
      transform,
      setupFilesAfterEnv: ['@gradcheck/jest/setup'],
      testMatch: ['<rootDir>/test/matchers.test.ts'],
    },
    {
      displayName: '@jest/globals',
      testEnvironment: 'node',
      transform,
      injectGlobals: false,
      setupFilesAfterEnv: ['@gradcheck/jest/jest-globals'],
      testMatch: ['<rootDir>/test/jest-globals.test.ts'],
    },
  ],
};

module.exports = {
  injectGlobals: false,
  setupFilesAfterEnv: ['@gradcheck/jest/jest-globals'],
  testEnvironment: 'node',
};

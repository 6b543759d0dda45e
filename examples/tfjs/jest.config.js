module.exports = {
  transform: { '^.+\\.ts$': '@swc/jest' },
  setupFilesAfterEnv: ['@gradcheck/jest/setup'],
};

module.exports = { setupFilesAfterEnv: ['@gradcheck/jest/setup'], testEnvironment: 'node' };

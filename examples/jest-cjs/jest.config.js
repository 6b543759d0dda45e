module.exports = {
  setupFilesAfterEnv: ['@gradcheck/jest/setup'],
};

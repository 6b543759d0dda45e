import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['@gradcheck/vitest/setup'],
  },
});

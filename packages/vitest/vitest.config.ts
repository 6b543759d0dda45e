// The adapter's own tests on real Vitest 5, with the setup entry resolved through this package's
// exports as a user's project resolves it.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['@gradcheck/vitest/setup'],
    include: ['test/**/*.test.ts'],
  },
});

// Runs only the deliberately failing suite (for test/runner-output.test.ts), with the example's
// own settings.
import { defineConfig } from 'vitest/config';
import config from './vitest.config.js';

export default defineConfig({ ...config, test: { ...config.test, include: ['failing/*.failing.ts'] } });

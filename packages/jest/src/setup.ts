/**
 * Registers the gradcheck matchers on Jest's global `expect`:
 * `setupFilesAfterEnv: ['@gradcheck/jest/setup']`. With `injectGlobals: false`, use
 * `@gradcheck/jest/jest-globals` instead. Also fails a test that ends while a
 * `toPassGradientCheckAsync` it started is still running (it was not awaited).
 * @packageDocumentation
 */
import { failOnPendingChecks, gradientCheckMatchers } from '@gradcheck/core';
import './types.js';

const globalExpect = (globalThis as { expect?: { extend?: unknown } }).expect;
if (typeof globalExpect?.extend !== 'function') {
  throw new Error(
    '@gradcheck/jest/setup found no global `expect` to extend. List it in `setupFilesAfterEnv` ' +
      '(not `setupFiles`), or with `injectGlobals: false` use `@gradcheck/jest/jest-globals`.',
  );
}
(globalExpect.extend as (matchers: object) => void)(gradientCheckMatchers);

// A test that ends while its toPassGradientCheckAsync still runs did not await it: fail that test.
const globalAfterEach = (globalThis as { afterEach?: (hook: () => void) => void }).afterEach;
globalAfterEach?.(failOnPendingChecks);

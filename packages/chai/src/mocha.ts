/**
 * Mocha root hooks for `@gradcheck/chai`: `--require @gradcheck/chai/mocha` (or
 * `require: ['@gradcheck/chai/mocha']` in `.mocharc`). After each test, fails when a
 * `passGradientCheckAsync` it started is still running, which means it was not awaited.
 * @packageDocumentation
 */
import { failOnPendingChecks } from '@gradcheck/core';

/** Mocha's root hook plugin: an `afterEach` that fails on a still-running async check. */
export const mochaHooks = {
  afterEach(): void {
    failOnPendingChecks();
  },
};

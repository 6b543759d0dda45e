/**
 * Registers the gradcheck matchers on the `expect` of `@jest/globals`, for projects that import
 * their globals (`injectGlobals: false`): `setupFilesAfterEnv: ['@gradcheck/jest/jest-globals']`.
 * @packageDocumentation
 */
import { afterEach, expect } from '@jest/globals';
import { failOnPendingChecks, gradientCheckMatchers } from '@gradcheck/core';
import './types.js';

expect.extend(gradientCheckMatchers);
// A test that ends while its toPassGradientCheckAsync still runs did not await it: fail that test.
afterEach(failOnPendingChecks);

/**
 * Registers the gradcheck matchers on Vitest's `expect`: `setupFiles: ['@gradcheck/vitest/setup']`.
 * @packageDocumentation
 */
import { afterEach, expect } from 'vitest';
import { failOnPendingChecks, gradientCheckMatchers } from '@gradcheck/core';
import './types.js';

expect.extend(gradientCheckMatchers);
// A test that ends while its toPassGradientCheckAsync still runs did not await it: fail that test.
afterEach(failOnPendingChecks);

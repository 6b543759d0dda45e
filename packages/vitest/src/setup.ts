/**
 * Registers the gradcheck matchers on Vitest's `expect`: `setupFiles: ['@gradcheck/vitest/setup']`.
 * @packageDocumentation
 */
import { expect } from 'vitest';
import { gradientCheckMatchers } from '@gradcheck/core';
import './types.js';

expect.extend(gradientCheckMatchers);

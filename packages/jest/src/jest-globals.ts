/**
 * Registers the gradcheck matchers on the `expect` of `@jest/globals`, for projects that import
 * their globals (`injectGlobals: false`): `setupFilesAfterEnv: ['@gradcheck/jest/jest-globals']`.
 * @packageDocumentation
 */
import { expect } from '@jest/globals';
import { gradientCheckMatchers } from '@gradcheck/core';
import './types.js';

expect.extend(gradientCheckMatchers);

/**
 * The gradcheck matchers as named exports, without side effects:
 * `import * as matchers from '@gradcheck/vitest/matchers'; expect.extend(matchers)`.
 * @packageDocumentation
 */
import './types.js';

export { toPassGradientCheck, toPassGradientCheckAsync } from '@gradcheck/core';

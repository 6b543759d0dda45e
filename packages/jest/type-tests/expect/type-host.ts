// The standalone `expect` package, for the shared type contract (test/compat/shared/type-cases.ts).
import type {} from '@gradcheck/jest/matchers';

export { expect } from 'expect';

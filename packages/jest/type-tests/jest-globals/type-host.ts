// `expect` of @jest/globals, for the shared type contract (test/compat/shared/type-cases.ts).
import type {} from '@gradcheck/jest/jest-globals';

export { expect } from '@jest/globals';

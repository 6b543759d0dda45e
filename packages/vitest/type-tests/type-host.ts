// Vitest's `expect`, for the shared type contract (test/compat/shared/type-cases.ts).
import type {} from '@gradcheck/vitest';

export { expect } from 'vitest';

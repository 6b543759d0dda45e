// @types/jest's global `expect`, for the shared type contract (test/compat/shared/type-cases.ts).
import type {} from '@gradcheck/jest';

const host = expect;
export { host as expect };

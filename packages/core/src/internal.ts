/**
 * `@gradcheck/core/internal`: helpers for gradcheck's own tests, demos and fixtures (seeded
 * random numbers, tensor views and index formatting, the defaults). Not part of the public API:
 * these may change in any release.
 *
 * @packageDocumentation
 */
export { DEFAULT_SEED, seededRandom, type Random } from './random.js';
export { DEFAULTS, DEFAULT_BUDGET, DEFAULT_TOLERANCE } from './options.js';
export { viewTensor, formatIndex, formatShape, unravelIndex } from './tensors.js';

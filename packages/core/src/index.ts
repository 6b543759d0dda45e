/**
 * gradcheck's public API: the check functions, the report, the error, the tensor-adapter
 * registry, the framework-neutral matchers, and the types of models, options and results.
 * Helpers for tests and fixtures (seeded random numbers, tensor views, defaults) live in
 * `@gradcheck/core/internal`, outside the semver promise.
 *
 * @packageDocumentation
 */
export { checkGradients, checkGradientsAsync } from './check.js';
export { formatReport } from './report.js';
export { GradcheckError, type GradcheckErrorCode } from './errors.js';
export {
  registerTensorAdapter,
  type TensorAdapter,
  type TensorView,
  type TensorRole,
  type Precision,
} from './tensors.js';
export {
  toPassGradientCheck,
  toPassGradientCheckAsync,
  gradientCheckMatchers,
  type GradientCheckMatchers,
  type MatcherContext,
  type MatcherUtils,
  type MatcherResult,
} from './matcher.js';
export type { Model, GradientModel, FunctionalModel, NamedTensors, Tensor, MaybePromise } from './model.js';
export type {
  CheckOptions,
  CheckOptionsInput,
  CheckProgress,
  CheckMode,
  RunMode,
  CheckPhase,
  CheckBudget,
  DirectionDistribution,
} from './options.js';
export type { Scheme } from './difference.js';
export type { CheckResult, TensorResult, EntryResult, Diagnosis, DiagnosisKind, TaylorResult } from './result.js';

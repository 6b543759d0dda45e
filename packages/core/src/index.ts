export { checkGradients, checkGradientsAsync } from './check.js';
export { GradcheckError, type GradcheckErrorCode } from './errors.js';
export type { Model, GradientModel, FunctionalModel, NamedTensors, Tensor, MaybePromise } from './model.js';
export { protocolOf, type Layer, type GradientFunction, type Protocol } from './layer.js';
export type {
  CheckOptions,
  CheckOptionsInput,
  CheckProgress,
  CheckMode,
  RunMode,
  CheckPhase,
  CheckBudget,
  DirectionKind,
} from './options.js';
export { DEFAULT_TOLERANCE, DEFAULT_BUDGET } from './options.js';
export { DEFAULT_SEED, seededRandom, type Random } from './random.js';
export type { CheckResult, TensorResult, EntryResult, Diagnosis, DiagnosisKind, TaylorResult } from './result.js';
export type { Scheme } from './difference.js';
export {
  registerTensorAdapter,
  viewTensor,
  formatIndex,
  formatShape,
  type TensorAdapter,
  type AccessorTensor,
  type TensorView,
  type Precision,
} from './tensors.js';
export { formatReport } from './report.js';
export {
  toPassGradientCheck,
  toPassGradientCheckAsync,
  gradientCheckMatchers,
  type GradientCheckMatchers,
  type MatcherContext,
  type MatcherUtils,
  type MatcherResult,
} from './matcher.js';

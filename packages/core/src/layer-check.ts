/**
 * The check of a layer or a function: a first forward and backward pass shows which inputs have a
 * gradient and a second that the gradient is a function of the point; then one model check per
 * random cotangent, their results combined into one.
 */
import { GradcheckError, describeValue } from './errors.js';
import { evaluate, type Algorithm } from './evaluation.js';
import { LayerModel, type GradientFunction, type Layer } from './layer.js';
import { readGradients, type NormalisedModel } from './model.js';
import { resolveOptions, type CheckOptionsInput } from './options.js';
import { ParameterSet } from './parameters.js';
import type { CheckResult } from './result.js';

/** The check of a normalised model (check.ts), run once per cotangent. */
export type ModelCheck = (
  model: NormalisedModel,
  options: CheckOptionsInput,
  X: unknown,
  Y: unknown,
) => Algorithm<CheckResult>;

/**
 * Throws `NONDETERMINISTIC_GRADIENT` when two gradient evaluations at the same point differ: a
 * gradient must be a function of the point (a buffer that accumulates across calls is not).
 */
function assertSameGradients(layer: LayerModel, first: unknown, second: unknown): void {
  const tensors = ParameterSet.from(layer.parameters, layer.inputs);
  const a = readGradients(tensors, first, layer.calls.gradients),
    b = readGradients(tensors, second, layer.calls.gradients);
  const at = a.findIndex((v, i) => v !== b[i]);
  if (at < 0) return;
  const t = tensors.tensors.filter((x) => x.offset <= at).pop()!;
  throw new GradcheckError(
    'NONDETERMINISTIC_GRADIENT',
    `${layer.calls.gradients} gave ${a[at]} and then ${b[at]} for ${tensors.label(t, at - t.offset)} at the same point; ` +
      'a gradient must depend on the point only: a gradient buffer that accumulates across calls (+= without zeroing) ' +
      'or state kept between calls does this.',
  );
}

/**
 * Two forward and backward passes at the given point, every tensor restored afterwards: the first
 * shows which inputs have a gradient, the second that it is the same gradient.
 */
function* probe(layer: LayerModel): Algorithm<void> {
  const guard = layer.everyTensor();
  const snapshot = guard?.snapshot();
  let first: unknown, second: unknown;
  let changed: string | undefined;
  try {
    first = yield* evaluate('gradients', () => 'at the given point', layer.calls);
    layer.prepare(first);
    second = yield* evaluate('gradients', () => 'at the given point, the second time', layer.calls);
  } finally {
    changed = guard?.restore(snapshot!);
  }
  if (changed) {
    throw new GradcheckError(
      'PARAMETERS_CHANGED',
      `${layer.calls.loss} or ${layer.calls.gradients} changed ${changed}; a ${layer.protocol} must not change ` +
        'its parameters or inputs (they were restored).',
    );
  }
  assertSameGradients(layer, first, second);
}

/** One result for the checks of `cotangents` cotangents: the failing one, or the worst passing one. */
function combine(layer: LayerModel, results: CheckResult[], offsets: number[], cotangents: number): CheckResult {
  const shown = results[results.length - 1]!.passed
    ? results.reduce((a, b) => (b.difference > a.difference ? b : a))
    : results[results.length - 1]!;
  const count = results.indexOf(shown) + 1;
  const sum = (f: (r: CheckResult) => number): number => results.reduce((n, r) => n + f(r), 0);
  const notes =
    cotangents === 1
      ? []
      : shown.passed
        ? [`${cotangents} random cotangents checked, each passed; shown: cotangent ${count}, the largest difference.`]
        : [`cotangent ${count} of ${cotangents} failed${count > 1 ? ` (the first ${count - 1} passed)` : ''}.`];
  return {
    ...shown,
    loss: shown.loss - offsets[count - 1]!,
    evaluations: { loss: sum((r) => r.evaluations.loss), gradients: sum((r) => r.evaluations.gradients) + 2 },
    elapsedMs: sum((r) => r.elapsedMs),
    inputs: { names: layer.inputs, ...(layer.protocol === 'layer' ? { cotangents } : {}) },
    warnings: [...layer.notes, ...notes, ...shown.warnings],
  };
}

/** The probe, then one check per cotangent, stopping at the first that fails. */
function* checkLayer(
  layer: LayerModel,
  options: CheckOptionsInput,
  cotangents: number,
  check: ModelCheck,
): Algorithm<CheckResult> {
  yield* probe(layer);
  const results: CheckResult[] = [];
  const offsets: number[] = [];
  for (let k = 0; k < cotangents; k++) {
    if (k > 0) layer.useCotangent();
    const result = yield* check(layer, options, undefined, undefined);
    results.push(result);
    offsets.push(layer.offset);
    if (!result.passed) break;
  }
  return combine(layer, results, offsets, cotangents);
}

/**
 * A layer or function check of `received` at `X`: the options come second (`(X, options)`), or
 * third after an undefined second argument; both at once is an error.
 */
export function prepareLayer(
  received: unknown,
  protocol: 'layer' | 'function',
  X: unknown,
  second: unknown,
  third: CheckOptionsInput,
  check: ModelCheck,
): { model: NormalisedModel; algorithm: Algorithm<CheckResult> } {
  if (second !== undefined && third !== undefined) {
    throw new GradcheckError(
      'INVALID_OPTION',
      `a ${protocol} is checked with (${protocol === 'layer' ? 'X' : 'x'}, options): it has no targets Y, ` +
        `but received ${describeValue(second)} and then options.`,
    );
  }
  const options = (second ?? third) as CheckOptionsInput;
  const { seed, cotangents } = resolveOptions(options, 'float64');
  if (protocol === 'function' && cotangents !== 1) {
    throw new GradcheckError('INVALID_OPTION', 'cotangents applies to layers; a function has a scalar value.');
  }
  const layer = new LayerModel(received as Layer | GradientFunction, protocol, X, seed);
  return { model: layer, algorithm: checkLayer(layer, options, cotangents, check) };
}

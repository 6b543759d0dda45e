// The options argument as a user meets it: every invalid value is refused with a message that
// names the option, what it must be and what was received; defaults show in the result.
import { describe, expect, it } from 'vitest';
import { checkGradients, type CheckOptions, type GradientModel } from '../src/index.js';
import { numbers } from './models.js';
import { messageOf } from './caught.js';

/** Σ wᵢ³ over n float64 (or float32) entries: a correct gradient. */
function cubes(n: number, float32 = false): GradientModel {
  const w = float32 ? new Float32Array(numbers(n, 9)) : new Float64Array(numbers(n, 9));
  return {
    parameters: { w },
    loss: () => Array.from(w).reduce((s, v) => s + v ** 3, 0),
    gradients: () => ({ w: Array.from(w, (v) => 3 * v * v) }),
  };
}

const optionsMessage = (options: unknown): string =>
  messageOf(() => checkGradients(cubes(3), null, null, options as CheckOptions));

describe('invalid options are refused, naming the option, the rule and the value', () => {
  it.each([
    ['a string eps', '1e-7', 'eps must be a positive finite number, received string.'],
    ['a negative step', { step: -1 }, 'step must be a positive finite number, received -1.'],
    ['a string tolerance', { tolerance: '1e-3' }, 'tolerance must be a positive finite number, received string.'],
    ['an unknown scheme', { scheme: 'forward' }, `scheme must be 'central' or 'richardson', received "forward".`],
    ['a fractional worst', { worst: 1.5 }, 'worst must be a whole number ≥ 0, received 1.5.'],
    ['a negative worst', { worst: -1 }, 'worst must be a whole number ≥ 0, received -1.'],
    ['a string worst', { worst: '3' }, 'worst must be a whole number ≥ 0, received 3.'],
    ['an unknown kinks policy', { kinks: 'ignore' }, `kinks must be 'exclude' or 'fail', received "ignore".`],
    ['a string taylor', { taylor: 'yes' }, 'taylor must be true or false, received "yes".'],
    ['a fractional seed', { seed: 1.5 }, 'seed must be a whole number, received 1.5.'],
    ['an onProgress that is not a function', { onProgress: 5 }, 'onProgress must be a function, received number.'],
    ['examples 0', { examples: 0 }, 'examples must be a whole number ≥ 1, received 0.'],
    ['a fractional budget', { budget: 2.5 }, 'budget must be a whole number ≥ 1, received 2.5.'],
    [
      'budget null',
      { budget: null },
      'budget must be a number of loss evaluations or { evaluations, timeMs }, received object.',
    ],
    [
      'budget.evaluations 0',
      { budget: { evaluations: 0 } },
      'budget.evaluations must be a whole number ≥ 1, received 0.',
    ],
    [
      'budget.timeMs Infinity',
      { budget: { timeMs: Infinity } },
      'budget.timeMs must be a positive finite number, received Infinity.',
    ],
    ['an unknown budget field', { budget: { time: 5 } }, 'unknown budget field "time"; known: evaluations, timeMs.'],
  ])('%s', (_, options, message) => {
    expect(optionsMessage(options)).toBe(`INVALID_OPTION: ${message}`);
  });
});

describe('an unknown option name is answered with the nearest known one', () => {
  const known =
    'step, scheme, tolerance, worst, includeGradients, onProgress, seed, kinks, taylor, examples, mode, budget, ' +
    'directions, distribution, localise, samples, cotangents';

  it.each([
    // A prefix of three letters or more names the option it begins.
    ['tol', 'tolerance'],
    ['incl', 'includeGradients'],
    // A misspelling within a third of the name's length.
    ['seeds', 'seed'],
    ['sheme', 'scheme'],
    ['localize', 'localise'],
    ['budgt', 'budget'],
    ['onprogress', 'onProgress'],
    // Two letters are no prefix, but within 2 edits of a name.
    ['st', 'step'],
    // A long name allows more edits: a third of its length (3 of "tolerance").
    ['tolarnse', 'tolerance'],
    // Equally near "step" and "seed" (one edit each): the first in the table's order.
    ['sted', 'step'],
  ])('"%s" → "%s"', (given, nearest) => {
    expect(optionsMessage({ [given]: 1 })).toBe(
      `INVALID_OPTION: unknown option "${given}" — did you mean "${nearest}"? Known options: ${known}.`,
    );
  });

  // One letter is no evidence: not even when it begins a name.
  it.each(['b', 's', 'verbose', 'epsilon', 'xyzzyqux'])('"%s": nothing near enough, the known names alone', (given) => {
    expect(optionsMessage({ [given]: 1 })).toBe(`INVALID_OPTION: unknown option "${given}". Known options: ${known}.`);
  });

  it('names the option renamed in 0.2.0 and its new name', () => {
    expect(optionsMessage({ direction: 'gaussian' })).toBe(
      'INVALID_OPTION: option "direction" was renamed to "distribution" in 0.2.0: pass { distribution: … } instead.',
    );
  });
});

describe('defaults and accepted values, as the result shows them', () => {
  it('fills in the documented defaults for float64 and float32 parameters', () => {
    const result = checkGradients(cubes(3), null, null);
    expect(result).toMatchObject({ tolerance: 1e-6, scheme: 'central', step: 'auto', mode: 'full', seed: 20240229 });
    expect(result.kinks.policy).toBe('exclude');
    expect(result.tensors[0]!.analytic).toBeUndefined();
    expect(checkGradients(cubes(3, true), null, null).tolerance).toBe(1e-3);
  });

  it('a bare eps is the step and the tolerance; undefined and null are the defaults', () => {
    expect(checkGradients(cubes(3), null, null, 1e-5)).toMatchObject({ step: 1e-5, tolerance: 1e-5 });
    expect(checkGradients(cubes(3), null, null, undefined).tolerance).toBe(1e-6);
    expect(checkGradients(cubes(3), null, null, null as never).tolerance).toBe(1e-6);
    expect(checkGradients(cubes(3), null, null, { tolerance: undefined }).tolerance).toBe(1e-6);
  });

  it('includeGradients lists the gradients only when it is true', () => {
    expect(checkGradients(cubes(3), null, null, { includeGradients: true }).tensors[0]!.analytic).toHaveLength(3);
    expect(checkGradients(cubes(3), null, null, { includeGradients: 'yes' as never }).tensors[0]!.analytic).toBe(
      undefined,
    );
  });

  it('takes each accepted value of the choice options', () => {
    expect(checkGradients(cubes(3), null, null, { scheme: 'richardson' }).scheme).toBe('richardson');
    expect(checkGradients(cubes(3), null, null, { kinks: 'fail' }).kinks.policy).toBe('fail');
    expect(checkGradients(cubes(3), null, null, { taylor: true }).taylor).toBeDefined();
    expect(checkGradients(cubes(3), null, null, { taylor: false, worst: 0 }).taylor).toBeUndefined();
    expect(checkGradients(cubes(3), null, null, { seed: -7 }).seed).toBe(-7);
    expect(checkGradients(cubes(3), null, null, { mode: 'sampled', samples: 1 }).checked).toBe(1);
  });

  it('a time budget alone leaves the evaluations unlimited; an evaluation budget alone, the time', () => {
    const timed = checkGradients(cubes(3), null, null, { budget: { timeMs: 600_000 } });
    expect(timed.modeReason).toBe('auto: a full check needs 6 more loss evaluations, within the budget of Infinity');
    const counted = checkGradients(cubes(3), null, null, { budget: { evaluations: 7 } });
    expect(counted.modeReason).toBe('auto: a full check needs 6 more loss evaluations, over the budget of 7');
    expect(checkGradients(cubes(3), null, null, { budget: {} }).modeReason).toBe(
      'auto: a full check needs 6 more loss evaluations, within the budget of 4000',
    );
  });
});

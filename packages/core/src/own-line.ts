/**
 * An entry about to fail by little against the check's noise, estimated again against the noise of
 * its own line: the probe's line moves every entry, and the roundings of every term of the loss
 * move with it; one entry's line moves only the terms that entry feeds. Property GC_SEED=77,
 * 1117095131: a float32 cross-entropy of 1.418 read σ = 1.5e-6 along the probe's line and 4.3e-8
 * along W1[1,3]'s (under one rounding of the loss, 8.5e-8); widened for the probe's noise to 2⁻², a
 * correct W1[1,3] read 0.0082753 against 0.0082466 and failed by 1.16 × its allowance, where at 2⁻⁴,
 * against its own line's noise, it reads 0.0082464.
 */
import { allowedError, SMALLEST_NORMAL, type EntryEstimate } from './difference.js';
import { failsOutright } from './entry-rules.js';
import type { EntrySteps } from './entry-steps.js';
import { measureNoise, type LossNoise } from './noise.js';
import { entryExcess } from './pass-rule.js';
import type { CheckSession, Steps } from './session.js';

/**
 * A failure within this many times its allowance is marginal: judged again against its own line's
 * noise (property GC_SEED=77's W1[1,3] failed by 1.16 ×); a failure beyond it does not pay the line's
 * losses (a model with a wrong gradient fails at once).
 */
export const MARGINAL_EXCESS = 4;

/**
 * How many times below the check's σ an entry's own line must read for its reading to stand. A
 * reading is the root mean square of 11 fourth differences, and two readings of one noise rarely
 * differ twofold; but an entry's line moves fewer terms than the probe's, so that a modestly lower
 * reading may be either, and judging the entry again on it gives a failing entry a second chance.
 * Real-code GC_SEED=9, 484549670: a float32 W1[1,1] 9.2e-7 off (3.3 × its finite-difference error)
 * failed at 2⁻⁶ by 1.1 × its allowance; its own line read 1.8 × below the probe's, and judged again
 * on that it agreed at 2⁻⁸, within 1.3e-6. Property GC_SEED=77's own line read 18 × below.
 */
export const DISTINCTLY_BELOW = 4;

/** Whether an entry that fails with `estimate` fails by at most {@link MARGINAL_EXCESS} times its allowance. */
export function failsMarginally(
  analytic: number,
  estimate: EntryEstimate,
  smallest: number,
  tolerance: number,
): boolean {
  const floor = Math.max(allowedError(estimate), smallest);
  return entryExcess(analytic, estimate.numeric, floor, tolerance) <= MARGINAL_EXCESS;
}

/** The second look of one check's entries about to fail by little (see the module's comment). */
export class OwnLine {
  /** True once an entry of the check failed after every second look: no line is read after it. */
  private failed = false;

  constructor(
    private readonly session: CheckSession,
    private readonly steps: EntrySteps,
    private readonly noise: LossNoise,
    /** The entry estimated again from its first step, against the noise as it then stands (estimate.ts). */
    private readonly again: (tensorIndex: number, index: number) => Steps<EntryEstimate>,
  ) {}

  /**
   * Entry `index` of tensor number `tensorIndex`, about to fail with `estimate`, estimated again
   * (from its first step) against the noise read along its own line, where it fails by at most
   * {@link MARGINAL_EXCESS} times its allowance and that line reads at least {@link DISTINCTLY_BELOW}
   * times below the check's σ: the new estimate where it agrees, else `undefined`. Nothing where the
   * step is the user's, the check's noise was not measured, or an entry of the check failed already
   * (its verdict stands, and a model with a wrong gradient pays the line's 19 losses, up to 57, once,
   * not per entry). What the entries of its tensor learned of their step is left as it was.
   */
  *agreed(
    tensorIndex: number,
    index: number,
    analytic: number,
    estimate: EntryEstimate,
  ): Steps<EntryEstimate | undefined> {
    const { parameters, options } = this.session;
    const tensor = parameters.tensors[tensorIndex]!;
    const smallest = SMALLEST_NORMAL[tensor.view.precision];
    const marginal = failsMarginally(analytic, estimate, smallest, options.tolerance);
    const own =
      marginal && !this.failed && options.step === undefined ? yield* this.judgedAgain(tensorIndex, index) : undefined;
    if (own && !failsOutright(analytic, own, smallest, options.tolerance)) return own;
    this.failed = true;
    return undefined;
  }

  /** The entry estimated again against the noise along its own line, where that reads distinctly below the check's σ; else `undefined`. */
  private *judgedAgain(tensorIndex: number, index: number): Steps<EntryEstimate | undefined> {
    const { parameters } = this.session;
    const checks = this.noise.deviation;
    if (checks === undefined) return undefined;
    const tensor = parameters.tensors[tensorIndex]!;
    const along = { flat: tensor.offset + index, label: parameters.label(tensor, index) };
    const own = yield* measureNoise(this.session, this.steps, undefined, false, along);
    if (own === undefined || own > checks / DISTINCTLY_BELOW) return undefined;
    const learned = this.steps.learnedFactor(tensorIndex);
    this.noise.entryDeviation = own;
    try {
      return yield* this.again(tensorIndex, index);
    } finally {
      this.noise.entryDeviation = undefined;
      this.steps.learn(tensorIndex, learned);
    }
  }
}

/**
 * Where an entry's steps may go, per tensor: the widest step the estimator may widen to (a share of
 * the entry's scale, the larger of |θ| and its tensor's root mean square), and the step the last
 * entry of the tensor was widened to for the loss's noise, which the next entry tries first.
 */
import { WIDEST_SHARE } from './entry-rules.js';
import type { CheckSession } from './session.js';

/**
 * An entry's scale: the larger of |θ| and its tensor's root mean square `rms`; 1 in a tensor of zeros
 * (biases as most libraries initialise them), which has no scale of its own: the scale the default
 * step takes, max(1, |θ|). With a scale of 0 such an entry was never widened for the loss's noise:
 * float32 nets with weights of 1e-2 and 1e-3 and every bias 0 missed 334 and 449 of about 6 000 bias
 * bugs at 3–6 × the finite-difference error (real-code seeds 0–29), 128 and 283 with this scale
 * (and the widening and narrowing of estimate.ts that came with it, stop 36).
 */
const scaleOf = (theta: number, rms: number): number => Math.max(Math.abs(theta), rms) || 1;

/** The scales and learned steps of one check's tensors (see the module's comment). */
export class EntrySteps {
  /** Per tensor, the root mean square of its entries (computed when first needed). */
  private readonly rms: (number | undefined)[] = [];
  /**
   * Per tensor, how many times its default step the last entry was judged at where the loss's noise
   * widened it; 1 for none. A large sum's noise is much the same for every entry, and each entry
   * would otherwise find the wider step anew (2 losses and 2 gradients a widening).
   */
  private readonly learned: number[];

  constructor(private readonly session: CheckSession) {
    this.learned = session.parameters.tensors.map(() => 1);
  }

  /** The scale of entry `index` of tensor number `tensorIndex`: the larger of |θ| and its tensor's root mean square (or 1, {@link scaleOf}). */
  scale(tensorIndex: number, index: number): number {
    const { parameters, snapshot } = this.session;
    return scaleOf(snapshot[parameters.tensors[tensorIndex]!.offset + index]!, this.rootMeanSquare(tensorIndex));
  }

  /** {@link EntrySteps.scale} of every entry, in flat order (a loop per tensor, not a call per entry). */
  scales(): Float64Array {
    const { parameters, snapshot } = this.session;
    const scales = new Float64Array(snapshot.length);
    parameters.tensors.forEach(({ view, offset }, t) => {
      const rms = this.rootMeanSquare(t);
      const end = offset + view.size;
      for (let j = offset; j < end; j++) scales[j] = scaleOf(snapshot[j]!, rms);
    });
    return scales;
  }

  /** The root mean square of the entries of tensor number `tensorIndex` (computed once). */
  private rootMeanSquare(tensorIndex: number): number {
    let rms = this.rms[tensorIndex];
    if (rms === undefined) {
      const { parameters, snapshot } = this.session;
      const tensor = parameters.tensors[tensorIndex]!;
      const { offset, view } = tensor;
      const size = view.size;
      let sum = 0;
      for (let i = 0; i < size; i++) sum += snapshot[offset + i]! ** 2;
      rms = this.rms[tensorIndex] = Math.sqrt(sum / Math.max(1, size));
    }
    return rms;
  }

  /** The widest step entry `index` of tensor number `tensorIndex` may be widened to. */
  widest(tensorIndex: number, index: number): number {
    return WIDEST_SHARE * this.scale(tensorIndex, index);
  }

  /** The first step to try for an entry whose default step is `initial`: the learned one where it fits. */
  first(tensorIndex: number, index: number, initial: number): number {
    const factor = this.learned[tensorIndex]!;
    if (factor === 1) return initial;
    return initial * factor <= this.widest(tensorIndex, index) ? initial * factor : initial;
  }

  /** The factor the last entry of tensor number `tensorIndex` was widened by (1: none). */
  learnedFactor(tensorIndex: number): number {
    return this.learned[tensorIndex]!;
  }

  /** Records the factor the last entry of a tensor was widened by (1: start from the default step). */
  learn(tensorIndex: number, factor: number): void {
    this.learned[tensorIndex] = factor;
  }
}

/**
 * The numeric estimate of one entry's derivative, as a generator that only evaluates: losses at
 * θ ± h (and θ ± h/2 where the central estimate does not settle the entry), at a step widened where
 * the loss did not move and narrowed where a kink lies within it. Every decision is a pure function
 * in entry-rules.ts, and the analytic gradient's kink test is in gradient-kink.ts.
 */
import { entryStep, SMALLEST_NORMAL, withFields, type EntryEstimate } from './difference.js';
import {
  agrees,
  agreesBesideKink,
  contradictsStillness,
  CONFIRMATIONS,
  failsOutright,
  isFlat,
  kinkConfirmed,
  kinkReaches,
  kinkShown,
  widerHelps,
  widensBeyond,
  oneSidedSlopes,
  type FiveLosses,
  type OneSided,
  readNoise,
  refinedEstimate,
  flatReach,
  WIDENING,
} from './entry-rules.js';
import { GradcheckError } from './errors.js';
import { gradientJumpsBeyondHalf, kinkInGradient } from './gradient-kink.js';
import { extrapolatedJudgement } from './extrapolated.js';
import { agreedAtLearned, bendsAtLearned, type KnownLosses } from './learned-step.js';
import { LossNoise } from './noise.js';
import { narrowedAroundKink, sharperBelowKink } from './narrowing.js';
import { stillSaysNothing, stillWithinQuantum } from './quantum.js';
import { EntrySteps } from './entry-steps.js';
import { bendsWithinStep, lossesAt, unlessFar } from './perturbed.js';
import { widenedForNoise, type BendsWithin, type WiderAt } from './noise-widening.js';
import { SettledInPlace, type FirstDifference } from './settle-in-place.js';
import { judgedWhereSmooth } from './smooth-parting.js';
import { OwnLine } from './own-line.js';
import { FittedSlope } from './fitted-slope.js';
import { WiderScale } from './wider-scale.js';
import type { ParameterTensor } from './parameters.js';
import type { CheckSession, Steps } from './session.js';

/** Estimates entries' derivatives for one check session (see {@link EntryEstimator.estimate}). */
export class EntryEstimator {
  /** Per tensor, entries found off in a smooth region: after {@link CONFIRMATIONS}, the kink test stops asking for gradients. */
  private readonly confirmed: number[];
  /** Per tensor, its entries' scale and the step the last entry was widened to (entry-steps.ts). */
  private readonly steps: EntrySteps;
  /** The loss's noise allowance, measured once when an entry needs it (noise.ts). */
  private readonly noise: LossNoise;

  /**
   * Entries settled in place at their first central difference (settle-in-place.ts), tried first
   * for every entry: {@link EntryEstimator.estimate} continues from its losses where it did not settle one.
   */
  readonly inPlace: SettledInPlace;

  /** Entries about to fail, estimated again at wider steps. */
  private readonly wider: WiderScale;

  /** Entries about to fail by little, estimated again against their own line's noise. */
  private readonly ownLine: OwnLine;

  /** Entries that agreed by little, judged again by a slope fitted over a wide line. */
  private readonly fitted: FittedSlope;

  constructor(private readonly session: CheckSession) {
    this.confirmed = session.parameters.tensors.map(() => 0);
    this.steps = new EntrySteps(session);
    this.noise = new LossNoise(session, this.steps);
    this.wider = new WiderScale(session, this.steps, this.noise);
    this.ownLine = new OwnLine(session, this.steps, this.noise, (t, i) => this.estimated(t, i));
    this.fitted = new FittedSlope(session, this.steps, this.noise);
    this.inPlace = new SettledInPlace(session, this.steps, this.noise, this.confirmed);
  }

  /**
   * Estimates the derivative with respect to entry `index` of tensor number `tensorIndex`,
   * perturbing it in place and restoring its exact value. Where the loss did not move at all
   * within a default step, the step grows until it does; where it has a kink within a default
   * step, the step shrinks until the kink falls outside it, or reports the kink. The first entry
   * of a check that would fail is estimated again where a second reading of the loss's noise
   * finds it larger ({@link LossNoise.confirm}); an entry still about to fail, at wider steps
   * ({@link WiderScale.agreed}), and where it fails by little, against its own line's noise
   * ({@link OwnLine.agreed}). A float32 entry that agrees by little is judged again by a slope fitted
   * over a wide line ({@link FittedSlope.judged}).
   */
  *estimate(tensorIndex: number, index: number): Steps<EntryEstimate> {
    const { analytic, parameters, options } = this.session;
    const tensor = parameters.tensors[tensorIndex]!;
    const g = analytic[tensor.offset + index]!;
    const smallest = SMALLEST_NORMAL[tensor.view.precision];
    const fails = (e: EntryEstimate): boolean => failsOutright(g, e, smallest, options.tolerance);
    let estimate = yield* this.estimated(tensorIndex, index);
    // An entry about to fail on the measured noise: the noise confirmed at a second spacing, and
    // where it reads larger, the entry judged again against it (LossNoise.confirm).
    if (fails(estimate) && (yield* this.noise.confirm())) estimate = yield* this.estimated(tensorIndex, index);
    if (!fails(estimate)) return yield* this.fitted.judged(tensorIndex, index, g, estimate);
    const wider = yield* this.wider.agreed(tensorIndex, index, g, estimate);
    return wider ?? (yield* this.ownLine.agreed(tensorIndex, index, g, estimate)) ?? estimate;
  }

  /** {@link EntryEstimator.estimate} against the noise as measured so far. */
  private *estimated(tensorIndex: number, index: number): Steps<EntryEstimate> {
    const { options, parameters, snapshot, analytic } = this.session;
    const tensor = parameters.tensors[tensorIndex]!;
    const adaptable = options.step === undefined;
    const initial = entryStep(snapshot[tensor.offset + index]!, tensor.view.precision, options);
    let h = initial;
    const widest = this.steps.widest(tensorIndex, index);
    const noisy = adaptable && widensBeyond(h, initial, widest);
    let first = this.inPlace.first;
    const half = this.inPlace.half;
    this.inPlace.first = this.inPlace.half = undefined;
    this.known = undefined;
    const g = analytic[tensor.offset + index]!;
    const learned = this.steps.first(tensorIndex, index, initial);
    if (learned > initial) {
      // (Where the loss is not finite there, the entry walks from its default step.)
      first ??= yield* unlessFar(lossesAt(this.session, tensor, index, learned, 1));
      if (first) {
        // The widening below may reach the learned step again: its losses are known.
        this.known = { tensorIndex, index, h: learned, first, half, widens: widensBeyond(learned, initial, widest) };
        // Where the loss bends across the learned step, its losses at h/2 judge the entry (learned-step.ts).
        const [taken, lossPlus, lossMinus] = first;
        const bends = bendsAtLearned(this.inPlace, tensorIndex, g, taken.plus, taken.minus, lossPlus, lossMinus);
        if (bends && this.noise.unmeasured) yield* this.noise.measure();
        const settled =
          (bends ? undefined : yield* this.inPlace.settledAt(tensorIndex, g, ...first)) ??
          // (The in-place settler holds this estimator's session, noise and confirmations.)
          (yield* agreedAtLearned(this.inPlace, this.known));
        if (settled) return withFields(settled, { widened: learned / initial });
      }
      this.steps.learn(tensorIndex, 1);
      first = undefined;
    }
    let [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h, { noisy, first });
    let coarse = false;
    // A loss coarser than the default step counts the noise widenings from the step it moved at.
    let from = initial;
    // A loss still within the step contradicts the analytic derivative only against measured noise
    // (contradictsStillness): a loss too coarse for the noise probe to move says nothing of it, nor
    // one that a wider step shows kept to a quantum coarser than that noise (quantum.ts).
    const coarserThanStep = function* (this: EntryEstimator): Steps<boolean> {
      if (!flat || !adaptable) return false;
      if (!this.noise.measured || !contradictsStillness(g, estimate)) return true;
      return yield* stillWithinQuantum(this.session, tensor, index, h, g);
    }.bind(this);
    if (yield* coarserThanStep()) {
      coarse = true;
      [estimate, flat, h] = yield* this.widenWhileFlat(tensorIndex, index, h, widest);
      from = h;
    }
    // Where the loss's own noise, not truncation, decides the error at this step, a wider step
    // balances the two better: widen until truncation shows, the entry agrees, or the widenings run out.
    // The noise is read where the step is smallest (at a wider step the losses' fourth difference
    // shows curvature too) and carried to the wider steps.
    const noise = estimate.noise;
    const beforeWidening = { estimate, h };
    const widerAt: WiderAt = (step, wider) => this.estimateAt(tensorIndex, index, step, { noisy: wider, noise });
    const bends: BendsWithin = (step, allowed) => bendsWithinStep(this.session, tensor, index, step, allowed);
    const range = { from, widest, scale: this.steps.scale(tensorIndex, index) };
    [estimate, flat, h] = yield* widenedForNoise(widerAt, { estimate, flat, h }, range, g, bends);
    // Where the loss stands still at the step the widening for noise ended at (the first step's reading for
    // noise does not say so), it is coarser than that step too: widened as above, once (property GC_SEED=25,
    // 1962701893: float32 weights of 1e4, b2 all 0, "never moved the loss" at 2⁻⁸).
    if (!coarse && (yield* coarserThanStep())) {
      coarse = true;
      [estimate, flat, h] = yield* this.widenWhileFlat(tensorIndex, index, h, widest);
    }
    // The step is final: an agreement there that the extrapolated value contradicts is a disagreement.
    estimate = yield* this.judgedFinally(estimate);
    // A kink first shown at a step widened for noise may be the loss's fourth-order term (smooth-parting.ts).
    if (h > beforeWidening.h) estimate = yield* judgedWhereSmooth(this.session, tensor, index, h, estimate);
    // Widened for a noise that the first step's one-sided slopes showed as a kink (a kink's fourth
    // difference reads as noise): a narrower step may leave the kink out, and judge more sharply.
    const at = (step: number): Steps<EntryEstimate> => this.finallyAt(tensorIndex, index, step);
    // (A still loss below the kink that would fail the entry does not judge it where the losses at the
    // widened step show that stillness to be the loss's quantum: quantum.ts.)
    const saysNothing = (still: EntryEstimate, step: number): Steps<boolean> =>
      stillSaysNothing(this.session, tensor, index, step, g, still, h);
    const below = yield* sharperBelowKink(at, beforeWidening, h, estimate, flat, saysNothing);
    if (below) return below;
    if (h > initial) estimate = withFields(estimate, { widened: h / initial });
    yield* this.learnFrom(tensorIndex, index, h / initial, g, estimate, noise!, { flat, coarse });
    // A kink within the step may lie beside θ rather than at it: a narrower step leaves it out.
    if (!estimate.kink || !adaptable)
      return kinkConfirmed(estimate, kinkShown(estimate), adaptable, kinkReaches(g, estimate));
    // (A loss coarser than its magnitude stays so at the narrower steps.)
    const narrowerAt = (step: number): ReturnType<EntryEstimator['estimateAt']> =>
      this.estimateAt(tensorIndex, index, step, { widened: coarse });
    const firstReading = h === beforeWidening.h ? beforeWidening.estimate : undefined;
    const jumpsBeyondHalf = (step: number, mismatch: number): Steps<boolean> =>
      gradientJumpsBeyondHalf(this.session, tensor, index, step, mismatch);
    const around = { first: firstReading, jumpsBeyondHalf, from, rounding: this.noise.rounding };
    return yield* narrowedAroundKink(narrowerAt, g, options.tolerance, estimate, h, around);
  }

  /**
   * What an entry widened for noise (by `factor`, to `estimate`) teaches the entries after it: its
   * tensor tries that step first ({@link EntrySteps.learn}), and where it agreed there (no kink),
   * the noise its first step showed is allowed every later entry ({@link LossNoise.saw}: which may
   * measure the noise again at this step). Nothing where the step did not grow, the loss stood
   * still, or was coarser than the default step.
   */
  private *learnFrom(
    tensorIndex: number,
    index: number,
    factor: number,
    analytic: number,
    estimate: EntryEstimate,
    noise: number,
    loss: { readonly flat: boolean; readonly coarse: boolean },
  ): Steps<void> {
    const agreed = !estimate.kink && agrees(analytic, estimate, this.session.options.tolerance);
    // (A loss coarser than the default step, moved at a wider one, shows its quantum: quantum.ts, ShownQuantum.)
    if (loss.coarse && !loss.flat && agreed) this.noise.quantum.saw(estimate.noise ?? 0);
    if (factor <= 1 || loss.flat || loss.coarse) return;
    this.steps.learn(tensorIndex, factor);
    if (agreed) yield* this.noise.saw(noise, estimate.step / this.steps.scale(tensorIndex, index));
  }

  /**
   * Where the last {@link EntryEstimator.estimateAt} agreed only within the central quotient's
   * truncation estimate and the extrapolated value from the same losses disagrees (extrapolated.ts),
   * the judgement that decides the entry if that step is its last.
   */
  private judged: (() => Steps<EntryEstimate>) | undefined;

  /** `estimate` as {@link EntryEstimator.judged} decides it at the entry's final step. */
  private *judgedFinally(estimate: EntryEstimate): Steps<EntryEstimate> {
    return this.judged ? yield* this.judged() : estimate;
  }

  /**
   * The losses at θ ± h of the entry being estimated where its learned step did not settle it
   * (h that step), and at θ ± h/2 once {@link agreedAtLearned} evaluated them: an
   * estimate at the same step later takes them instead of evaluating them again.
   */
  private known: KnownLosses | undefined;

  /** {@link lossesAt} at θ ± s·h, or the losses there that {@link EntryEstimator.known} holds. */
  private *lossesKnownAt(tensor: ParameterTensor, index: number, h: number, s: 1 | 0.5): Steps<FirstDifference> {
    const known = h === this.known?.h ? (s === 1 ? this.known.first : this.known.half) : undefined;
    return known ?? (yield* lossesAt(this.session, tensor, index, h, s));
  }

  /** {@link EntryEstimator.estimateAt} at step `h`, as judged where that step is the entry's last. */
  private *finallyAt(tensorIndex: number, index: number, h: number): Steps<EntryEstimate> {
    const [estimate] = yield* this.estimateAt(tensorIndex, index, h, {});
    return yield* this.judgedFinally(estimate);
  }

  /**
   * Where the loss did not move at all within step `h` and that stillness does not contradict the
   * analytic derivative ({@link contradictsStillness}: a dead ReLU unit's bias with a gradient that
   * is not 0 must fail there, not at a step that crosses into another region), the loss is coarser
   * than the step: widen by {@link WIDENING} until it moves, up to {@link flatReach}. Where it stands
   * still up to there, its floor is at least the loss's quantum as other entries showed it, over the
   * step (quantum.ts, `ShownQuantum`).
   */
  private *widenWhileFlat(
    tensorIndex: number,
    index: number,
    h: number,
    widest: number,
  ): Steps<[EntryEstimate, boolean, number]> {
    let [estimate, flat]: [EntryEstimate | undefined, boolean] = [undefined, true];
    const { parameters, snapshot } = this.session;
    const reach = flatReach(snapshot[parameters.tensors[tensorIndex]!.offset + index]!, h);
    while (flat && h < reach) {
      h = Math.min(h * WIDENING, reach);
      const noisy = widensBeyond(h, h, widest);
      [estimate, flat] = yield* this.estimateAt(tensorIndex, index, h, { widened: true, noisy });
    }
    return [flat ? this.noise.quantum.stillWithin(estimate!) : estimate!, flat, h];
  }

  /**
   * {@link EntryEstimator.estimate} at step `h`; also says whether the loss stayed bitwise flat
   * (reported only for an entry that disagrees). `widened`: the loss did not move at all within
   * a smaller step, so its resolution is coarser than ε·|L|. `noisy`: a disagreement whose error
   * at this step is the loss's noise rather than truncation returns marked `noisy`, before the
   * kink test, so that the caller can widen the step.
   */
  private *estimateAt(
    tensorIndex: number,
    index: number,
    h: number,
    at: {
      readonly widened?: boolean;
      readonly noisy?: boolean;
      readonly noise?: number | undefined;
      /** The losses at θ ± h, already evaluated (settle-in-place.ts). */
      readonly first?: FirstDifference | undefined;
    },
  ): Steps<[EntryEstimate, boolean, OneSided?, FiveLosses?]> {
    this.judged = undefined;
    const { parameters, snapshot, options, loss } = this.session;
    const tensor = parameters.tensors[tensorIndex]!;
    const theta = snapshot[tensor.offset + index]!;
    const analytic = this.session.analytic[tensor.offset + index]!;
    const [coarse, lossPlus, lossMinus] = at.first ?? (yield* this.lossesKnownAt(tensor, index, h, 1));
    if (coarse.plus === coarse.minus) {
      throw new GradcheckError(
        'INVALID_OPTION',
        `step ${h} is below the resolution of ${parameters.label(tensor, index)} ` +
          `(${tensor.view.precision}, value ${theta}): θ ± h rounds to θ. Use a larger step, or omit it for one fitted to each entry.`,
      );
    }
    const settled = yield* this.inPlace.settledAt(tensorIndex, analytic, coarse, lossPlus, lossMinus);
    if (settled) return [settled, false];
    const [fine, lossPlusHalf, lossMinusHalf] = yield* this.lossesKnownAt(tensor, index, h, 0.5);
    const losses = [lossMinus, lossMinusHalf, loss, lossPlusHalf, lossPlus] as const;
    const flat = isFlat(losses);
    const read = readNoise(losses, this.noise.allowance(Math.max(...losses.map(Math.abs)), 0), at.widened === true);
    const { modelled } = read;
    const noise = at.noise === undefined ? read.noise : Math.max(modelled, at.noise);
    const refined = refinedEstimate(options.scheme, coarse, fine, losses, noise);
    const estimate = flat ? withFields(refined, { flat }) : refined;
    // (Against the noise carried from a narrower step too: at a wide step the slopes of a loss kept
    // to a coarse quantum differ by that quantum over h, which is noise, not a kink.)
    const sides = oneSidedSlopes(theta, coarse, fine, losses, Math.max(modelled, at.noise ?? 0), options.tolerance);
    // Agreement within an error that a wider step would shrink is no agreement yet (also where the
    // loss stayed bitwise still: that agrees with any small gradient within the step's floor). The
    // one-sided slopes go with it: the noise read off these losses may be a kink's (see estimate).
    if (at.noisy && widerHelps(analytic, estimate, options.tolerance, coarse, fine, losses, noise))
      return [withFields(estimate, sides.shown ? { noisy: true, kink: sides } : { noisy: true }), false, sides, losses];
    if (agreesBesideKink(analytic, estimate, sides.shown, options.tolerance)) {
      // Agreement only within the truncation estimate is judged again where the step is final (extrapolated.ts).
      const steps = { coarse, fine, losses, noise };
      if (!flat && !sides.shown)
        this.judged = extrapolatedJudgement(this.session, this.confirmed, tensorIndex, index, estimate, steps);
      return [estimate, false, sides, losses];
    }
    let kinked = sides.shown;
    let judged = estimate;
    if (!kinked && !flat && this.confirmed[tensorIndex]! < CONFIRMATIONS)
      [kinked, judged] = yield* kinkInGradient(this.session, tensor, index, { coarse, fine, h }, analytic, estimate);
    if (!kinked && !flat) this.confirmed[tensorIndex]!++;
    return [kinked ? withFields(estimate, { kink: sides }) : judged, flat, sides, losses];
  }
}

/**
 * Failures a check finds beside the entries' comparison (issue 9), as pure functions of what the
 * session measured: a gradient function that is not a function of the parameters (two calls at
 * the same point disagree, typically buffers that accumulate across calls), and tensors whose
 * perturbation never moves the loss though their analytic gradient is not zero (the model's
 * `parameters` hold copies of what `loss` reads). Each finding is one sentence for the report's
 * first line.
 */
import type { ParameterSet } from './parameters.js';
import { MACHINE_EPSILON } from './difference.js';

/**
 * Two calls of a deterministic gradient function at the same point give the same numbers; this
 * many rounding errors of the larger value are forgiven, for reductions whose order varies
 * between calls (parallel or GPU sums).
 */
const REPEAT_ROUNDING = 16;

/** How close the second call must be to a fixed multiple of the first to call it accumulation (relative residual). */
const MULTIPLE = 1e-6;

/**
 * What is wrong when `gradients(X, Y)` gave `first` and then `second` at the same parameters, or
 * `undefined` when they agree. When the second is a fixed multiple of the first (2 × after one
 * more call: buffers that add into themselves, or momentum-like `β·previous + g`), it says the
 * gradients accumulate across calls and must be reset; otherwise it names the entry that moved most.
 */
export function impureGradients(
  parameters: ParameterSet,
  first: Float64Array,
  second: Float64Array,
): string | undefined {
  const eps = MACHINE_EPSILON[parameters.precision];
  let worst = -1,
    worstExcess = 1;
  for (let i = 0; i < first.length; i++) {
    const a = first[i]!,
      b = second[i]!;
    const allowed = REPEAT_ROUNDING * eps * Math.max(Math.abs(a), Math.abs(b));
    const off = Math.abs(a - b);
    // (allowed is 0 only where both are 0, and then so is off: no division by 0 below.)
    if (off > allowed && off / allowed >= worstExcess) {
      worst = i;
      worstExcess = off / allowed;
    }
  }
  if (worst < 0) return undefined;
  // The factor k of second ≈ k × first, and how well it fits.
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < first.length; i++) {
    ab += first[i]! * second[i]!;
    aa += first[i]! ** 2;
    bb += second[i]! ** 2;
  }
  const k = aa === 0 ? 0 : ab / aa;
  const residual2 = Math.max(0, bb - k * ab);
  const at = label(parameters, worst);
  const values = `${at} was ${first[worst]} and then ${second[worst]}`;
  if (k !== 1 && k !== 0 && residual2 <= MULTIPLE ** 2 * bb) {
    return (
      `gradients(X, Y) gave different gradients at the same parameters: the second call returned ` +
      `${k.toPrecision(3)} × the first (${values}): gradients accumulate across calls; reset the gradient buffers ` +
      `(zero_grad) at the start of each backward pass`
    );
  }
  return (
    `gradients(X, Y) gave different gradients at the same parameters (${values}): ` +
    'the gradient must be a function of the parameters (no dropout or sampling in the backward pass, no state kept between calls)'
  );
}

/** `W1[2,3]` for a flat index over all parameters. */
function label(parameters: ParameterSet, flat: number): string {
  for (const t of parameters.tensors) {
    if (flat < t.offset + t.view.size) return parameters.label(t, flat - t.offset);
  }
  return String(flat);
}

/**
 * The finding for tensors whose every checked entry left the loss bitwise unchanged, at every
 * step tried, while the analytic gradient is not zero there: `loss` does not read them.
 * `unread` names them; empty means none.
 */
export function unreadTensors(unread: readonly string[]): string | undefined {
  if (unread.length === 0) return undefined;
  const names = unread.join(', ');
  const one = unread.length === 1;
  return (
    `perturbing ${names} never moved the loss, though ${one ? 'its' : 'their'} analytic gradient is not 0: ` +
    `loss(X, Y) does not read ${one ? 'it' : 'them'} (does the model's parameters hold copies, from .slice(), .clone() ` +
    `or a new Matrix, rather than the tensors loss computes with? or is ${one ? 'it' : 'each'} not used, ` +
    `or used only where the loss is flat here, as a dead ReLU unit's bias, whose gradient must then be 0?)`
  );
}

/**
 * The largest share of the entries checked that may be left out as kinks before a check fails:
 * past it, too little of the gradient was compared for a pass to vouch for it. Measured on the
 * correct ReLU networks of the property tests (2 400 models, seeds 0 and 1: 333 with kinks), where
 * the largest share left out overall was 26 % (6 of 23 entries) and no check with 8 or more left
 * out had more than 16 % (8 of 53); the correct layers, tfjs ops and real-code networks of the
 * other property tests had none.
 */
export const KINK_SHARE = 1 / 4;

/**
 * The fewest entries left out as kinks that can fail a check: a small tensor wholly at kinks
 * (zero biases with an all-zero example, a ReLU input at 0) is common in correct models (up to 6
 * of 6 entries in the property tests) and fails no check by itself; the first line then says
 * that the entries left out were the only ones that disagreed.
 */
export const KINK_MINIMUM = 8;

/** Whether `kinks` entries left out of `checked` are too many: at least {@link KINK_MINIMUM}, and more than {@link KINK_SHARE} of them. */
export function kinksExceed(kinks: number, checked: number): boolean {
  return kinks >= KINK_MINIMUM && kinks > KINK_SHARE * checked;
}

/** A tensor's entries checked and left out as kinks, as {@link tooManyKinks} reads them. */
export interface KinkCount {
  readonly name: string;
  readonly checked: number;
  readonly kinks: number;
}

/** `83 %`: `kinks` as a share of `checked`, rounded. */
function percent(kinks: number, checked: number): string {
  return `${Math.round((100 * kinks) / Math.max(1, checked))} %`;
}

/**
 * The finding for a check that left out too many entries as kinks (`kinks: 'exclude'`): in a
 * tensor, or over all the entries checked, at least {@link KINK_MINIMUM} and more than
 * {@link KINK_SHARE} of them ({@link kinksExceed}). It says how many, the share, the tensors over
 * the limit, and what to do. `undefined` when none are too many.
 */
export function tooManyKinks(tensors: readonly KinkCount[]): string | undefined {
  const kinks = tensors.reduce((n, t) => n + t.kinks, 0);
  const checked = tensors.reduce((n, t) => n + t.checked, 0);
  const over = tensors.filter((t) => kinksExceed(t.kinks, t.checked));
  if (over.length === 0 && !kinksExceed(kinks, checked)) return undefined;
  const alone = over.length === 1 && over[0]!.checked === checked;
  const where =
    over.length && !alone
      ? `, in ${over.map((t) => `${t.name} ${t.kinks} of ${t.checked} (${percent(t.kinks, t.checked)})`).join(', ')}`
      : '';
  return (
    `${kinks} of the ${checked} entries checked (${percent(kinks, checked)}) were left out as kinks${where}, ` +
    `more than a check may leave out (${Math.round(100 * KINK_SHARE)} % of a tensor's or of all entries checked, and at least ${KINK_MINIMUM}): ` +
    'too little of the gradient was compared to pass; if the parameters or inputs sit on kinks (zero biases with an ' +
    "all-zero input, ties in a max), move them off; else try a smaller step, or kinks: 'fail' to see their values among the worst entries"
  );
}

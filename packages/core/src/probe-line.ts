/**
 * The line the noise probe (noise.ts) evaluates the loss along: every entry moved by a seeded sign
 * times a power of two of its scale, or one entry alone, and the points on it written into the
 * parameters bit for bit.
 */
import { powerOfTwoAtMost } from './difference.js';
import type { EntrySteps } from './entry-steps.js';
import { seededRandom } from './random.js';
import type { CheckSession } from './session.js';
import { flatArrayOf, placeEntry } from './tensors.js';

/** The seed offset of the probe's direction (beside the check's other random choices). */
const PROBE_SEED_OFFSET = 0x5eed;

/** One entry to read a line along: its flat index among the session's entries, and its label for messages. */
export interface EntryLine {
  readonly flat: number;
  readonly label: string;
}

/**
 * The probe's line: per entry a seeded sign (or 0 but for the one entry a line along it moves), and its
 * scale (1 for an entry of a tensor of zeros); `name` says which line it is, in messages.
 */
export interface ProbeLine {
  readonly signs: Float64Array;
  readonly scales: Float64Array;
  readonly name: string;
}

// The loops over every entry below are plain functions, not parts of the generators that call them:
// V8 compiles a loop in a generator only when the generator as a whole gets hot (it cannot replace a
// running generator's frame), so that a check's one probe ran its P-entry loops in the interpreter.

/** {@link ProbeLine} of the session's entries, or `along` one (loops, not Float64Array.from with a function, which iterates). */
export function probeLine(session: CheckSession, steps: EntrySteps, along?: EntryLine): ProbeLine {
  const { snapshot } = session;
  const scales = steps.scales();
  const signs = new Float64Array(snapshot.length);
  if (along) {
    signs[along.flat] = 1;
    return { signs, scales, name: along.label };
  }
  const random = seededRandom(session.options.seed + PROBE_SEED_OFFSET);
  for (let j = 0; j < signs.length; j++) signs[j] = random.sign();
  return { signs, scales, name: 'a random direction' };
}

/**
 * Moves every entry to θ + t·move, its move ±unit (a built-in view's array written directly, as
 * view.set writes it): the point θ + t·sign·unit, bit for bit (t·sign and sign·unit are exact, so
 * both orders round the one exact product once).
 */
export function placeAlong(session: CheckSession, moves: Float64Array, t: number): void {
  const { parameters, snapshot } = session;
  for (const { view, offset } of parameters.tensors) {
    const array = flatArrayOf(view);
    // (The size read once: read in the loop's test, V8 loads it again after every write.)
    const size = view.size;
    // A built-in view's array written in a loop of its own (placeEntry's write, without its read back).
    if (array) for (let i = 0; i < size; i++) array[i] = snapshot[offset + i]! + t * moves[offset + i]!;
    else for (let i = 0; i < size; i++) placeEntry(array, view, i, snapshot[offset + i]! + t * moves[offset + i]!);
  }
}

/**
 * Per entry, its sign times the largest power of 2 at most `spacing` times its scale; entries of one
 * scale (most of a tensor's, whose scale is its root mean square) share one power, computed once.
 */
export function movesOf({ signs, scales }: ProbeLine, spacing: number): Float64Array {
  const moves = new Float64Array(scales.length);
  let scale = NaN,
    unit = NaN;
  for (let j = 0; j < scales.length; j++) {
    if (scales[j] !== scale) {
      scale = scales[j]!;
      unit = powerOfTwoAtMost(spacing * scale);
    }
    moves[j] = signs[j]! * unit;
  }
  return moves;
}

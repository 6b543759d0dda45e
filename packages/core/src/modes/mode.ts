/**
 * What every mode is: one function of one signature, `(session, reason) => Algorithm<ModeOutcome>`.
 * A mode spends evaluations through the session and hands back what it measured; outcome.ts turns
 * that into the {@link CheckResult} (the verdict, the diagnosis, the Taylor test).
 */
import type { Comparison } from '../compare.js';
import type { Algorithm } from '../evaluation.js';
import type { RunMode } from '../options.js';
import type { CheckSession } from '../session.js';

/**
 * A tensor's verdict measured as a whole (the directional projections) rather than entry by
 * entry: it replaces the row's measures, and the tensor passes only if this passed and no entry
 * checked elementwise failed.
 */
export interface WholeTensorVerdict {
  readonly directions: number;
  readonly difference: number;
  readonly errorNorm: number;
  readonly noiseNorm: number;
  readonly passed: boolean;
}

/** What a mode measured. */
export interface ModeOutcome {
  readonly mode: RunMode;
  /** Why this mode ran: the option, or auto's weighing of the budget. */
  readonly reason: string;
  /** The entries checked elementwise. */
  readonly comparison: Comparison;
  /** How many entries were checked elementwise. */
  readonly checked: number;
  /** The smallest and largest step taken (`[Infinity, 0]` when none was). */
  readonly stepRange: readonly [number, number];
  /** What the mode could not do (the budget ran out, …). */
  readonly warnings: readonly string[];
  /**
   * Per-tensor and overall verdicts measured as a whole (directional); without them the
   * comparison's verdicts stand.
   */
  readonly whole?: {
    readonly tensors: readonly WholeTensorVerdict[];
    readonly difference: number;
    readonly passed: boolean;
  };
}

/** A mode: runs over an open session and returns what it measured. */
export type Mode = (session: CheckSession, reason: string) => Algorithm<ModeOutcome>;

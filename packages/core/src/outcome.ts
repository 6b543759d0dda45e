/**
 * The one place a {@link CheckResult} is built: a mode's outcome (modes/mode.ts) with the session's
 * counters, the diagnosis of failing tensors (diagnose.ts), the tolerance warning, and the Taylor
 * test as a second opinion that never changes the verdict.
 */
import { toleranceWarning, type Comparison, type Verdict } from './compare.js';
import { diagnoseTensors, type TensorEvidence } from './diagnose.js';
import { tooManyKinks, unreadTensors } from './findings.js';
import type { ModeOutcome } from './modes/mode.js';
import type { CheckResult, TensorResult } from './result.js';
import { now, type CheckSession, type Steps } from './session.js';
import { TAYLOR_EVALUATIONS, taylorTest } from './taylor.js';

/** The diagnosis of each failing tensor in `verdict`. */
function diagnose(
  session: CheckSession,
  comparison: Comparison,
  verdict: Verdict,
  examples: number | undefined,
): TensorResult[] {
  const { parameters, analytic, snapshot } = session;
  const evidence = parameters.tensors.map((t, k): TensorEvidence => ({
    name: t.name,
    shape: t.view.shape,
    failing: !verdict.tensors[k]!.passed,
    entries: comparison.recorded(k),
    noiseNorm: verdict.tensors[k]!.noiseNorm,
    analyticAt: (i) => analytic[t.offset + i]!,
    thetaAt: (i) => snapshot[t.offset + i]!,
    label: (i) => parameters.label(t, i),
  }));
  const diagnoses = diagnoseTensors(evidence, examples);
  return verdict.tensors.map((t, k) => (diagnoses[k] ? { ...t, diagnosis: diagnoses[k] } : t));
}

/**
 * The verdict of a mode's outcome: the comparison's, with a tensor measured as a whole (directional)
 * passing only when its whole verdict passed and no entry of it checked elementwise failed.
 */
function verdictOf(
  outcome: ModeOutcome,
  session: CheckSession,
  examples: number | undefined,
): Pick<CheckResult, 'passed' | 'difference' | 'tensors' | 'worst' | 'kinks'> {
  const verdict = outcome.comparison.verdict();
  const rows = verdict.passed ? verdict.tensors : diagnose(session, outcome.comparison, verdict, examples);
  const kinks = {
    count: verdict.kinks,
    disagreeing: verdict.kinksOff,
    policy: session.options.kinks,
    entries: verdict.kinkLabels,
  };
  const { whole } = outcome;
  if (!whole)
    return { passed: verdict.passed, difference: verdict.difference, tensors: rows, worst: verdict.worst, kinks };
  const tensors = rows.map((row, k): TensorResult => {
    const t = whole.tensors[k]!;
    return { ...row, ...t, passed: t.passed && row.failing === 0 };
  });
  return {
    passed: tensors.every((t) => t.passed) && whole.passed,
    difference: whole.difference,
    tensors,
    worst: verdict.worst,
    kinks,
  };
}

/** The note that says where the step grew because the loss's noise dominated (issue 9). */
function widenedNote(entries: number): string {
  return (
    `the step was widened for ${entries} ${entries === 1 ? 'entry' : 'entries'} where the loss's own rounding noise, ` +
    'not truncation, decided the error at the default step (judged at the wider step).'
  );
}

/** The result of a mode's outcome, before the second opinion. */
function buildResult(outcome: ModeOutcome, session: CheckSession, examples: number | undefined): CheckResult {
  const { options, parameters } = session;
  const verdict = verdictOf(outcome, session, examples);
  const { difference, tensors, worst, kinks } = verdict;
  const unread = unreadTensors(tensors.filter((t) => t.unread).map((t) => t.name));
  const leftOut = kinks.policy === 'exclude' ? tooManyKinks(tensors) : undefined;
  const findings = [...session.findings, ...(unread ? [unread] : []), ...(leftOut ? [leftOut] : [])];
  const passed = verdict.passed && findings.length === 0;
  const widened = tensors.reduce((n, t) => n + (t.widened ?? 0), 0);
  const warning = toleranceWarning(options.tolerance, parameters.precision, options.scheme);
  return {
    passed,
    mode: outcome.mode,
    modeReason: outcome.reason,
    difference,
    tolerance: options.tolerance,
    scheme: options.scheme,
    step: options.step ?? 'auto',
    stepRange: [outcome.stepRange[0], outcome.stepRange[1]],
    precision: parameters.precision,
    loss: session.loss,
    parameters: parameters.size,
    checked: outcome.checked,
    evaluations: { loss: session.lossEvaluations, gradients: session.gradientEvaluations },
    elapsedMs: now() - session.started,
    tensors,
    worst,
    kinks,
    ...(examples !== undefined ? { examples } : {}),
    seed: options.seed,
    warnings: [...(warning ? [warning] : []), ...outcome.warnings, ...(widened ? [widenedNote(widened)] : [])],
    ...(findings.length ? { findings } : {}),
  };
}

/**
 * The Taylor test as a second opinion on `result` (always with `taylor: true`, on failure by
 * default); its outcome goes into the result, never into the verdict.
 */
function* secondOpinion(session: CheckSession, result: CheckResult): Steps<CheckResult> {
  const when = session.options.taylor;
  if (when === 'never' || (when === 'on-failure' && result.passed)) return result;
  if (when === 'on-failure' && (session.evaluationsLeft() < TAYLOR_EVALUATIONS || session.outOfTime())) {
    return {
      ...result,
      warnings: [
        ...result.warnings,
        `the Taylor test was skipped: the budget has no room for its ${TAYLOR_EVALUATIONS} loss evaluations.`,
      ],
    };
  }
  const taylor = yield* taylorTest(session, session.options.seed);
  session.finalProgress();
  const warnings =
    result.passed && taylor.verdict === 'wrong'
      ? [
          ...result.warnings,
          'every entry agreed, but the Taylor test found the remainder shrinking like t along a random direction: ' +
            'a kink along that direction can do this; so can a gradient wrong only in combination (check the loss is the one differentiated).',
        ]
      : result.warnings;
  return {
    ...result,
    taylor,
    warnings,
    evaluations: { loss: session.lossEvaluations, gradients: session.gradientEvaluations },
    elapsedMs: now() - session.started,
  };
}

/**
 * The {@link CheckResult} of a mode's outcome: its verdict and diagnosis, then the Taylor test.
 * `examples` is the number of examples in X, for the diagnosis.
 */
export function* checkResult(
  outcome: ModeOutcome,
  session: CheckSession,
  examples: number | undefined,
): Steps<CheckResult> {
  return yield* secondOpinion(session, buildResult(outcome, session, examples));
}

import { kinksExceed, tooManyKinks } from './findings.js';
import type { CheckResult, TensorResult } from './result.js';
import { describeTaylor } from './taylor.js';
import { formatShape } from './tensors.js';

/**
 * Colours for {@link formatReport}; each wraps a piece of text. The default is plain text; the
 * matchers pass the test runner's `this.utils` colours.
 */
export interface ReportStyle {
  /** Wrong numbers and failing verdicts. */
  bad(text: string): string;
  /** Passing verdicts and the tolerance. */
  good(text: string): string;
  /** Secondary detail. */
  dim(text: string): string;
}

const plain: ReportStyle = { bad: (s) => s, good: (s) => s, dim: (s) => s };

/** A number in short scientific notation: `4.78e-1`. */
export function sci(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  return value === 0 ? '0' : value.toExponential(digits).replace('e+', 'e');
}

/** A gradient value with 6 significant digits, fixed-point where that stays short. */
function num(value: number): string {
  if (value === 0) return '0';
  const a = Math.abs(value);
  return a >= 1e-4 && a < 1e6 ? value.toPrecision(6) : value.toExponential(5).replace('e+', 'e');
}

/** Printed width of a cell: characters, not counting colour codes. */
const width = (cell: string): number => [...cell.replace(/\u001b\[[0-9;]*m/g, '')].length;

function table(rows: string[][], rightAligned: boolean[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => width(r[c]!))));
  return rows.map(
    (r) =>
      '  ' +
      r
        .map((cell, c) => {
          const pad = ' '.repeat(widths[c]! - width(cell));
          return rightAligned[c] ? pad + cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
  );
}

/** What the numeric side was computed on, after "central differences". */
const BASIS: Readonly<Record<CheckResult['mode'], string>> = {
  full: '',
  directional: ' along random directions',
  sampled: ' on sampled entries',
};

/**
 * `3 entries left out as kinks`, or `''` when none were, or when they were too many: then the
 * check's finding says how many.
 */
function kinksLeftOut(result: CheckResult): string {
  const { count, policy } = result.kinks;
  if (count === 0 || (policy === 'exclude' && tooManyKinks(result.tensors))) return '';
  const entries = `${count} ${count === 1 ? 'entry' : 'entries'}`;
  return policy === 'exclude' ? `${entries} left out as kinks` : `${entries} at kinks counted as failing`;
}

/** Labels in the first line: up to this many, then `…`. */
const LABELS_IN_LINE = 3;

/**
 * What a pass says about its kinks, after its comparison. Every entry compared agreed, so where
 * the entries left out as kinks disagreed, they were the only ones that did, and the line says so
 * (", but the only disagreeing entry, w[0], was left out as a kink"); kinks that agreed are only
 * counted (" (2 entries left out as kinks)").
 */
function passKinks(result: CheckResult): string {
  const { count, disagreeing, entries } = result.kinks;
  if (count === 0 || result.kinks.policy !== 'exclude') return '';
  if (disagreeing === 0) return ` (${kinksLeftOut(result)})`;
  const all = disagreeing === count ? '' : ` (${count} entries left out in all)`;
  if (disagreeing === 1 && count === 1)
    return `, but the only disagreeing entry, ${entries[0]}, was left out as a kink`;
  if (disagreeing === 1) return `, but the only disagreeing entry was left out as a kink${all}`;
  const labels =
    disagreeing === count
      ? ` (${entries.slice(0, LABELS_IN_LINE).join(', ')}${count > LABELS_IN_LINE ? ', …' : ''})`
      : '';
  return `, but the only ${disagreeing} disagreeing entries${labels} were left out as kinks${all}`;
}

/**
 * Why a failed check failed though its overall difference is within the tolerance: its findings
 * (impure gradients, a tensor the loss does not read, …), else the tensors or entries that failed
 * on their own (a tensor's own difference, or entries beyond their finite-difference error).
 */
function failureReason(result: CheckResult): string {
  if (result.findings?.length) return result.findings.join('; ');
  const failed = result.tensors.filter((t) => !t.passed);
  const own = failed.filter((t) => t.difference > result.tolerance);
  if (own.length > 0)
    return `${own.map((t) => `${t.name} differs by ${sci(t.difference)}`).join(', ')} on ${own.length === 1 ? 'its' : 'their'} own`;
  const worst = result.worst.find((e) => e.excess > 1);
  const entries = failed.reduce((n, t) => n + t.failing, 0);
  if (worst)
    return `${entries} ${entries === 1 ? 'entry is' : 'entries are'} off beyond ${entries === 1 ? 'its' : 'their'} finite-difference error (${worst.label} by ${worst.excess.toPrecision(3)}×)`;
  return `${failed.map((t) => t.name).join(', ') || 'the check'} failed`;
}

/**
 * The verdict line: the verdict, the difference against the tolerance with a comparator that is
 * true of the two numbers, and, where the verdict does not follow from that comparison alone, why
 * in the same line: a failure within the tolerance names what failed (", but …"); a pass above it
 * says it is within the finite-difference error (", within …"). Entries left out as kinks are
 * counted there too: in a pass where they were the only entries that disagreed, the line says so
 * (", but the only 3 disagreeing entries (…) were left out as kinks"); too many of them fail the
 * check with a finding, printed there.
 */
export function verdictLine(result: CheckResult): string {
  const failedTensors = result.tensors.filter((t) => !t.passed).map((t) => t.name);
  const differences = result.scheme === 'richardson' ? 'Richardson-extrapolated differences' : 'central differences';
  const basis = differences + BASIS[result.mode];
  const relation = result.difference > result.tolerance ? '>' : '≤';
  const comparison = `difference ${sci(result.difference)} ${relation} tolerance ${sci(result.tolerance, 0)}`;
  const kinks = kinksLeftOut(result);
  if (result.passed) {
    const within =
      relation === '>'
        ? `, within the finite-difference error (error ${sci(norm(result, 'errorNorm'))} ≤ noise ${sci(norm(result, 'noiseNorm'))})`
        : '';
    return `Analytic gradients agree with ${basis}: ${comparison}${within}${passKinks(result)}`;
  }
  const but =
    relation === '≤'
      ? `, but ${failureReason(result)}`
      : result.findings?.length
        ? `; ${result.findings.join('; ')}`
        : '';
  const notes = [...(failedTensors.length ? [`wrong: ${failedTensors.join(', ')}`] : []), ...(kinks ? [kinks] : [])];
  return `Analytic gradients disagree with ${basis}: ${comparison}${but}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** The root of the sum of the tensors' squared `errorNorm` or `noiseNorm`. */
function norm(result: CheckResult, key: 'errorNorm' | 'noiseNorm'): number {
  return Math.sqrt(result.tensors.reduce((s, t) => s + t[key] ** 2, 0));
}

/**
 * A tensor's cell in the verdict column: `✓`, `✗ 3 of 20 entries off`, and the entries left out as
 * kinks (`✗ 12 of 12 entries left out as kinks` where they are too many: the check fails for them).
 */
function tensorVerdict(t: TensorResult, policy: CheckResult['kinks']['policy'], style: ReportStyle): string {
  const leftOut = policy === 'exclude' && t.kinks > 0 ? `${t.kinks} of ${t.checked} entries left out as kinks` : '';
  if (leftOut && kinksExceed(t.kinks, t.checked)) return style.bad(`✗ ${leftOut}`);
  const verdict = t.passed
    ? style.good('✓')
    : style.bad(`✗${t.failing ? ` ${t.failing} of ${t.checked} entries off` : ''}`);
  return leftOut ? `${verdict}${style.dim(` (${leftOut})`)}` : verdict;
}

/** The table of tensors: one row each, with the diagnosis where there is one. */
function tensorTable(result: CheckResult, style: ReportStyle): string[] {
  const diagnosed = result.tensors.some((t) => t.diagnosis);
  const full = result.mode === 'full';
  const inputs = new Set(result.inputs?.names ?? []);
  const tensorRows = [
    [
      result.inputs ? 'tensor' : 'parameter',
      'shape',
      'entries',
      ...(full ? [] : ['checked']),
      'difference',
      'verdict',
      ...(diagnosed ? ['looks like'] : []),
    ],
  ];
  for (const t of result.tensors) {
    const verdict = tensorVerdict(t, result.kinks.policy, style);
    const checked =
      t.directions === undefined ? String(t.checked) : `${t.directions} dir${t.checked ? ` + ${t.checked}` : ''}`;
    const looksLike = diagnosed ? [t.diagnosis?.text ?? ''] : [];
    tensorRows.push([
      inputs.has(t.name) ? `${t.name} (input)` : t.name,
      formatShape(t.shape),
      String(t.size),
      ...(full ? [] : [checked]),
      sci(t.difference, 1),
      verdict,
      ...looksLike,
    ]);
  }
  return table(tensorRows, [false, false, true, ...(full ? [] : [true]), true, false, false]);
}

/** The kinks, the Taylor test and the warnings, each after a blank line. */
function notes(result: CheckResult, style: ReportStyle): string[] {
  const lines: string[] = [];
  const { kinks } = result;
  if (kinks.count > 0) {
    const more = kinks.count > kinks.entries.length ? `, …` : '';
    lines.push(
      '',
      style.dim(
        `${kinks.count} ${kinks.count === 1 ? 'entry' : 'entries'} not differentiable here (one-sided slopes disagree within the step), ` +
          `${kinks.policy === 'exclude' ? 'excluded' : 'counted as failing'}: ${kinks.entries.join(', ')}${more}`,
      ),
    );
  }
  if (result.taylor) {
    const line = describeTaylor(result.taylor, result.seed);
    lines.push('', result.taylor.verdict === 'wrong' && !result.passed ? style.bad(line) : style.dim(line));
  }
  for (const warning of result.warnings) lines.push('', style.dim(`note: ${warning}`));
  return lines;
}

/**
 * What was checked: `47 parameters`, or for a layer `15 parameters + 20 inputs · a random
 * cotangent` (a function: `2 inputs`).
 */
function checkedEntries(result: CheckResult): string {
  if (!result.inputs) return `${result.parameters} parameters`;
  const inputs = new Set(result.inputs.names);
  const inputEntries = result.tensors.filter((t) => inputs.has(t.name)).reduce((n, t) => n + t.size, 0);
  const parameterEntries = result.parameters - inputEntries;
  const { cotangents } = result.inputs;
  return [
    parameterEntries > 0 ? `${parameterEntries} parameters` : '',
    inputEntries > 0 ? `${inputEntries} inputs` : '',
  ]
    .filter(Boolean)
    .join(' + ')
    .concat(
      cotangents === undefined ? '' : cotangents === 1 ? ' · a random cotangent' : ` · ${cotangents} random cotangents`,
    );
}

/**
 * Renders a {@link CheckResult} as the text table the matchers print: a verdict line, a summary
 * (parameters, loss evaluations, step, time), one row per tensor and the worst entries.
 *
 * @example
 * ```ts
 * console.log(formatReport(checkGradients(model, X, Y)))
 * ```
 */
export function formatReport(result: CheckResult, style: ReportStyle = plain): string {
  const lines: string[] = [];
  lines.push(result.passed ? verdictLine(result) : style.bad(verdictLine(result)));
  const step =
    result.step === 'auto'
      ? `step auto (${sci(result.stepRange[0], 1)}…${sci(result.stepRange[1], 1)})`
      : `step ${sci(result.step, 0)}`;
  lines.push(
    style.dim(
      `${checkedEntries(result)} · ${result.checked} checked (${result.mode}) · ` +
        `${result.evaluations.loss} loss evaluations · ${step} · ${result.precision} · seed ${result.seed} · ${result.elapsedMs.toFixed(1)} ms`,
    ),
  );
  lines.push(style.dim(`${result.mode} check (${result.modeReason})`));
  lines.push('');
  lines.push(...tensorTable(result, style));
  if (result.worst.length > 0) {
    lines.push('');
    const entryRows = [['worst entries', 'analytic', 'numeric', 'abs err', 'rel err', '']];
    for (const e of result.worst) {
      const flag = e.excess > 1 ? style.bad('✗') : style.dim('ok');
      entryRows.push([e.label, num(e.analytic), num(e.numeric), sci(e.absError, 1), sci(e.relError, 1), flag]);
    }
    lines.push(...table(entryRows, [false, true, true, true, true, false]));
  }
  lines.push(...notes(result, style));
  return lines.join('\n');
}

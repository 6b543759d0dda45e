import type { CheckResult } from './result.js';
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

/** The verdict line: difference against tolerance. */
export function verdictLine(result: CheckResult): string {
  const failedTensors = result.tensors.filter((t) => !t.passed).map((t) => t.name);
  const differences = result.scheme === 'richardson' ? 'Richardson-extrapolated differences' : 'central differences';
  const basis = differences + BASIS[result.mode];
  if (result.passed) {
    return `Analytic gradients agree with ${basis}: difference ${sci(result.difference)} ≤ tolerance ${sci(result.tolerance, 0)}`;
  }
  const relation = result.difference > result.tolerance ? '>' : '≤';
  return (
    `Analytic gradients disagree with ${basis}: difference ${sci(result.difference)} ${relation} tolerance ${sci(result.tolerance, 0)}` +
    (failedTensors.length ? ` (wrong: ${failedTensors.join(', ')})` : '')
  );
}

/** The table of tensors: one row each, with the diagnosis where there is one. */
function tensorTable(result: CheckResult, style: ReportStyle): string[] {
  const diagnosed = result.tensors.some((t) => t.diagnosis);
  const full = result.mode === 'full';
  const tensorRows = [
    [
      'parameter',
      'shape',
      'entries',
      ...(full ? [] : ['checked']),
      'difference',
      'verdict',
      ...(diagnosed ? ['looks like'] : []),
    ],
  ];
  for (const t of result.tensors) {
    const verdict = t.passed
      ? style.good('✓')
      : style.bad(`✗${t.failing ? ` ${t.failing} of ${t.checked} entries off` : ''}`);
    const checked =
      t.directions === undefined ? String(t.checked) : `${t.directions} dir${t.checked ? ` + ${t.checked}` : ''}`;
    const looksLike = diagnosed ? [t.diagnosis?.text ?? ''] : [];
    tensorRows.push([
      t.name,
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
      `${result.parameters} parameters · ${result.checked} checked (${result.mode}) · ` +
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

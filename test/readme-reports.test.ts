// The reports the README shows are the reports the code prints: `pnpm demo`'s three, run as the
// README's set-up line runs it, and the two layer and function examples, built as the README
// writes them. Only the time a check took may differ. Stop 27's README showed a directional demo
// of 98 loss evaluations after the engine had moved to 102, and no test noticed.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkGradients, formatReport } from '@gradcheck/core';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Every fenced block of the README that is a report (it starts with the verdict line). */
const shown = [...readme.matchAll(/```\n(Analytic gradients [\s\S]*?)\n```/g)].map((m) => m[1]!);

/** A report without the one figure a run may change: the time the check took. */
const timeless = (report: string): string => report.replace(/ · [\d.]+ ms\n/, ' · … ms\n').trimEnd();

/** The reports `pnpm demo` prints (after `pnpm build`), each after its `── title ──` line. */
function demoReports(): string[] {
  const script = new URL('../examples/reference-network/demo.mjs', import.meta.url);
  const out = execFileSync(process.execPath, [script.pathname], { encoding: 'utf8' });
  return out.split(/\n── .* ──\n\n/).slice(1);
}

type Rows = number[][];

/** The README's softmax layer, whose backward forgets the −y·⟨dY, y⟩ term. */
const softmax = {
  forward: (X: Rows): Rows =>
    X.map((row) => {
      const e = row.map((v) => Math.exp(v - Math.max(...row)));
      const sum = e.reduce((a, b) => a + b);
      return e.map((v) => v / sum);
    }),
  backward: (dY: Rows, X: Rows) => ({ dX: softmax.forward(X).map((y, r) => y.map((yi, i) => yi * dY[r]![i]!)) }),
};

/** The README's Rosenbrock function and its gradient. */
const rosenbrock = {
  f: ([a, b]: number[]) => (1 - a!) ** 2 + 100 * (b! - a! * a!) ** 2,
  grad: ([a, b]: number[]) => [-2 * (1 - a!) - 400 * a! * (b! - a! * a!), 200 * (b! - a! * a!)],
};

describe('the README shows the reports the code prints', () => {
  it('finds its four reports', () => {
    expect(shown).toHaveLength(4);
  });

  it('pnpm demo: the reference case, correct and broken, and the directional check of 784-64-1', () => {
    const printed = demoReports().map(timeless);
    expect(printed).toHaveLength(3);
    // The correct case's report is not in the README; the broken one and the directional one are.
    for (const report of printed.slice(1)) expect(shown.map(timeless)).toContain(report);
  });

  it('the softmax layer and the Rosenbrock function', () => {
    const layer = timeless(
      formatReport(
        checkGradients(softmax, [
          [1, 2, 0.5, -1],
          [0.1, -1, 3, 0.2],
        ]),
      ),
    );
    const fn = timeless(formatReport(checkGradients(rosenbrock, [-1.2, 1])));
    expect(shown.map(timeless)).toContain(layer);
    expect(shown.map(timeless)).toContain(fn);
  });
});

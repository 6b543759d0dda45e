// What every host of the matchers must show, written once and run by each host's suite (Jest,
// Vitest 5, the standalone `expect` package), as jest-extended and jest-dom test their matchers:
// pass, `.not` pass, both failure messages as snapshots with ANSI removed, bad input, async
// models. The snapshots follow the report's format: after a deliberate change of the format,
// regenerate them with the runner's `-u` (see the README's "Tests") and review the diff.
import type { GradientFunction, GradientModel, Layer } from '@gradcheck/core';
import { ReferenceNetwork, referenceMatrices, type ReferenceCase } from '@gradcheck/reference-network';

/** Removes ANSI colour codes, so that messages compare the same with colours on or off. */
export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

/** The check's wall time in a report, the one number that changes from run to run. */
export function hideTime(text: string): string {
  return text.replace(/· [\d.]+ ms/g, '· <time> ms');
}

/**
 * Masks the numbers of a report that are rounding noise, so that a snapshot records the report's
 * structure and its real numbers, not the last digits of a sum: the difference in an "agree"
 * headline, the difference of each passing tensor (rows ending in ✓, whose column widths follow
 * those numbers, so the row's spacing is normalised too), and the rows of entries that agree
 * ("ok"), replaced by their count. The tests assert what these numbers must satisfy instead.
 */
export function maskNoise(report: string): string {
  const lines = report.split('\n');
  const masked: string[] = [];
  let agreeing = 0;
  for (const line of lines) {
    if (/^ {2}\S.*\s(ok)$/.test(line) && /\[[\d,]+\]/.test(line)) {
      agreeing++;
      continue;
    }
    if (agreeing > 0) {
      masked.push(`  <${agreeing} entries that agree: values at rounding noise>`);
      agreeing = 0;
    }
    if (/^ {2}\w+\s+\S+\s+\d+\s+\S+\s+✓$/.test(line)) {
      const [name, shape, entries] = line.trim().split(/\s+/);
      masked.push(`  ${name} ${shape} ${entries} <noise> ✓`);
      continue;
    }
    masked.push(line.replace(/(agree with .*: difference )\S+( ≤ tolerance)/, '$1<noise>$2'));
  }
  if (agreeing > 0) masked.push(`  <${agreeing} entries that agree: values at rounding noise>`);
  return masked.join('\n');
}

/** The message of the assertion error `assertion` throws, without colours or wall time. */
export function failureMessage(assertion: () => unknown): string {
  try {
    assertion();
  } catch (error) {
    return hideTime(stripAnsi((error as Error).message));
  }
  throw new Error('the assertion passed');
}

/** The same model with `loss` and `gradients` returning Promises. */
export function asyncModel<X, Y>(model: GradientModel<X, Y>): GradientModel<X, Y> {
  return {
    parameters: model.parameters,
    loss: async (X, Y) => model.loss(X, Y),
    gradients: async (X, Y) => model.gradients(X, Y),
  };
}

/**
 * A dense layer Y = W·X + b on nested arrays (W 2×3, X 3×4); `bug` doubles dX or drops it.
 */
export function denseLayer(bug: 'none' | 'dX-doubled' | 'no-dX' = 'none'): {
  layer: Layer<number[][], number[][]>;
  X: number[][];
} {
  const W = [
    [0.5, -0.3, 0.8],
    [-0.1, 0.9, 0.4],
  ];
  const b = [0.2, -0.7];
  const X = [
    [0.3, -1.2, 0.5, 0.9],
    [1.1, 0.4, -0.6, 0.2],
    [-0.8, 0.7, 0.1, -0.4],
  ];
  const layer: Layer<number[][], number[][]> = {
    parameters: { W, b },
    forward: (X) => W.map((w, r) => X[0]!.map((_, c) => b[r]! + w.reduce((s, v, k) => s + v * X[k]![c]!, 0))),
    backward: (dY, X) => {
      const dW = W.map((w, r) => w.map((_, k) => dY[r]!.reduce((s, g, c) => s + g * X[k]![c]!, 0)));
      const db = dY.map((row) => row.reduce((s, g) => s + g, 0));
      if (bug === 'no-dX') return { dW, db };
      const dX = X.map((row, k) => row.map((_, c) => W.reduce((s, w, r) => s + w[k]! * dY[r]![c]!, 0)));
      return { dX: bug === 'dX-doubled' ? dX.map((row) => row.map((v) => 2 * v)) : dX, dW, db };
    },
  };
  return { layer, X };
}

/** f(x) = Σ xᵢ³ − x₀·x₁ and its gradient; `bug` drops the cross term from ∂f/∂x₁. */
export function cubic(bug = false): GradientFunction<number[]> {
  return {
    f: (x) => x.reduce((s, v) => s + v ** 3, 0) - x[0]! * x[1]!,
    grad: (x) => x.map((v, i) => 3 * v * v - (i === 0 ? x[1]! : i === 1 && !bug ? x[0]! : 0)),
  };
}

/** The test functions of a runner, and the `expect` whose matchers are under test (`host`). */
export interface ContractRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => any): void;
  expect: (value: unknown) => any;
  host: (value: unknown) => any;
}

/** Registers the contract's tests for `host` on the reference case. */
export function matcherContract(runner: ContractRunner, fixture: ReferenceCase): void {
  const { describe, it, expect, host } = runner;
  const reference = (broken: boolean) => {
    const { X, Y, parameters } = referenceMatrices(fixture);
    return { model: new ReferenceNetwork(parameters, { broken }), X, Y };
  };

  describe('toPassGradientCheck', () => {
    it('passes the correct backprop (defaults, classic eps, options), and .not the broken one', () => {
      const correct = reference(false),
        broken = reference(true);
      host(correct.model).toPassGradientCheck(correct.X, correct.Y);
      host(correct.model).toPassGradientCheck(correct.X, correct.Y, 1e-7);
      host(correct.model).toPassGradientCheck(correct.X, correct.Y, { tolerance: 1e-7 });
      host(broken.model).not.toPassGradientCheck(broken.X, broken.Y);
    });

    it('fails the broken backprop with the report: W1/W2 entries worst, biases fine', () => {
      const { model, X, Y } = reference(true);
      const message = failureMessage(() => host(model).toPassGradientCheck(X, Y, 1e-7));
      const lines = message.split('\n');
      expect(lines[0]).toBe('expect(model).toPassGradientCheck(X, Y, 1e-7)');
      expect(lines[2]).toBe(
        'Analytic gradients disagree with central differences: difference 4.78e-1 > tolerance 1e-7 (wrong: W1, W2)',
      );
      const tensorRow = (name: string) => lines.find((l) => l.startsWith(`  ${name} `));
      for (const name of ['b1', 'b2', 'b3']) expect(tensorRow(name)).toMatch(/✓$/);
      for (const name of ['W1', 'W2']) expect(tensorRow(name)).toMatch(/✗/);
      const worst = lines.filter((l) => /^ {2}\w+\[\d+,\d+\]/.test(l));
      expect(worst).toHaveLength(10);
      for (const row of worst) expect(row).toMatch(/^ {2}W[12]\[\d+,\d+\] .*✗$/);
      expect(message).not.toMatch(/^\s+at /m);
      // The real numbers (W1, W2, their factor 3) recorded; the passing tensors' noise masked.
      expect(maskNoise(message)).toMatchSnapshot();
    });

    it('fails .not for the correct backprop, saying the gradients agree with the achieved difference', () => {
      const { model, X, Y } = reference(false);
      const message = failureMessage(() => host(model).not.toPassGradientCheck(X, Y));
      const lines = message.split('\n');
      expect(lines[0]).toBe('expect(model).not.toPassGradientCheck(X, Y)');
      // What the noise-level numbers must satisfy: a correct float64 backprop agrees to rounding
      // (below 1e-8, far under the tolerance 1e-6) in every tensor and every listed entry.
      const headline =
        /but they agree\.\n\nAnalytic gradients agree with central differences: difference (\S+) ≤ tolerance 1e-6\n/.exec(
          message,
        );
      expect(headline).not.toBeNull();
      expect(Number(headline![1])).toBeLessThan(1e-8);
      const tensorRows = lines.filter((l) => /^ {2}[Wb]\d /.test(l));
      expect(tensorRows).toHaveLength(6);
      for (const row of tensorRows) {
        const cells = row.trim().split(/\s+/);
        expect(cells.at(-1)).toBe('✓');
        expect(Number(cells.at(-2))).toBeLessThan(1e-7);
      }
      const entryRows = lines.filter((l) => /^ {2}[Wb]\d\[\d+,\d+\]/.test(l));
      expect(entryRows).toHaveLength(10);
      for (const row of entryRows) {
        const [, analytic, numeric, absError, relError, flag] = row.trim().split(/\s+/);
        expect(flag).toBe('ok');
        expect(analytic).toBe(numeric); // equal to the 6 digits printed
        expect(Number(absError)).toBeLessThan(1e-8);
        expect(Number(relError)).toBeLessThan(1e-6);
      }
      // The structure, with those numbers masked (maskNoise).
      expect(maskNoise(message)).toMatchSnapshot();
    });

    it('fails on a bad model with the GradcheckError code and message, with or without .not', () => {
      const { X, Y } = reference(false);
      const message = failureMessage(() => host(null).toPassGradientCheck(X, Y));
      expect(message).toMatch(/^GradcheckError NOT_A_MODEL: expected a model, received null\./m);
      expect(message).not.toMatch(/^\s+at /m);
      expect(message).toMatchSnapshot();
      expect(failureMessage(() => host({ weights: [1] }).not.toPassGradientCheck(X, Y))).toMatch(
        /GradcheckError NOT_A_MODEL: [^]*so `\.not` fails too/,
      );
    });

    it('fails on bad options with INVALID_OPTION naming the option', () => {
      const { model, X, Y } = reference(false);
      expect(failureMessage(() => host(model).toPassGradientCheck(X, Y, -1))).toMatch(
        /^GradcheckError INVALID_OPTION: eps must be a positive finite number, received -1\.$/m,
      );
      expect(failureMessage(() => host(model).toPassGradientCheck(X, Y, { step: 0 }))).toMatch(
        /^GradcheckError INVALID_OPTION: step must be a positive finite number, received 0\.$/m,
      );
      expect(failureMessage(() => host(model).not.toPassGradientCheck(X, Y, { tolerence: 1e-7 }))).toMatch(
        /GradcheckError INVALID_OPTION: unknown option "tolerence"/,
      );
    });

    it('stays synchronous: an async model fails it with ASYNC_MODEL, pointing to toPassGradientCheckAsync', () => {
      const { model, X, Y } = reference(false);
      expect(failureMessage(() => host(asyncModel(model)).toPassGradientCheck(X, Y))).toMatch(
        /GradcheckError ASYNC_MODEL: .*await expect\(model\)\.toPassGradientCheckAsync\(X, Y\)/,
      );
    });
  });

  describe('toPassGradientCheck on layers and functions', () => {
    it('passes a correct layer (X alone, X and options, X and a bare eps), and .not a wrong dX', () => {
      const { layer, X } = denseLayer();
      host(layer).toPassGradientCheck(X);
      host(layer).toPassGradientCheck(X, { tolerance: 1e-5, cotangents: 2 });
      host(layer).toPassGradientCheck(X, 1e-6);
      host(denseLayer('dX-doubled').layer).not.toPassGradientCheck(X);
    });

    it('fails a wrong dX with the report naming the input entries', () => {
      const { layer, X } = denseLayer('dX-doubled');
      const message = failureMessage(() => host(layer).toPassGradientCheck(X));
      const lines = message.split('\n');
      expect(lines[0]).toBe('expect(layer).toPassGradientCheck(X)');
      expect(lines[2]).toMatch(/^Analytic gradients disagree with central differences: .* \(wrong: X\)$/);
      expect(lines[3]).toMatch(/^8 parameters \+ 12 inputs · a random cotangent · 20 checked \(full\)/);
      expect(message).toMatch(/^ {2}X \(input\) +3×4 +12 .*✗ 12 of 12 entries off +analytic ≈ 2\.00 × numeric$/m);
      expect(message).toMatch(/^ {2}X\[\d,\d\] .*✗$/m);
      expect(message).toMatchSnapshot();
      expect(failureMessage(() => host(layer).toPassGradientCheck(X, { seed: 3 })).split('\n')[0]).toBe(
        'expect(layer).toPassGradientCheck(X, options)',
      );
    });

    it('says when the input was not checked, and fails .not for a correct layer', () => {
      const { layer, X } = denseLayer('no-dX');
      const message = failureMessage(() => host(layer).not.toPassGradientCheck(X));
      expect(message.split('\n')[0]).toBe('expect(layer).not.toPassGradientCheck(X)');
      expect(message).toMatch(/but they agree\./);
      expect(message).toMatch(/note: input X was not checked: backward\(dY, X\) returned no gradient for it/);
    });

    it('checks a plain function { f, grad } at x, and .not a wrong gradient', () => {
      host(cubic()).toPassGradientCheck([0.5, -1.5, 2]);
      host(cubic(true)).not.toPassGradientCheck([0.5, -1.5, 2]);
      const message = failureMessage(() => host(cubic(true)).toPassGradientCheck([0.5, -1.5, 2], 1e-7));
      expect(message.split('\n')[0]).toBe('expect(function).toPassGradientCheck(x, 1e-7)');
      expect(message).toMatch(/^ {2}x\[1\] .*✗$/m);
    });

    it('explains layer mistakes with the GradcheckError code', () => {
      const { layer, X } = denseLayer();
      expect(failureMessage(() => host(layer).toPassGradientCheck(X, { tolerance: 1e-5 }, 1e-7))).toMatch(
        /GradcheckError INVALID_OPTION: a layer is checked with \(X, options\)/,
      );
      expect(failureMessage(() => host({ forward: (x: unknown) => x }).toPassGradientCheck(X))).toMatch(
        /GradcheckError NOT_A_MODEL: .*a layer \{ parameters\?, forward\(X\), backward\(dY, X\) \}/,
      );
    });

    it('checks async layers with toPassGradientCheckAsync', async () => {
      const { layer, X } = denseLayer();
      const asyncLayer = {
        parameters: layer.parameters,
        forward: async (x: number[][]) => layer.forward(x),
        backward: async (dY: number[][], x: number[][]) => layer.backward(dY, x),
      };
      await host(asyncLayer).toPassGradientCheckAsync(X);
      expect(failureMessage(() => host(asyncLayer).toPassGradientCheck(X))).toMatch(/GradcheckError ASYNC_MODEL/);
    });
  });

  describe('toPassGradientCheckAsync', () => {
    it('checks async models when awaited, both ways', async () => {
      const correct = reference(false),
        broken = reference(true);
      await host(asyncModel(correct.model)).toPassGradientCheckAsync(correct.X, correct.Y);
      await host(asyncModel(broken.model)).not.toPassGradientCheckAsync(broken.X, broken.Y);
      const error = await host(asyncModel(broken.model))
        .toPassGradientCheckAsync(broken.X, broken.Y, 1e-7)
        .then(
          () => undefined,
          (e: Error) => e,
        );
      const message = hideTime(stripAnsi(String(error?.message)));
      expect(message.split('\n')[0]).toBe('expect(model).toPassGradientCheckAsync(X, Y, 1e-7)');
      expect(message).toContain('(wrong: W1, W2)');
      await host(correct.model).toPassGradientCheckAsync(correct.X, correct.Y);
    });
  });
}

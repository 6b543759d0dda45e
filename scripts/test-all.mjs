// Runs every test suite of the repository with its own runner (Vitest for core and the
// integration tests, Jest and Vitest in examples/, tsc for type tests), prints each runner's
// counts and ends with one line summing them: `tests: N passed, N failed`.
//
// No silent green: a suite also fails when it skipped tests (skip, todo), ran none, has a
// `.only` (or `fit`/`fdescribe`) in a test file it ran, wrote a snapshot, or could not report.
// Vitest and Jest run in CI mode (CI=true, jest --ci): a missing snapshot fails instead of being
// written, and Vitest refuses `.only`.
//
// The suites come from modules: every `*.mjs` in <root>/scripts/suites/ (a default export from
// { root, out } to a list of suites built with scripts/test-suite-kinds.mjs), or the modules given
// with --suites. Usage:
//
//   node scripts/test-all.mjs [--root DIR] [--suites FILE]… [--package DIR] [NAME FILTER]…
//
// --package runs the suites of one package (each package's `pnpm test` does that); a name filter
// runs the suites whose name contains it. Exits non-zero when anything above failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `.only` and its Jest aliases in a test file's source. */
const FOCUSED = /\b(?:(?:it|test|describe|suite)(?:\.\w+)*\.only\s*[(.`]|f(?:it|describe|test)\s*\()/;

function parseArguments(argv) {
  const args = { root: resolve(new URL('..', import.meta.url).pathname), suites: [], package: undefined, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root') args.root = resolve(argv[++i]);
    else if (a === '--suites') args.suites.push(resolve(argv[++i]));
    else if (a === '--package') args.package = argv[++i].replace(/\/$/, '');
    else args.names.push(a);
  }
  return args;
}

async function loadSuites(root, modules, out) {
  const files = modules.length
    ? modules
    : readdirSync(join(root, 'scripts/suites'))
        .filter((f) => f.endsWith('.mjs'))
        .sort()
        .map((f) => join(root, 'scripts/suites', f));
  const suites = [];
  for (const file of files) {
    const contribute = (await import(pathToFileURL(file).href)).default;
    suites.push(...contribute({ root, out }));
  }
  return suites;
}

/** What besides failed tests makes a suite fail: skipped or no tests, `.only`, written snapshots. */
function problemsOf(suite, counts) {
  const problems = [];
  if (counts.passed + counts.failed + counts.skipped === 0) problems.push('ran no tests');
  if (counts.skipped > 0) problems.push(`${counts.skipped} skipped (skip/todo)`);
  if (counts.snapshotsWritten > 0) problems.push(`wrote ${counts.snapshotsWritten} snapshot(s)`);
  for (const file of counts.files ?? []) {
    const path = isAbsolute(file) ? file : join(suite.cwd, file);
    if (existsSync(path) && FOCUSED.test(readFileSync(path, 'utf8'))) problems.push(`.only in ${file}`);
  }
  return problems;
}

const args = parseArguments(process.argv.slice(2));
const out = mkdtempSync(join(tmpdir(), 'gradcheck-tests-'));
const suites = (await loadSuites(args.root, args.suites, out)).filter(
  (s) =>
    (!args.package || s.package === args.package) && (!args.names.length || args.names.some((n) => s.name.includes(n))),
);
if (suites.length === 0) {
  console.log(`no suite matches ${JSON.stringify(args)}`);
  process.exit(1);
}

let passed = 0,
  failed = 0;
const trouble = [],
  notRun = [];
for (const suite of suites) {
  console.log(`\n=== ${suite.name} ===`);
  if (suite.unavailable) {
    console.log(`${suite.name}: not run: ${suite.unavailable}`);
    notRun.push(suite.name);
    continue;
  }
  const run = spawnSync(suite.command[0], suite.command.slice(1), {
    cwd: suite.cwd,
    stdio: 'inherit',
    env: { ...process.env, FORCE_COLOR: '0', ...suite.env },
  });
  const counts = suite.counts(run.status);
  if (!counts) {
    console.log(`${suite.name}: no report (exit code ${run.status}); counted as 1 failed`);
    failed += 1;
    trouble.push(`${suite.name}: no report`);
    continue;
  }
  if (run.status !== 0 && counts.failed === 0) counts.failed = 1;
  const problems = problemsOf(suite, counts);
  console.log(
    `${suite.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped` +
      (problems.length ? ` — FAILS: ${problems.join('; ')}` : ''),
  );
  passed += counts.passed;
  failed += counts.failed;
  for (const p of problems) trouble.push(`${suite.name}: ${p}`);
}
console.log('');
for (const t of trouble) console.log(`suite failed: ${t}`);
for (const n of notRun) console.log(`suite not run: ${n} (see above)`);
// Each suite problem counts as one failed test, so that the closing line alone tells a green run.
console.log(`tests: ${passed} passed, ${failed + trouble.length} failed`);
process.exit(failed === 0 && trouble.length === 0 ? 0 : 1);

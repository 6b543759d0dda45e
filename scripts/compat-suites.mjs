// The compatibility matrix: small fixture projects under test/compat, each pinned to one runner
// version and run on one Node version, that install the PACKED gradcheck packages with plain
// `npm install` and run the shared matcher contract, the unawaited-check case and the type
// contract with the real runner (scripts/compat-run.mjs does one fixture). Exported as suites of
// scripts/test-all.mjs: `{ name, cwd, command, counts }`.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures, reportFile } from './compat-fixtures.mjs';

const root = new URL('..', import.meta.url).pathname;

function version(name) {
  const pkg = JSON.parse(readFileSync(join(root, 'test/compat', name, 'package.json'), 'utf8'));
  const deps = pkg.devDependencies ?? {};
  return Object.entries(deps)
    .filter(([dep]) => ['jest', 'vitest', 'mocha', 'chai', 'bun'].includes(dep))
    .map(([dep, v]) => `${dep} ${v}`)
    .join(', ');
}

/** The matrix as test-all suites (the node --test example, defined below, comes first). */
const matrixSuites = Object.entries(fixtures).map(([name, fixture]) => ({
  name: `compat ${name} (${version(name)}, ${fixture.runner === 'bun' ? 'its own runtime' : `Node ${fixture.node}`}, packed + npm install)`,
  cwd: root,
  command: [process.execPath, join(root, 'scripts/compat-run.mjs'), name],
  counts: () => {
    const file = reportFile(name);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  },
}));

/** `node --test` in examples/node-test (assertGradients), counted from its TAP report. */
const nodeTestReport = join(tmpdir(), 'gradcheck-compat', 'node-test.tap');
export const nodeTestSuite = {
  name: 'node --test example (assertGradients)',
  cwd: join(root, 'examples/node-test'),
  command: [
    process.execPath,
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${nodeTestReport}`,
  ],
  counts: () => {
    if (!existsSync(nodeTestReport)) return undefined;
    const tap = readFileSync(nodeTestReport, 'utf8');
    const count = (word) => Number(tap.match(new RegExp(`^# ${word} (\\d+)$`, 'm'))?.[1] ?? NaN);
    const passed = count('pass'),
      failed = count('fail') + count('cancelled');
    return Number.isNaN(passed + failed) ? undefined : { passed, failed };
  },
};

/** The Chai plugin's type contract in the workspace: `tsc -p` must compile; one test. */
const chaiTypeSuite = {
  name: 'types: tsc -p packages/chai/type-tests',
  cwd: root,
  command: ['pnpm', 'exec', 'tsc', '-p', 'packages/chai/type-tests'],
  counts: (status) => (status === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 }),
};

/** Every suite of this module, for scripts/test-all.mjs. */
export const compatSuites = [chaiTypeSuite, nodeTestSuite, ...matrixSuites];

// No report of an earlier run may stand in for this one's.
mkdirSync(join(tmpdir(), 'gradcheck-compat'), { recursive: true });
for (const file of [nodeTestReport, ...Object.keys(fixtures).map(reportFile)]) rmSync(file, { force: true });

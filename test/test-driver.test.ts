/**
 * The test driver (scripts/test-all.mjs) on small scratch projects under the OS temp dir: it must
 * fail a suite that skipped tests, ran none, has a `.only`, or lost a snapshot (CI mode refuses
 * to write it), and skip with a note a suite whose runtime is missing. Real Vitest and real Jest
 * run each case.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const driver = join(root, 'scripts/test-all.mjs');
const kinds = join(root, 'scripts/test-suite-kinds.mjs');
/** Spelled in two pieces so that the driver's own `.only` scan of this file finds none. */
const only = '.' + 'only';

/** Each case: a folder, its runner, its test file. */
const cases = {
  'vitest clean': {
    runner: 'vitest',
    test: `import { it, expect } from 'vitest';\nit('a', () => expect(1).toBe(1));\nit('b', () => expect(2).toBe(2));\n`,
  },
  'vitest skip': {
    runner: 'vitest',
    test: `import { it } from 'vitest';\nit('a', () => {});\nit.skip('b', () => {});\n`,
  },
  'vitest todo': { runner: 'vitest', test: `import { it } from 'vitest';\nit('a', () => {});\nit.todo('b');\n` },
  'vitest only': {
    runner: 'vitest',
    test: `import { it } from 'vitest';\nit('a', () => {});\nit${only}('b', () => {});\n`,
  },
  'vitest none': {
    runner: 'vitest',
    test: `import { it } from 'vitest';\nit('a', () => {});\n`,
    args: ['--passWithNoTests', 'no-such-file'],
  },
  'vitest snapshot': {
    runner: 'vitest',
    test: `import { it, expect } from 'vitest';\nit('a', () => expect({ x: 1 }).toMatchSnapshot());\n`,
  },
  'jest clean': { runner: 'jest', test: `test('a', () => expect(1).toBe(1));\n` },
  'jest skip': { runner: 'jest', test: `test('a', () => {});\ntest.skip('b', () => {});\n` },
  'jest only': { runner: 'jest', test: `test('a', () => {});\ntest${only}('b', () => {});\n` },
  'jest lone only': { runner: 'jest', test: `test${only}('b', () => {});\n` },
  'jest snapshot': { runner: 'jest', test: `test('a', () => expect({ x: 1 }).toMatchSnapshot());\n` },
} as Record<string, { runner: 'vitest' | 'jest'; test: string; args?: string[] }>;

let scratch: string;

function driverRun(...filters: string[]): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    [driver, '--root', scratch, '--suites', join(scratch, 'suites.mjs'), ...filters],
    {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  );
  return { status: run.status, output: run.stdout + run.stderr };
}

/** The driver's summary line of one suite. */
function line(output: string, name: string): string {
  return output.split('\n').find((l) => l.startsWith(`${name}:`)) ?? `(no line for ${name})`;
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'gradcheck-driver-'));
  const suites: string[] = [];
  for (const [name, c] of Object.entries(cases)) {
    const dir = join(scratch, name.replace(/\W+/g, '-'));
    mkdirSync(dir);
    // The runners resolve from the repository's installs.
    symlinkSync(
      join(root, c.runner === 'vitest' ? 'node_modules' : 'packages/jest/node_modules'),
      join(dir, 'node_modules'),
    );
    writeFileSync(join(dir, `case.test.${c.runner === 'vitest' ? 'mjs' : 'js'}`), c.test);
    if (c.runner === 'jest')
      writeFileSync(join(dir, 'jest.config.js'), `module.exports = { testEnvironment: 'node' };\n`);
    suites.push(
      c.runner === 'vitest'
        ? `vitestSuite(context, { name: ${JSON.stringify(name)}, dir: ${JSON.stringify(dir)}.slice(context.root.length + 1), node: process.execPath, args: ${JSON.stringify(c.args ?? [])} })`
        : `jestSuite(context, { name: ${JSON.stringify(name)}, dir: ${JSON.stringify(dir)}.slice(context.root.length + 1), jest: [process.execPath, 'node_modules/jest/bin/jest.js'] })`,
    );
  }
  suites.push(`vitestSuite(context, { name: 'vitest missing node', dir: 'vitest-clean', node: '/nonexistent/node' })`);
  writeFileSync(
    join(scratch, 'suites.mjs'),
    `import { jestSuite, vitestSuite } from ${JSON.stringify(kinds)};\n` +
      `export default (context) => [\n  ${suites.join(',\n  ')},\n];\n`,
  );
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the test driver (scripts/test-all.mjs)', () => {
  it('passes clean suites and skips, with a note, one whose Node binary is missing', () => {
    const { status, output } = driverRun('clean', 'missing');
    expect(line(output, 'vitest clean')).toBe('vitest clean: 2 passed, 0 failed, 0 skipped');
    expect(line(output, 'jest clean')).toBe('jest clean: 1 passed, 0 failed, 0 skipped');
    expect(line(output, 'vitest missing node')).toMatch(/not run: no Node 22 binary at \/nonexistent\/node/);
    expect(output).toMatch(/^tests: 3 passed, 0 failed$/m);
    expect(status).toBe(0);
  }, 120_000);

  it('fails each suite that skipped, ran nothing, has a .only or lost a snapshot', () => {
    const { status, output } = driverRun('skip', 'todo', 'only', 'none', 'snapshot');
    expect(line(output, 'vitest skip')).toMatch(/FAILS: 1 skipped/);
    expect(line(output, 'vitest todo')).toMatch(/FAILS: 1 skipped/);
    expect(line(output, 'jest skip')).toMatch(/FAILS: 1 skipped/);
    // Vitest in CI mode refuses .only outright; Jest runs it and skips the rest; the scan of the
    // test files catches a lone .only that skips nothing.
    expect(line(output, 'vitest only')).toMatch(/failed.*FAILS: .*\.only in/);
    expect(line(output, 'jest only')).toMatch(/FAILS: 1 skipped.*\.only in/);
    expect(line(output, 'jest lone only')).toMatch(/1 passed, 0 failed, 0 skipped — FAILS: \.only in/);
    expect(line(output, 'vitest none')).toMatch(/0 passed, 0 failed, 0 skipped — FAILS: ran no tests/);
    expect(line(output, 'vitest snapshot')).toMatch(/0 passed, 1 failed/);
    expect(line(output, 'jest snapshot')).toMatch(/0 passed, 1 failed/);
    // CI mode wrote no snapshot in place of the missing one.
    expect(existsSync(join(scratch, 'vitest-snapshot/__snapshots__'))).toBe(false);
    expect(existsSync(join(scratch, 'jest-snapshot/__snapshots__'))).toBe(false);
    // The closing line alone tells: every one of the 9 bad suites counts at least one failure.
    const closing = /^tests: (\d+) passed, (\d+) failed$/m.exec(output);
    expect(Number(closing?.[2])).toBeGreaterThanOrEqual(9);
    expect(status).toBe(1);
  }, 300_000);
});

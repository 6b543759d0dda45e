// Runs one fixture of the compatibility matrix (see scripts/compat-suites.mjs):
//   node scripts/compat-run.mjs <fixture>
// 1. packs the gradcheck packages it needs (`pnpm pack`, after `pnpm build`) into its work dir
//    in the system's temp dir, and installs them with plain `npm install` (no --legacy-peer-deps)
//    next to the fixture's pinned runner; the work dir's node_modules is kept between runs and
//    npm's cache is preferred, so a second run downloads nothing;
// 2. checks that the runner of the other family was not installed with them;
// 3. runs the shared matcher contract with the real runner on the fixture's Node;
// 4. runs an unawaited toPassGradientCheckAsync on a slow broken model: the test must fail with
//    UNAWAITED_CHECK and the next test must pass;
// 5. compiles the shared type contract against each of the fixture's typed `expect`s with tsc.
// Each step is one test; writes `{ passed, failed }` to reportFile(name) and exits 1 on a failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fixtures, nodes, reportFile } from './compat-fixtures.mjs';

const root = new URL('..', import.meta.url).pathname;
const name = process.argv[2];
const fixture = fixtures[name];
if (!fixture) {
  console.error(`usage: node scripts/compat-run.mjs <${Object.keys(fixtures).join('|')}>`);
  process.exit(2);
}
const report = reportFile(name);
rmSync(report, { force: true });
const work = join(report, '..', name);
const node = nodes[fixture.node];
const shared = join(root, 'test/compat/shared');
const results = [];

function run(command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: work,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', CI: 'true', ...options.env },
    timeout: 240_000,
  });
  const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`;
  return { status: result.status, output, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

function record(test, ok, detail) {
  results.push({ test, ok });
  console.log(`${ok ? '✓' : '✗'} ${name}: ${test}${detail ? `\n${detail}` : ''}`);
}

const tail = (text, lines = 40) => text.trim().split('\n').slice(-lines).join('\n');

// 1. the work dir: the fixture's files, freshly packed tarballs, the shared tests behind the runner's header
mkdirSync(work, { recursive: true });
for (const entry of ['packs', 'package-lock.json', 'node_modules/@gradcheck'])
  rmSync(join(work, entry), { recursive: true, force: true });
cpSync(join(root, 'test/compat', name), work, { recursive: true });
const tarballs = fixture.packs.map((pkg) => {
  const packed = spawnSync('pnpm', ['pack', '--pack-destination', join(work, 'packs')], {
    cwd: join(root, 'packages', pkg),
    encoding: 'utf8',
  });
  if (packed.status !== 0) throw new Error(`pnpm pack failed in packages/${pkg}:\n${packed.stderr}`);
  const file = readdirSync(join(work, 'packs')).find((f) => f.startsWith(`gradcheck-${pkg}-`));
  return `./packs/${file}`;
});
const sharedText = (file) => readFileSync(join(shared, file), 'utf8');
// A contract other than contract.js gets contract.js's model (everything before its first describe).
const models = sharedText('contract.js').split(/^describe\(/m)[0];
const contract = fixture.contract ? models + sharedText(fixture.contract) : sharedText('contract.js');
writeFileSync(join(work, 'contract.test.js'), fixture.header + contract);
const unawaitedFile = fixture.unawaited === undefined ? 'unawaited.js' : fixture.unawaited;
// Likewise an unawaited file other than unawaited.js gets its slow model.
const slowModel = sharedText('unawaited.js').split(/^describe\(/m)[0];
const unawaited = unawaitedFile === 'unawaited.js' ? sharedText(unawaitedFile) : slowModel + sharedText(unawaitedFile);
if (unawaitedFile) writeFileSync(join(work, 'unawaited.test.js'), fixture.header + unawaited);
const typeCases = fixture.typeCases ?? 'type-cases.ts';
cpSync(join(shared, typeCases), join(work, 'type-cases.ts'));

// The kept node_modules is reused only while the fixture's package.json and the packed packages'
// manifests (their dependency ranges) are unchanged: otherwise npm would keep a stale layout.
const installKey = createHash('sha256')
  .update(readFileSync(join(root, 'test/compat', name, 'package.json')))
  .update(fixture.packs.map((pkg) => readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8')).join(''))
  .digest('hex');
const keyFile = join(work, 'node_modules/.gradcheck-install-key');
if (!existsSync(keyFile) || readFileSync(keyFile, 'utf8') !== installKey)
  rmSync(join(work, 'node_modules'), { recursive: true, force: true });
const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs]);
if (install.status === 0) writeFileSync(keyFile, installKey);
record(
  `npm install ${tarballs.map((t) => t.replace('./packs/', '')).join(' ')} (plain, ${install.seconds} s)`,
  install.status === 0,
  install.status === 0 ? '' : tail(install.output),
);

// 2. the other runner family is not installed along
const tree = run('npm', ['ls', '--all', '--parseable']).output;
const found = fixture.absent.filter((dep) => tree.includes(`/node_modules/${dep}\n`));
record(`no ${fixture.absent.join(', ')} in node_modules`, found.length === 0, found.length ? `found: ${found}` : '');

// 3, 4. the real runner
function runner(filter, json) {
  if (fixture.runner === 'bun')
    return run(join(work, 'node_modules/.bin/bun'), ['test', filter, '--reporter=junit', `--reporter-outfile=${json}`]);
  if (fixture.runner === 'mocha')
    return run(node, [
      'node_modules/mocha/bin/mocha.js',
      '--require',
      '@gradcheck/chai/mocha',
      '--reporter',
      'json',
      '--reporter-option',
      `output=${json}`,
      `${filter}.test.js`,
    ]);
  if (fixture.runner === 'jest')
    return run(node, ['node_modules/jest/bin/jest.js', '--ci', '--json', `--outputFile=${json}`, filter]);
  return run(node, [
    'node_modules/vitest/vitest.mjs',
    'run',
    filter,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${json}`,
  ]);
}
function counts(json) {
  if (!existsSync(json)) return undefined;
  const text = readFileSync(json, 'utf8');
  if (text.startsWith('<?xml')) {
    const suites = text.match(/<testsuites [^>]*tests="(\d+)"[^>]*failures="(\d+)"/);
    return suites && { passed: Number(suites[1]) - Number(suites[2]), failed: Number(suites[2]), crashed: 0 };
  }
  const r = JSON.parse(text);
  if (r.stats) return { passed: r.stats.passes, failed: r.stats.failures, crashed: 0 };
  return { passed: r.numPassedTests, failed: r.numFailedTests, crashed: r.numRuntimeErrorTestSuites ?? 0 };
}

const contractJson = join(work, 'contract.json');
rmSync(contractJson, { force: true });
const contractRun = runner('contract', contractJson);
const contractCounts = counts(contractJson);
const version =
  fixture.runner === 'bun'
    ? `Bun ${run(join(work, 'node_modules/.bin/bun'), ['--version']).output.trim()}`
    : `Node ${run(node, ['--version']).output.trim()}`;
if (contractCounts) {
  for (let i = 0; i < contractCounts.passed; i++) results.push({ test: 'contract', ok: true });
  for (let i = 0; i < contractCounts.failed + contractCounts.crashed; i++)
    results.push({ test: 'contract', ok: false });
}
record(
  `matcher contract on ${version}: ${contractCounts ? `${contractCounts.passed} passed, ${contractCounts.failed} failed` : 'no report'} (${contractRun.seconds} s)`,
  contractRun.status === 0 && contractCounts?.failed === 0 && contractCounts.passed > 0,
  contractRun.status === 0 ? '' : tail(contractRun.output, 80),
);

const unawaitedJson = join(work, 'unawaited.json');
if (unawaitedFile) {
  rmSync(unawaitedJson, { force: true });
  const unawaitedRun = runner('unawaited', unawaitedJson);
  const unawaitedCounts = counts(unawaitedJson);
  // Mocha's json reporter writes the failures to its file only.
  const unawaitedText = unawaitedRun.output + (existsSync(unawaitedJson) ? readFileSync(unawaitedJson, 'utf8') : '');
  writeFileSync(join(work, 'unawaited.log'), unawaitedText);
  const message =
    fixture.unawaitedMessage ??
    /GradcheckError( UNAWAITED_CHECK)?: expect\(model\)\.toPassGradientCheckAsync\(X, Y\) was still running when the test ended: it was not awaited, so its verdict could not fail the test\. Write `await expect\(model\)\.toPassGradientCheckAsync\(X, Y\)`/;
  const expectedFailure =
    unawaitedRun.status === 1 &&
    unawaitedCounts?.failed === 1 &&
    unawaitedCounts.passed === 1 &&
    unawaitedCounts.crashed === 0 &&
    message.test(unawaitedText);
  record(
    `an unawaited async check on a slow broken model fails the run (exit 1, 1 failed, 1 passed, the expected message; log: ${join(work, 'unawaited.log')})`,
    expectedFailure,
    expectedFailure ? '' : tail(unawaitedRun.output, 60),
  );
}

// 5. the type contract, with the workspace's TypeScript against the fixture's node_modules
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
for (const [host, { source, types = [], skipLibCheck = true }] of Object.entries(fixture.typeHosts)) {
  if (source) writeFileSync(join(work, `type-host.${host}.ts`), source);
  const config = {
    compilerOptions: {
      strict: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      noEmit: true,
      skipLibCheck,
      types,
      paths: { 'type-host': [`./type-host.${host}.ts`] },
    },
    files: ['type-cases.ts'],
  };
  writeFileSync(join(work, `tsconfig.${host}.json`), JSON.stringify(config, null, 2));
  const typed = run(process.execPath, [tsc, '-p', `tsconfig.${host}.json`]);
  record(
    `type contract, ${host} expect (tsc, skipLibCheck ${skipLibCheck})`,
    typed.status === 0,
    typed.status === 0 ? '' : tail(typed.output),
  );
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
writeFileSync(report, JSON.stringify({ passed, failed }));
console.log(`${name}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

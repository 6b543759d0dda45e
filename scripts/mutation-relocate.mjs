// Carries one file's survivor ledger (reports/survivors/<file>.tsv, see scripts/mutation-survivors.mjs)
// over a change of its source: each row's mutant is looked up in the OLD report (the one the rows were
// written against) by location, mutator and replacement, and found again in the current report by
// what does not move with the lines — mutator, replacement, the code it replaces and the text of its
// line — nearest to where it was. A row whose mutant survives still gets the new location; a row whose
// mutant Stryker now kills is dropped; a row with no such mutant any more (its line changed) is kept
// as it was and printed, to be read again by hand.
//   node scripts/mutation-relocate.mjs <old report.json> <file.ts> [current report]
import { readFileSync, writeFileSync } from 'node:fs';
import { columnsKey, escape, isSurvivor, rowKey, where } from './mutation-ledger.mjs';

const [oldFile, name, currentFile = 'reports/stryker-incremental.json'] = process.argv.slice(2);
const path = `packages/core/src/${name}`;
const ledgerPath = `reports/survivors/${name}.tsv`;
const before = JSON.parse(readFileSync(oldFile, 'utf8')).files[path];
const after = JSON.parse(readFileSync(currentFile, 'utf8')).files[path];

/** What does not move with the lines: mutator, replacement, the replaced code and its line's text. */
function identity(entry, m) {
  const lines = entry.source.split('\n');
  const { start, end } = m.location;
  const span =
    start.line === end.line
      ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
      : [
          lines[start.line - 1].slice(start.column - 1),
          ...lines.slice(start.line, end.line - 1),
          lines[end.line - 1].slice(0, end.column - 1),
        ].join('\n');
  return [m.mutatorName, escape(m.replacement), span, lines[start.line - 1].trim()].join('\u0000');
}

const oldByRow = new Map(before.mutants.map((m) => [rowKey(m), m]));
const candidates = new Map();
for (const m of after.mutants) {
  const id = identity(after, m);
  candidates.set(id, [...(candidates.get(id) ?? []), m]);
}

const out = [];
const counts = { moved: 0, same: 0, dropped: 0, unmatched: 0 };
for (const line of readFileSync(ledgerPath, 'utf8').split('\n')) {
  const cols = line.split('\t');
  const old = cols.length >= 5 ? oldByRow.get(columnsKey(cols)) : undefined;
  if (!old) {
    if (cols.length >= 5 && !line.startsWith('#')) {
      counts.unmatched++;
      console.log(`not in the old report, kept: ${line.slice(0, 120)}`);
    }
    out.push(line);
    continue;
  }
  const found = (candidates.get(identity(before, old)) ?? []).sort(
    (a, b) =>
      Math.abs(a.location.start.line - old.location.start.line) -
      Math.abs(b.location.start.line - old.location.start.line),
  )[0];
  if (!found) {
    counts.unmatched++;
    console.log(`its line changed, kept as it was (read again): ${line.slice(0, 120)}`);
    out.push(line);
  } else if (!isSurvivor(found)) {
    counts.dropped++;
    console.log(`now ${found.status}, dropped: ${line.slice(0, 120)}`);
  } else {
    counts[where(found) === cols[0] ? 'same' : 'moved']++;
    out.push([where(found), ...cols.slice(1)].join('\t'));
  }
}
writeFileSync(ledgerPath, out.join('\n'));
console.log(`${ledgerPath}: ${JSON.stringify(counts)}`);

// Merges a Stryker incremental report written by a partial run (`--mutate` over some files, or
// stopped by SIGINT) into the previous one, mutant by mutant: a partial run's report drops the
// mutants it did not test, and may drop the results of files it did not mutate (docs/mutation.md).
// For each file whose source is the same in both, the previous results are kept and the new run's
// results replace (or add to) them; a file whose source differs is taken from the new run whole.
// Mutants the new run left `Ignored` (`--ignoreStatic`) keep their previous result. The test list
// is the new run's.
// Usage: node scripts/mutation-merge.mjs previous.json partial.json merged.json
import { readFileSync, writeFileSync } from 'node:fs';

const [previousFile, partialFile, outFile] = process.argv.slice(2);
const previous = JSON.parse(readFileSync(previousFile, 'utf8'));
const partial = JSON.parse(readFileSync(partialFile, 'utf8'));
const key = (m) =>
  [
    m.mutatorName,
    m.location.start.line,
    m.location.start.column,
    m.location.end.line,
    m.location.end.column,
    m.replacement,
  ].join('\u0000');

for (const [file, entry] of Object.entries(partial.files)) {
  const before = previous.files[file];
  if (!before || before.source !== entry.source) {
    previous.files[file] = entry;
    console.log(`${file}: taken whole (${before ? 'source changed' : 'new'})`);
    continue;
  }
  const mutants = new Map(before.mutants.map((m) => [key(m), m]));
  let changed = 0,
    added = 0;
  for (const m of entry.mutants) {
    if (m.status === 'Ignored') continue;
    const old = mutants.get(key(m));
    if (!old) added++;
    else if (old.status !== m.status) changed++;
    mutants.set(key(m), m);
  }
  before.mutants = [...mutants.values()];
  if (changed || added) console.log(`${file}: ${changed} results changed, ${added} added`);
}
if (partial.testFiles) previous.testFiles = partial.testFiles;
writeFileSync(outFile, JSON.stringify(previous));

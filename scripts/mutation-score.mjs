// Per-file mutation scores of a Stryker incremental report, and optionally of an earlier one beside
// them: Score = (Killed + Timeout) / (Killed + Timeout + Survived + NoCoverage), over the mutants with
// a result (compile errors, ignored and pending mutants are in no score).
// Usage: node scripts/mutation-score.mjs reports/stryker-incremental.json [earlier.json] [--files a.ts,b.ts]
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const filesAt = args.indexOf('--files');
const only = filesAt >= 0 ? args.splice(filesAt, 2)[1].split(',') : undefined;
const [afterFile, beforeFile] = args;
const root = 'packages/core/src/';
const count = (report) => {
  const byFile = new Map();
  for (const [name, entry] of Object.entries(report.files)) {
    const c = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, other: 0 };
    for (const m of entry.mutants) c[m.status in c ? m.status : 'other']++;
    byFile.set(name.startsWith(root) ? name.slice(root.length) : name, c);
  }
  return byFile;
};
const score = (c) => {
  const detected = c.Killed + c.Timeout,
    total = detected + c.Survived + c.NoCoverage;
  return total ? `${((100 * detected) / total).toFixed(1)} %` : '—';
};
const after = count(JSON.parse(readFileSync(afterFile, 'utf8')));
const before = beforeFile ? count(JSON.parse(readFileSync(beforeFile, 'utf8'))) : undefined;
const sum = (cs) =>
  cs.reduce(
    (s, c) => {
      for (const k of Object.keys(s)) s[k] += c[k];
      return s;
    },
    { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, other: 0 },
  );
const names = [...after.keys()].filter((n) => !only || only.includes(n)).sort();
console.log(
  `| file | killed | timeout | survived | no coverage | compile errors | score |${before ? ' before |' : ''}`,
);
console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: |${before ? ' ---: |' : ''}`);
const row = (name, c, b) =>
  console.log(
    `| ${name} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.CompileError} | ${score(c)} |${before ? ` ${b ? score(b) : '—'} |` : ''}`,
  );
for (const n of names) row(n, after.get(n), before?.get(n));
row('**all**', sum(names.map((n) => after.get(n))), before && sum(names.map((n) => before.get(n)).filter(Boolean)));
const all = sum(names.map((n) => after.get(n)));
console.log(
  `\n${all.Killed + all.Timeout} detected of ${all.Killed + all.Timeout + all.Survived + all.NoCoverage} with a result (${all.Killed} killed, ${all.Timeout} timeout, ${all.Survived} survived, ${all.NoCoverage} no coverage); ${all.CompileError} compile errors, ${all.other} other (ignored/pending)`,
);

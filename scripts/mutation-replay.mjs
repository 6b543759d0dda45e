// Replays the Survived/NoCoverage mutants of a Stryker incremental report against chosen test files:
// each mutant planted in the source at its recorded location, the tests run (vitest.mutate.config.ts),
// the source restored. A cheap lower bound on what a Stryker rerun would kill (docs/mutation.md).
// Usage: node scripts/mutation-replay.mjs reports/stryker-incremental.json diagnose.ts packages/core/test/diagnose.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
const [incFile, srcName, ...tests] = process.argv.slice(2);
const file = `packages/core/src/${srcName}`;
const entry = JSON.parse(readFileSync(incFile, 'utf8')).files[file];
const original = readFileSync(file, 'utf8');
if (entry.source !== original) {
  console.log(`${srcName}: source changed since the report; skipped`);
  process.exit(0);
}
const lineStarts = [0];
for (let i = 0; i < original.length; i++) if (original[i] === '\n') lineStarts.push(i + 1);
const offset = (p) => lineStarts[p.line - 1] + p.column - 1;
let killed = 0,
  survived = 0;
const left = [];
try {
  for (const m of entry.mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const s = offset(m.location.start),
      e = offset(m.location.end);
    writeFileSync(file, original.slice(0, s) + m.replacement + original.slice(e));
    const r = spawnSync('pnpm', ['exec', 'vitest', 'run', '--config', 'vitest.mutate.config.ts', ...tests], {
      encoding: 'utf8',
    });
    const ok = r.status === 0;
    if (ok) {
      survived++;
      left.push(
        `${srcName}:${m.location.start.line} ${m.mutatorName} → ${String(m.replacement).split('\n')[0].slice(0, 60)}`,
      );
    } else killed++;
  }
} finally {
  writeFileSync(file, original);
}
console.log(`${srcName}: ${killed} of ${killed + survived} earlier survivors killed by ${tests.join(' ')}`);
for (const l of left) console.log(`  left ${l}`);

// The property tests over many seeds: the figures of issue 9 and docs/verdict.md ("On draws no rule was fitted to").
//
//   pnpm build && node scripts/sweep.mjs 0-29 [--out DIR]
//     runs, per seed s (one after the other, the CI sizes):
//       GC_SEED=s pnpm exec vitest run test/property.test.ts test/layers.property.test.ts
//       GC_SEED=s GC_REAL=200 pnpm exec vitest run test/real-code.property.test.ts
//     keeps each run's output in DIR (default /tmp/gradcheck-sweep: prop<s>.log, real<s>.log), and prints the
//     false alarms and missed bugs of both tests per seed and per ten seeds, then every draw the tests printed
//     with its exact spec (the wrong ones: a spec replays with buildNet / buildRealNet). About 30 s a seed here.
//   node scripts/sweep.mjs 0-29 --logs DIR
//     the same figures from logs a sweep left, without running anything.
//   node scripts/sweep.mjs 0-29 --compare DIR_A DIR_B
//     both sets of figures, the draws printed in only one of them, and per log the tally lines (each test's
//     printed counts) that differ: a rule's effect, draw by draw and count by count.
//
// A run that fails (its tests report false alarms or misses) is read like one that passes; a log with no counts
// at all (a crash, a build missing) is named and counts nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args.splice(at, 2)[1];
};
const compareAt = args.indexOf('--compare');
const compared = compareAt < 0 ? undefined : args.splice(compareAt, 3).slice(1);
const logs = option('--logs');
const out = option('--out') ?? '/tmp/gradcheck-sweep';
const range = /^(\d+)-(\d+)$/.exec(args[0] ?? '');
if (!range || (compared && compared.length < 2)) {
  console.error('usage: node scripts/sweep.mjs FROM-TO [--out DIR | --logs DIR | --compare DIR_A DIR_B]');
  process.exit(2);
}
const seeds = [];
for (let s = Number(range[1]); s <= Number(range[2]); s++) seeds.push(s);

/** A log's text without colours, its quoted JSON unescaped (vitest prints failing arrays as escaped strings). */
const textOf = (file) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .replace(/\x1b\[[0-9;]*m/g, '')
        .replace(/\\"/g, '"')
    : undefined;

const sum = (text, pattern) => [...text.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);

/**
 * One seed's figures from the logs in `dir`: the property test's false alarms and missed bugs (layers included),
 * the real-code test's, and the exact specs of the draws they printed.
 */
function seedFigures(dir, seed) {
  const prop = textOf(join(dir, `prop${seed}.log`));
  const real = textOf(join(dir, `real${seed}.log`));
  const figures = { propAlarms: 0, propMissed: 0, realAlarms: 0, realMissed: 0, draws: new Set(), unread: [] };
  if (prop === undefined || !/false alarms/.test(prop)) figures.unread.push(`prop${seed}.log`);
  else {
    figures.propAlarms = sum(prop, /(\d+) false alarms/g) + sum(prop, /false alarms (\d+)/g);
    figures.propMissed = sum(prop, /\d+ caught(?: \([^)]*\))?, (\d+) missed/g);
  }
  if (real === undefined || !/false alarms/.test(real)) figures.unread.push(`real${seed}.log`);
  else {
    figures.realAlarms = sum(real, /false alarms (\d+)/g);
    figures.realMissed = sum(real, /missed (\d+)/g);
  }
  for (const [test, text] of [
    ['property', prop],
    ['real-code', real],
  ])
    for (const m of (text ?? '').matchAll(/exact spec: (\{[^\n]*?\})(?=\s*(?:\n|$|,|"))/g))
      figures.draws.add(`GC_SEED=${seed} ${test}: ${m[1]}`);
  return figures;
}

/** Per seed and per ten seeds, the four counts of the logs in `dir`; returns the draws printed. */
function report(dir) {
  console.log(`\n${dir}`);
  const bySeed = seeds.map((s) => [s, seedFigures(dir, s)]);
  const draws = new Set();
  const rows = [];
  for (let from = 0; from < bySeed.length; from += 10) {
    const group = bySeed.slice(from, from + 10);
    const total = (key) => group.reduce((t, [, f]) => t + f[key], 0);
    rows.push(
      `| ${group[0][0]}–${group[group.length - 1][0]} | ${total('propAlarms')} · ${total('propMissed')} | ` +
        `${total('realAlarms')} · ${total('realMissed')} |`,
    );
  }
  for (const [seed, f] of bySeed) {
    const wrong = f.propAlarms + f.propMissed + f.realAlarms + f.realMissed;
    if (wrong > 0 || f.unread.length > 0)
      console.log(
        `  seed ${seed}: property ${f.propAlarms} false alarms, ${f.propMissed} missed; real-code ` +
          `${f.realAlarms} false alarms, ${f.realMissed} missed${f.unread.length ? `; no counts in ${f.unread.join(', ')}` : ''}`,
      );
    for (const d of f.draws) draws.add(d);
  }
  const all = (key) => bySeed.reduce((t, [, f]) => t + f[key], 0);
  console.log('\n| seeds | property: false alarms · missed | real-code: false alarms · missed |');
  console.log('| --- | ---: | ---: |');
  for (const row of rows) console.log(row);
  console.log(
    `\n${all('propAlarms') + all('propMissed') + all('realAlarms') + all('realMissed')} wrong over seeds ` +
      `${seeds[0]}–${seeds[seeds.length - 1]} (property ${all('propAlarms')} · ${all('propMissed')}, ` +
      `real-code ${all('realAlarms')} · ${all('realMissed')}); ${draws.size} draws printed with their spec`,
  );
  return draws;
}

/**
 * The tally lines of a log (each test's printed counts: "correct models: 1200 checked, …", "float32, weights
 * 0.01: correct 200, …"), without the runner's own lines: what a rule's effect shows in beside the draws.
 */
const tallies = (file) =>
  new Set((textOf(file) ?? '').match(/^(?!stdout |AssertionError|Error|TypeError)[A-Za-z][^\n]*?: [^\n]*\d[^\n]*/gm));

if (compared) {
  const [a, b] = compared.map(report);
  console.log(`\ndraws printed only in ${compared[0]}:`);
  for (const d of a) if (!b.has(d)) console.log(`  ${d}`);
  console.log(`draws printed only in ${compared[1]}:`);
  for (const d of b) if (!a.has(d)) console.log(`  ${d}`);
  console.log(`\ntally lines that differ (− ${compared[0]}, + ${compared[1]}; logs in both only):`);
  for (const seed of seeds)
    for (const log of [`prop${seed}.log`, `real${seed}.log`]) {
      if (compared.some((dir) => !existsSync(join(dir, log)))) continue;
      const [before, after] = compared.map((dir) => tallies(join(dir, log)));
      const gone = [...before].filter((line) => !after.has(line));
      const come = [...after].filter((line) => !before.has(line));
      if (gone.length + come.length === 0) continue;
      console.log(`  ${log}`);
      for (const line of gone) console.log(`    − ${line}`);
      for (const line of come) console.log(`    + ${line}`);
    }
} else {
  const dir = logs ?? out;
  if (logs === undefined) {
    mkdirSync(out, { recursive: true });
    for (const seed of seeds) {
      const started = Date.now();
      const run = (file, env, tests) => {
        const result = spawnSync('pnpm', ['exec', 'vitest', 'run', ...tests], {
          env: { ...process.env, ...env, GC_SEED: String(seed) },
          encoding: 'utf8',
          maxBuffer: 1 << 28,
        });
        writeFileSync(join(out, file), `${result.stdout ?? ''}${result.stderr ?? ''}`);
      };
      run(`prop${seed}.log`, {}, ['test/property.test.ts', 'test/layers.property.test.ts']);
      run(`real${seed}.log`, { GC_REAL: '200' }, ['test/real-code.property.test.ts']);
      console.error(`seed ${seed}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  for (const d of report(dir)) console.log(`  ${d}`);
}

// The benchmark (`pnpm bench`, which builds first): gradient checks of the reference network
// (ml-matrix, 784-H-1 with 32 examples) in every mode, timed in one process, printed as it goes and
// written to bench/results.md. What it measures:
//   1. the 47-parameter reference case: check time (median of repeated runs);
//   2. the full check at P ≈ 50 000 over (2P × one loss evaluation), the loss evaluation timed as a
//      median of repeated runs in this process, before and after the check;
//   3. the directional verdict and its localisation of a planted wrong entry in W1 at every size
//      (≈ 12 000 … 1 000 000 parameters): loss evaluations and wall time, and whether the report
//      names the planted entry;
//   4. which planted bugs (one wrong entry, 1 % scale error, a wrong bias entry) each mode catches;
//   5. how often a directional check misses a wrong gradient just above the tolerance.
//   6. a convolution layer (weights and input, ≥ 10 000 entries): full against directional;
//   7. a TensorFlow.js model of 10 384 weights through @gradcheck/tfjs (scripts/bench-tfjs.mjs);
//   8. the engine's own overhead: per entry of a full check of a cheap quadratic loss at P = 1 000
//      and 100 000 (and, an extra row, at 100 000 with a loss that costs O(1)), and the fixed cost of a passing check of the reference case beyond its model
//      evaluations (method: scripts/bench-engine.mjs). `--only=engine --baseline <dist dir>`
//      measures another build of core (its packages/core/dist, e.g. main's) beside this one,
//      interleaved; `--small` leaves out its P = 100 000 case (minutes on a loaded machine).
// `node scripts/bench.mjs --quick` skips the full check (the only slow part: about 5 minutes);
// `--only=reference|full|growth|bugs|tolerance|layer|tfjs|engine` runs one section (bench/results.md is then
// not written), e.g. `pnpm build && node scripts/bench.mjs --only=layer`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { checkGradients } from '../packages/core/dist/esm/index.js';
import { seededRandom } from '../packages/core/dist/esm/internal.js';
import { ReferenceNetwork, randomData, referenceMatrices } from '../examples/reference-network/dist/esm/index.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const section = (name) => only === undefined || only === name;
const root = new URL('..', import.meta.url);
const out = [];
const started = performance.now();
const say = (line = '') => {
  console.log(line);
  out.push(line);
};
const note = (line) => console.error(`  [${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const fmt = (n) => n.toLocaleString('en-US');
const row = (cells) => `| ${cells.join(' | ')} |`;

const INPUT = 784,
  EXAMPLES = 32;
const { X, Y } = randomData(INPUT, EXAMPLES, 2);

/** The planted bugs: W1[3,100] 50 % off, every gradient 1 % too large, b1[2] 30 % off. */
const BUGS = {
  'wrong entry W1[3,100]': (g) => {
    g.dW1.set(3, 100, g.dW1.get(3, 100) * 1.5);
  },
  '1 % scale error': (g) => {
    for (const [k, v] of Object.entries(g)) if (/^d[Wb]\d/.test(k)) v.mul(1.01);
  },
  'wrong bias entry b1[2]': (g) => {
    g.db1.set(2, 0, g.db1.get(2, 0) * 1.3);
  },
};

/**
 * A 2-D convolution layer with stride and zero padding on a batch (X n×c×h×w, K f×c×k×k, b f),
 * tensors as { data, shape }, with seeded weights and input; `bug` edits the gradients.
 */
function convolution({ n, c, h, w, f, k, stride: s, padding: p }, bug) {
  const rng = seededRandom(3);
  const tensor = (shape, fill = () => 0) => ({
    data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, fill),
    shape,
  });
  const K = tensor([f, c, k, k], () => rng.gaussian() / k),
    b = tensor([f], () => rng.gaussian()),
    X = tensor([n, c, h, w], () => rng.gaussian());
  const oh = Math.floor((h + 2 * p - k) / s) + 1,
    ow = Math.floor((w + 2 * p - k) / s) + 1;
  const each = (visit) => {
    for (let e = 0; e < n; e++)
      for (let o = 0; o < f; o++)
        for (let i = 0; i < oh; i++)
          for (let j = 0; j < ow; j++) {
            const y = ((e * f + o) * oh + i) * ow + j;
            for (let ch = 0; ch < c; ch++)
              for (let u = 0; u < k; u++) {
                const row = i * s - p + u;
                if (row < 0 || row >= h) continue;
                for (let v = 0; v < k; v++) {
                  const col = j * s - p + v;
                  if (col >= 0 && col < w) visit(y, ((o * c + ch) * k + u) * k + v, ((e * c + ch) * h + row) * w + col);
                }
              }
          }
  };
  const layer = {
    parameters: { K, b },
    forward: (x) => {
      const Y = tensor([n, f, oh, ow], (_, y) => b.data[Math.floor(y / (oh * ow)) % f]);
      each((y, kk, xx) => {
        Y.data[y] += K.data[kk] * x.data[xx];
      });
      return Y;
    },
    backward: (dY, x) => {
      const dX = tensor(x.shape),
        dK = tensor(K.shape),
        db = tensor(b.shape);
      each((y, kk, xx) => {
        dK.data[kk] += dY.data[y] * x.data[xx];
        dX.data[xx] += dY.data[y] * K.data[kk];
      });
      for (let y = 0; y < dY.data.length; y++) db.data[Math.floor(y / (oh * ow)) % f] += dY.data[y];
      const g = { dX, dK, db };
      bug?.(g);
      return g;
    },
  };
  return { layer, X };
}

function network(hidden, bug) {
  const net = ReferenceNetwork.create([INPUT, hidden, 1], { seed: 1 });
  if (bug) {
    const gradients = net.gradients.bind(net);
    net.gradients = (x, y) => {
      const g = gradients(x, y);
      BUGS[bug](g);
      return g;
    };
  }
  return net;
}

/** Wall times of `runs` loss evaluations (after 3 warm-up runs). */
function lossTimes(net, runs) {
  for (let i = 0; i < 3; i++) net.loss(X, Y);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    net.loss(X, Y);
    times.push(performance.now() - t);
  }
  return times;
}
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const lossTime = (net, runs) => median(lossTimes(net, runs));

function timed(run) {
  const t = performance.now();
  const result = run();
  return { result, ms: performance.now() - t };
}

const progress = (label) => ({
  onProgress: (p) => note(`${label}: ${p.phase} ${fmt(p.checked)}/${fmt(p.total)}, ${fmt(p.evaluations)} evaluations`),
});

say('# gradcheck benchmark');
say();
say(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}. ` +
    `Reference network (ml-matrix) 784-H-1, ${EXAMPLES} examples, default options unless stated. Command: \`pnpm bench\`.`,
);

// 1. The reference case.
if (section('reference')) {
  const fixture = JSON.parse(readFileSync(new URL('test/fixtures/reference-case.json', root), 'utf8'));
  const runs = (eps) => {
    const times = [];
    let result;
    for (let i = 0; i < 30; i++) {
      const { X: x, Y: y, parameters } = referenceMatrices(fixture);
      const net = new ReferenceNetwork(parameters, { broken: true });
      const r = timed(() => checkGradients(net, x, y, eps));
      if (i >= 5) times.push(r.ms);
      result = r.result;
    }
    return { time: median(times), result };
  };
  const classic = runs(1e-7),
    defaults = runs(undefined);
  say();
  say('## The 47-parameter reference case (4-5-3-1, broken backprop)');
  say();
  say(row(['options', 'mode', 'loss evaluations', 'difference', 'check time (median of 25)']));
  say(row(['---', '---', '---:', '---:', '---:']));
  for (const [name, { time, result }] of [
    ['eps 1e-7', classic],
    ['defaults', defaults],
  ]) {
    say(row([name, result.mode, result.evaluations.loss, result.difference.toPrecision(10), `${ms(time)} ms`]));
  }
}

// 2. The full check at P ≈ 50 000. One loss evaluation is timed over 3000 runs (after 200
// warm-up runs) before the check and again after it, and each of the check's own 100 000 loss
// evaluations is timed by a wrapper around the model's loss (so it sees the machine as the check
// did). Loss times are right-skewed (ml-matrix allocates, so the collector runs inside some
// evaluations; the machine is shared), so both the median and the mean are reported. The engine's
// own share is the check's time spent outside the model's loss and gradients.
if (!quick && section('full')) {
  const net = network(64);
  for (let i = 0; i < 200; i++) net.loss(X, Y);
  const before = lossTimes(net, 3000);
  note(
    `full check of 784-64-1: one loss evaluation ${ms(median(before))} ms (median of 3000); the check takes about ${Math.round((2 * 50305 * mean(before)) / 1000)} s`,
  );
  const loss = net.loss.bind(net),
    gradients = net.gradients.bind(net);
  const inside = [];
  let modelMs = 0;
  net.loss = (x, y) => {
    const t = performance.now();
    const l = loss(x, y);
    const d = performance.now() - t;
    inside.push(d);
    modelMs += d;
    return l;
  };
  net.gradients = (x, y) => {
    const t = performance.now();
    const g = gradients(x, y);
    modelMs += performance.now() - t;
    return g;
  };
  let lastNote = 0;
  const { result, ms: time } = timed(() =>
    checkGradients(net, X, Y, {
      mode: 'full',
      onProgress: (p) => {
        if (p.elapsedMs - lastNote > 15_000) {
          lastNote = p.elapsedMs;
          note(`full check: ${fmt(p.checked)}/${fmt(p.total)} entries`);
        }
      },
    }),
  );
  net.loss = loss;
  const after = lossTimes(net, 3000);
  const P = result.parameters;
  const ratio = (t) => (time / (2 * P * t)).toFixed(3);
  say();
  say(`## Full check, P = ${fmt(P)} (784-64-1)`);
  say();
  say(row(['one loss evaluation', 'median', 'mean']));
  say(row(['---', '---:', '---:']));
  say(row(['3000 runs before the check', `${ms(median(before))} ms`, `${ms(mean(before))} ms`]));
  say(row([`the check's own ${fmt(inside.length)}`, `${ms(median(inside))} ms`, `${ms(mean(inside))} ms`]));
  say(row(['3000 runs after the check', `${ms(median(after))} ms`, `${ms(mean(after))} ms`]));
  say();
  say(row(['', 'value']));
  say(row(['---', '---:']));
  say(row(['full check wall time', `${(time / 1000).toFixed(1)} s`]));
  say(
    row([
      'loss evaluations spent',
      `${fmt(result.evaluations.loss)} (2P + 2) and ${result.evaluations.gradients} gradient`,
    ]),
  );
  say(row(['verdict', result.passed ? 'passed' : 'failed']));
  say(row(["**full check ÷ (2P × one loss evaluation)**, median of the check's own", `**${ratio(median(inside))}**`]));
  say(row(['the same with the median before · after the check', `${ratio(median(before))} · ${ratio(median(after))}`]));
  say(row(["**full check ÷ (2P × one loss evaluation)**, mean of the check's own", `**${ratio(mean(inside))}**`]));
  say(row(['the same with the mean before · after the check', `${ratio(mean(before))} · ${ratio(mean(after))}`]));
  say(
    row([
      '**time outside the model (engine, driver, timers) ÷ check time**',
      `**${(((time - modelMs) / time) * 100).toFixed(2)} %**`,
    ]),
  );
}

// 3. Directional verdict and localisation as P grows.
if (section('growth')) {
  const SIZES = [16, 64, 256, 1272];
  const growth = [];
  for (const hidden of SIZES) {
    const net = network(hidden);
    const P = INPUT * hidden + 2 * hidden + 1;
    const t = lossTime(net, hidden > 500 ? 11 : 31);
    note(`784-${hidden}-1 (P = ${fmt(P)}): loss evaluation ${ms(t)} ms`);
    // The Taylor test (10 loss evaluations, run by default when a check fails) is left out here, so
    // that the columns count the verdict and the localisation alone.
    const verdict = timed(() => checkGradients(net, X, Y, { mode: 'directional', taylor: false }));
    const planted = network(hidden, 'wrong entry W1[3,100]');
    const onlyVerdict = timed(() => checkGradients(planted, X, Y, { mode: 'directional', localise: 0, taylor: false }));
    const localised = timed(() =>
      checkGradients(planted, X, Y, { mode: 'directional', taylor: false, ...progress(`localise in 784-${hidden}-1`) }),
    );
    growth.push({ hidden, P, t, verdict, onlyVerdict, localised });
  }
  say();
  say('## Directional check with a planted wrong entry (W1[3,100] 50 % off) as P grows');
  say();
  say(
    'Verdict: one Gaussian direction per tensor (4 tensors), 2 loss evaluations each, plus the 2 every check spends ' +
      'at the unperturbed point (loss and the determinism check) and 1 gradient evaluation. Localisation: bisection of W1, ' +
      'best first, then the elementwise check of the suspect; "localise 3" (the default) keeps looking for up to 3 wrong ' +
      'entries while any part of W1 still exceeds its allowance. The Taylor test that a failing check runs by default ' +
      '(10 more loss evaluations) is off here; the next table counts it.',
  );
  say();
  say(
    row([
      'P',
      'one loss eval',
      'correct: verdict evals / time',
      'planted: verdict evals / time',
      'planted: + localisation evals',
      'planted: total time',
      'worst entry named',
      'full check would take',
    ]),
  );
  say(row(['---:', '---:', '---:', '---:', '---:', '---:', '---', '---:']));
  for (const g of growth) {
    const loc = g.localised.result.evaluations.loss - g.onlyVerdict.result.evaluations.loss;
    const named = g.localised.result.worst[0]?.label ?? '—';
    say(
      row([
        fmt(g.P),
        `${ms(g.t)} ms`,
        `${g.verdict.result.evaluations.loss} / ${ms(g.verdict.ms)} ms (${g.verdict.result.passed ? 'pass' : 'FAIL'})`,
        `${g.onlyVerdict.result.evaluations.loss} / ${ms(g.onlyVerdict.ms)} ms (${g.onlyVerdict.result.passed ? 'PASS' : 'fail'})`,
        `${loc}`,
        `${ms(g.localised.ms)} ms`,
        `${named}${named === 'W1[3,100]' ? ' ✓' : ' ✗'}`,
        `${ms((2 * g.P * g.t) / 1000)} s`,
      ]),
    );
  }
}

// 4. Which planted bugs each mode catches.
if (section('bugs')) {
  say();
  say('## Planted bugs caught, per mode and size');
  say();
  say(
    'directional: 1 direction per tensor, localise 3; sampled: 32 entries per tensor (16 of the largest analytic gradients, ' +
      '16 at random); seed 20240229. Each cell: verdict, the tensors it failed, the worst entry named, loss evaluations, time.',
  );
  say();
  say(row(['P', 'bug', 'directional', 'sampled (32 per tensor)']));
  say(row(['---:', '---', '---', '---']));
  for (const hidden of [64, 1272]) {
    for (const bug of Object.keys(BUGS)) {
      const cells = [];
      for (const options of [{ mode: 'directional' }, { mode: 'sampled', samples: 32 }]) {
        const { result, ms: time } = timed(() => checkGradients(network(hidden, bug), X, Y, options));
        const wrong = result.tensors
          .filter((t) => !t.passed)
          .map((t) => t.name)
          .join(',');
        cells.push(
          `${result.passed ? '**missed**' : 'caught'} (${wrong || '—'}; ${result.worst[0]?.label ?? '—'}; ${result.evaluations.loss} evals, ${ms(time)} ms)`,
        );
      }
      note(`784-${hidden}-1, ${bug}: ${cells.join(' · ')}`);
      say(row([fmt(INPUT * hidden + 2 * hidden + 1), bug, ...cells]));
    }
  }
}

// 5. How close to the tolerance a directional check still catches a wrong gradient.
if (section('tolerance')) {
  say();
  say('## Directional check near the tolerance (784-16-1, W1 scaled by 1 + δ, 100 seeds each)');
  say();
  say(
    'A projection estimates the classic difference with the spread of one random draw, so an error just above the ' +
      'tolerance (1e-6) can pass; more directions per tensor narrow the spread.',
  );
  say();
  say(row(['δ', 'classic W1 difference', 'missed, 1 direction', 'missed, 3 directions']));
  say(row(['---:', '---:', '---:', '---:']));
  for (const delta of [2e-5, 2e-4, 2e-3]) {
    const cells = [1, 3].map((directions) => {
      let missed = 0;
      for (let seed = 1; seed <= 100; seed++) {
        const net = network(16);
        const gradients = net.gradients.bind(net);
        net.gradients = (x, y) => {
          const g = gradients(x, y);
          g.dW1.mul(1 + delta);
          return g;
        };
        if (checkGradients(net, X, Y, { mode: 'directional', seed, directions, localise: 0 }).passed) missed++;
      }
      return `${missed} / 100`;
    });
    note(`near the tolerance: δ = ${delta}: ${cells.join(', ')}`);
    say(row([delta, `≈ ${delta / 2}`, ...cells]));
  }
}

// 6. A convolution layer: its kernels, bias and input checked through ⟨R, forward(X)⟩.
if (section('layer')) {
  const shape = { n: 4, c: 8, h: 18, w: 18, f: 16, k: 3, stride: 2, padding: 1 };
  const wrongEntry = (g) => {
    g.dX.data[1234] *= 1.5;
  };
  const fresh = (bug) => convolution(shape, bug);
  const { layer, X } = fresh();
  const entries = layer.parameters.K.data.length + layer.parameters.b.data.length + X.data.length;
  for (let i = 0; i < 5; i++) layer.forward(X);
  const forwardTimes = [];
  for (let i = 0; i < 31; i++) forwardTimes.push(timed(() => layer.forward(X)).ms);
  const t = median(forwardTimes);
  note(
    `convolution (${fmt(entries)} weights and inputs): one forward pass ${ms(t)} ms; the full check takes about ${Math.round((2 * entries * t) / 1000)} s`,
  );
  const runs = [
    ['full, correct', fresh(), { mode: 'full', ...progress('full check of the convolution') }],
    ['directional, correct', fresh(), { mode: 'directional' }],
    ['directional, wrong dX entry X[0,3,14,10]', fresh(wrongEntry), { mode: 'directional' }],
    ['auto (default options), wrong dX entry', fresh(wrongEntry), {}],
  ].map(([name, c, options]) => [name, timed(() => checkGradients(c.layer, c.X, options))]);
  say();
  say(
    `## A convolution layer: ${shape.n}×${shape.c}×${shape.h}×${shape.w} input, ${shape.f} kernels ${shape.c}×${shape.k}×${shape.k}, ` +
      `stride ${shape.stride}, padding ${shape.padding} (${fmt(entries)} weights and inputs)`,
  );
  say();
  say(
    `The layer's weights (K, b) and its input X are checked through ⟨R, forward(X)⟩ against backward(R, X) for a seeded ` +
      `Gaussian cotangent R. One forward pass: ${ms(t)} ms (median of 31). Command: \`pnpm build && node scripts/bench.mjs --only=layer\`.`,
  );
  say();
  say(row(['check', 'verdict', 'wrong tensors', 'worst entry', 'loss evaluations', 'backward calls', 'time']));
  say(row(['---', '---', '---', '---', '---:', '---:', '---:']));
  for (const [name, { result, ms: time }] of runs) {
    const wrong = result.tensors.filter((x) => !x.passed).map((x) => x.name);
    say(
      row([
        name,
        result.passed ? 'passed' : 'failed',
        wrong.join(', ') || '—',
        result.passed ? '—' : (result.worst[0]?.label ?? '—'),
        fmt(result.evaluations.loss),
        fmt(result.evaluations.gradients),
        time >= 1000 ? `${(time / 1000).toFixed(1)} s` : `${ms(time)} ms`,
      ]),
    );
  }
}

if (section('tfjs')) await (await import('./bench-tfjs.mjs')).benchTfjs(say);

// 8. The engine's own overhead.
if (section('engine')) {
  const { engineBench } = await import('./bench-engine.mjs');
  const baselineAt = process.argv.indexOf('--baseline');
  const impls = [{ label: 'this build', checkGradients }];
  if (baselineAt >= 0) {
    const dir = new URL(`${process.argv[baselineAt + 1].replace(/\/?$/, '/')}`, `file://${process.cwd()}/`);
    impls.unshift({
      label: 'baseline',
      checkGradients: (await import(new URL('esm/index.js', dir).href)).checkGradients,
    });
  }
  engineBench(impls, { ReferenceNetwork, referenceMatrices }, root, say, note, process.argv.includes('--small'));
}

say();
say(`Total benchmark time: ${((performance.now() - started) / 1000).toFixed(0)} s.`);
if (!quick && only === undefined) {
  mkdirSync(new URL('bench/', root), { recursive: true });
  // The record of before-and-after figures at the end of bench/results.md (written by hand, with
  // its command) stays.
  const file = new URL('bench/results.md', root);
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const record = previous.indexOf('## Engine overhead: before and after');
  writeFileSync(file, out.join('\n') + '\n' + (record >= 0 ? '\n' + previous.slice(record).trimEnd() + '\n' : ''));
  console.log('\nwritten to bench/results.md');
}

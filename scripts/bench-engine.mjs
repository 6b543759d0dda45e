// The engine's own cost (`node scripts/bench.mjs --only=engine`, after `pnpm build`): what a check
// spends outside the model, for models so cheap that this overhead is what a unit test waits for.
//
// Every time is CPU time of this process (process.cpuUsage, user + system): on a shared machine a
// process waits for a core, and wall time counts that waiting wherever it falls.
// 1. Per entry: a full check (mode 'full', a budget of 4P + 100 evaluations) of a quadratic loss
//    L = ½ Σ aᵢ xᵢ² over one Float64Array at P = 1 000 and P = 100 000 (every entry settles at its
//    2 central evaluations). Engine time per entry = (check time − time inside the model) / P, the
//    time inside the model measured two ways:
//    - "bare loop": after the check, a loop of the same numbers of bare loss and gradients calls on
//      the same model (at most 20 000 loss calls, their mean scaled to the check's count);
//    - "wrapped": a second check of a model whose loss and gradients sum their wall time between
//      performance.now() pairs; the wall time outside them, times the check's CPU/wall ratio (the
//      wrapper's call and a timer read count as engine: a slight overestimate).
//    Medians over repetitions: 41 at P = 1 000; at P = 100 000 one wrapped check (200 000 loss
//    evaluations of 100 000 terms: about 20 s alone, minutes on a loaded machine; the model is 99 %
//    of it, so a bare-loop difference would be noise).
//    Extra row (also with --small; not the measure, which stays the row above): the same
//    wrapped check at P = 100 000 of quadraticO1, the same quadratic with a loss that costs O(1)
//    where one entry moved (its shortcut checked against the full sum at P = 2 000 before it is
//    timed), median of 5. It shows the engine's own time at that size: with the full loss, the
//    wrapped figure also carries time that grows with the model calls' length (about 0.6 % of it
//    on the shared machine, even for a loss that touches no memory: bench/results.md, round 7).
// 2. Fixed cost: a passing check (default options, correct backprop) of the 47-parameter reference
//    case (test/reference-case.test.ts builds it the same way), 200 checks on fresh copies of the
//    network. After every check, batches of 20 bare loss calls and 5 gradients calls time the model
//    as the check saw it. Fixed cost = median check − loss evaluations × median loss call −
//    gradients evaluations × median gradients call.
// With `--baseline <dist dir>` (bench.mjs), each repetition runs every build in turn, so that both
// see the same machine, in reversed order every other repetition (so that neither always runs after
// the other); the figures of one run are comparable with each other.
import { readFileSync } from 'node:fs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The quadratic's xᵢ ∈ [−1, 1) and aᵢ ∈ [1, 2), P of each, from a fixed LCG. */
function quadraticTerms(P, seed) {
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x = new Float64Array(P),
    a = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    x[i] = 2 * next() - 1;
    a[i] = 1 + next();
  }
  return { x, a };
}

/** ½ Σ aᵢ xᵢ² over a Float64Array of P entries, with aᵢ ∈ [1, 2) and xᵢ ∈ [−1, 1) from a fixed LCG. */
export function quadratic(P, seed = 7) {
  const { x, a } = quadraticTerms(P, seed);
  return {
    parameters: { x },
    loss() {
      let s = 0;
      for (let i = 0; i < P; i++) s += a[i] * x[i] * x[i];
      return 0.5 * s;
    },
    gradients() {
      const g = new Float64Array(P);
      for (let i = 0; i < P; i++) g[i] = a[i] * x[i];
      return { x: g };
    },
  };
}

/**
 * {@link quadratic}'s model (the same x and a) with a loss that costs O(1) where a full check moves one
 * entry: ½ (S + aₖ (xₖ² − θₖ²)), S = Σ aᵢ θᵢ² at the values θ it was built with and k the one entry that
 * differs from them. A full check moves one entry at a time, in order; the loss looks for k at the entry
 * it found last and at the next one, and takes that shortcut only where that entry differs and its two
 * neighbours and the first and last entries do not (else it sums all P terms, as the noise probe's points
 * that move every entry need, and finds k there where exactly one entry differs). Its values equal the
 * full sum's up to rounding (not bit for bit: the check's counts may differ a little from quadratic's).
 * `fullSums` counts the losses it summed in full.
 */
export function quadraticO1(P, seed = 7) {
  const { x, a } = quadraticTerms(P, seed);
  const theta = Float64Array.from(x);
  let S = 0;
  for (let i = 0; i < P; i++) S += a[i] * theta[i] * theta[i];
  let k = 0;
  const counts = { fullSums: 0 };
  const same = (i) => i < 0 || i >= P || x[i] === theta[i];
  const onlyMoved = (i) =>
    x[i] !== theta[i] && same(i - 1) && same(i + 1) && (i === 0 || same(0)) && (i === P - 1 || same(P - 1));
  return {
    counts,
    parameters: { x },
    loss() {
      if (!onlyMoved(k) && onlyMoved(k + 1)) k++;
      if (k < P && onlyMoved(k)) return 0.5 * (S + a[k] * (x[k] * x[k] - theta[k] * theta[k]));
      counts.fullSums++;
      let s = 0,
        moved = 0,
        at = 0;
      for (let i = 0; i < P; i++) {
        s += a[i] * x[i] * x[i];
        if (x[i] !== theta[i]) {
          moved++;
          at = i;
        }
      }
      if (moved === 1) k = at;
      return 0.5 * s;
    },
    gradients() {
      const g = new Float64Array(P);
      for (let i = 0; i < P; i++) g[i] = a[i] * x[i];
      return { x: g };
    },
  };
}

/**
 * Runs a full check of {@link quadraticO1} at a small P with every loss compared with the full sum
 * (relative difference ≤ 1e-12): the shortcut holds for the points a full check evaluates.
 */
function verifyQuadraticO1(checkGradients, P = 2000) {
  const model = quadraticO1(P);
  const { x } = model.parameters;
  const full = quadratic(P);
  const checked = {
    parameters: model.parameters,
    loss() {
      const fast = model.loss();
      full.parameters.x.set(x);
      const slow = full.loss();
      if (!(Math.abs(fast - slow) <= 1e-12 * Math.abs(slow)))
        throw new Error(`quadraticO1: loss ${fast} where the full sum is ${slow}`);
      return fast;
    },
    gradients: model.gradients,
  };
  const result = checkGradients(checked, undefined, undefined, { mode: 'full', budget: 4 * P + 100 });
  if (!result.passed || model.counts.fullSums > result.evaluations.loss / 10)
    throw new Error(`quadraticO1 at P = ${P}: passed ${result.passed}, ${model.counts.fullSums} full sums`);
}

/** CPU time of this process (user + system) in milliseconds: not inflated while other processes run. */
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The model with loss and gradients timed: `inside.ms` sums the wall time spent in them. */
function wrapped(model) {
  const inside = { ms: 0 };
  return {
    inside,
    model: {
      parameters: model.parameters,
      loss(X, Y) {
        const t = performance.now();
        const l = model.loss(X, Y);
        inside.ms += performance.now() - t;
        return l;
      },
      gradients(X, Y) {
        const t = performance.now();
        const g = model.gradients(X, Y);
        inside.ms += performance.now() - t;
        return g;
      },
    },
  };
}

/** At most this many bare loss calls are timed after a check; their mean time stands for all. */
const BARE_CALLS = 20_000;

/** One repetition of the per-entry measurement: [bare loop in CPU µs/entry, wrapped in CPU µs/entry]. */
function perEntryOnce(checkGradients, P, bare, make = quadratic) {
  const options = { mode: 'full', budget: 4 * P + 100 };
  let result;
  let byBareLoop = NaN;
  if (bare) {
    const model = quadratic(P);
    let c = cpu();
    result = checkGradients(model, undefined, undefined, options);
    const checkCpu = cpu() - c;
    const calls = Math.min(result.evaluations.loss, BARE_CALLS);
    let sink = 0;
    c = cpu();
    for (let i = 0; i < calls; i++) sink += model.loss();
    let bareCpu = ((cpu() - c) / calls) * result.evaluations.loss;
    c = cpu();
    for (let i = 0; i < result.evaluations.gradients; i++) sink += model.gradients().x[0];
    bareCpu += cpu() - c;
    if (!Number.isFinite(sink)) throw new Error('unreachable');
    byBareLoop = ((checkCpu - bareCpu) * 1000) / P;
  }
  const { model: timed, inside } = wrapped(make(P));
  const c = cpu(),
    t = performance.now();
  result = checkGradients(timed, undefined, undefined, options);
  const wall = performance.now() - t,
    checkCpu = cpu() - c;
  if (!result.passed || result.mode !== 'full') throw new Error(`the quadratic at P = ${P} did not pass a full check`);
  const byWrapper = ((wall - inside.ms) * (checkCpu / wall) * 1000) / P;
  return { byBareLoop, byWrapper, result };
}

/** One repetition of the reference case: check CPU time, one loss call's and one gradients call's. */
function fixedOnce(checkGradients, ReferenceNetwork, referenceMatrices, fixture) {
  const { X, Y, parameters } = referenceMatrices(fixture);
  const net = new ReferenceNetwork(parameters);
  let c = cpu();
  const result = checkGradients(net, X, Y);
  const check = cpu() - c;
  c = cpu();
  for (let i = 0; i < 20; i++) net.loss(X, Y);
  const loss = (cpu() - c) / 20;
  c = cpu();
  for (let i = 0; i < 5; i++) net.gradients(X, Y);
  const gradient = (cpu() - c) / 5;
  if (!result.passed) throw new Error('the reference case did not pass');
  return { check, loss, gradient, result };
}

/**
 * Runs `once(impl)` `reps` times for every implementation, interleaved (so that each sees the same
 * machine), and returns per implementation the medians of the named fields and the last result.
 */
function interleaved(impls, reps, once, fields) {
  const runs = impls.map(() => []);
  // The order reversed every other repetition: run always second, a build read up to 1.5× slower at P = 100 000
  // (an A/A run of two copies of one build, loss O(1): 0.58 · 0.78 and 0.59 · 0.82 µs per entry).
  for (let r = 0; r < reps; r++) {
    const order = r % 2 ? [...impls.keys()].reverse() : [...impls.keys()];
    for (const k of order) runs[k].push(once(impls[k]));
  }
  return runs.map((list) => ({
    ...Object.fromEntries(fields.map((f) => [f, median(list.map((x) => x[f]))])),
    result: list[list.length - 1].result,
  }));
}

/**
 * Runs the engine benchmark; `say` prints a line of the results, `note` a progress line. `impls`:
 * `[{ label, checkGradients }]`, measured interleaved in one run (a baseline build beside this one).
 */
export function engineBench(impls, { ReferenceNetwork, referenceMatrices }, root, say, note, smallOnly = false) {
  const fixture = JSON.parse(readFileSync(new URL('test/fixtures/reference-case.json', root), 'utf8'));
  const entry = (P, reps, bare) =>
    interleaved(impls, reps, (impl) => perEntryOnce(impl.checkGradients, P, bare), ['byBareLoop', 'byWrapper']);
  const fixedRuns = (reps) =>
    interleaved(impls, reps, (impl) => fixedOnce(impl.checkGradients, ReferenceNetwork, referenceMatrices, fixture), [
      'check',
      'loss',
      'gradient',
    ]);
  // Warm-up: the engine's code compiled before anything is timed.
  entry(1000, 5, true);
  fixedRuns(20);
  note('engine: warmed up');
  const small = entry(1000, 41, true);
  note(`engine: P = 1 000: ${small.map((m) => m.byBareLoop.toFixed(3)).join(' · ')} µs/entry`);
  const fixed = fixedRuns(200).map((f) => {
    const e = f.result.evaluations;
    const model = e.loss * f.loss + e.gradients * f.gradient;
    return { ...f, model, fixed: f.check - model };
  });
  note(`engine: reference case fixed cost ${fixed.map((f) => f.fixed.toFixed(3)).join(' · ')} ms`);
  const large = smallOnly ? undefined : entry(100_000, 1, false);
  if (large) note(`engine: P = 100 000: ${large.map((m) => m.byWrapper.toFixed(3)).join(' · ')} µs/entry`);
  for (const impl of impls) verifyQuadraticO1(impl.checkGradients);
  const cheap = interleaved(impls, 5, (impl) => perEntryOnce(impl.checkGradients, 100_000, false, quadraticO1), [
    'byWrapper',
  ]);
  note(`engine: P = 100 000, loss O(1): ${cheap.map((m) => m.byWrapper.toFixed(3)).join(' · ')} µs/entry`);
  const us = (ms) => `${(ms * 1000).toFixed(1)} µs`;
  const labels = impls.map((i) => i.label);
  say();
  say('## Engine overhead: per entry and per check');
  say();
  say(
    'CPU time of the process (process.cpuUsage, user + system: a loaded machine inflates wall time). Quadratic ' +
      'loss ½ Σ aᵢ xᵢ² over one Float64Array, full check (mode full). Engine time per entry = (check time − time ' +
      'inside loss and gradients) / P, the time inside measured as the CPU time of a loop of the same numbers of ' +
      'bare calls after the check ("bare loop"), and by a performance.now() wrapper around loss and gradients, ' +
      'its wall-time share scaled by the check\'s CPU/wall ratio ("wrapped"); medians of 41 repetitions at P = ' +
      "1 000, one at P = 100 000 (wrapped only: the model is 99 % of that check). Extra row, not the target's " +
      'measure: the same P = 100 000 check of a model whose loss costs O(1) (quadraticO1), 5 repetitions: the ' +
      "engine without the model's long calls. Reference case: passing check, " +
      'default options, 200 checks; fixed cost = median check − evaluations × median bare call. ' +
      (impls.length > 1 ? 'Builds measured interleaved in one run. ' : '') +
      'Method: header of scripts/bench-engine.mjs.',
  );
  say();
  say(row(['case', ...labels.map((l) => `${l}: bare loop · wrapped`)]));
  say(row(['---', ...labels.map(() => '---:')]));
  say(
    row([
      'full check, P = 1,000, engine per entry',
      ...small.map((m) => `${m.byBareLoop.toFixed(2)} µs · ${m.byWrapper.toFixed(2)} µs`),
    ]),
  );
  if (large)
    say(row(['full check, P = 100,000, engine per entry', ...large.map((m) => `— · ${m.byWrapper.toFixed(2)} µs`)]));
  say(
    row([
      'extra: full check, P = 100,000, loss O(1), engine per entry',
      ...cheap.map((m) => `— · ${m.byWrapper.toFixed(2)} µs`),
    ]),
  );
  say();
  say(row(['reference case (47 parameters, passing)', ...labels]));
  say(row(['---', ...labels.map(() => '---:')]));
  say(row(['check (median of 200)', ...fixed.map((f) => us(f.check))]));
  say(row(['one loss call · one gradients call (medians)', ...fixed.map((f) => `${us(f.loss)} · ${us(f.gradient)}`)]));
  say(
    row([
      'model time (evaluations × median call)',
      ...fixed.map((f) => `${us(f.model)} (${f.result.evaluations.loss} + ${f.result.evaluations.gradients})`),
    ]),
  );
  say(row(['**fixed cost beyond the model**', ...fixed.map((f) => `**${us(f.fixed)}**`)]));
  return { small, large, cheap, fixed };
}

const row = (cells) => `| ${cells.join(' | ')} |`;

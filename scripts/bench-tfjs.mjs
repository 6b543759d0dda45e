// The TensorFlow.js case of the benchmark: a tf.LayersModel of 10 384 weights (dense 64-128-16,
// tanh, 32 examples, mean squared error) checked through @gradcheck/tfjs on the CPU backend, with
// defaults (auto), sampled, and with planted bugs (a wrong bias entry, a 10 % scale); and the cost of the two ways a
// tf.Variable is written (assign per write for a raw variable, one assign per evaluation in tfModel).
// Run alone with `node scripts/bench.mjs --only=tfjs` (after `pnpm build`).
import { createRequire } from 'node:module';
import { checkGradients } from '../packages/core/dist/esm/index.js';
import { tfModel } from '../packages/tfjs/dist/esm/index.js';

const require = createRequire(new URL('../packages/tfjs/package.json', import.meta.url));
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');

const row = (cells) => `| ${cells.join(' | ')} |`;
const fmt = (n) => n.toLocaleString('en-US');
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

function build() {
  const model = tfl.sequential();
  model.add(
    tfl.layers.dense({
      units: 128,
      inputShape: [64],
      activation: 'tanh',
      kernelInitializer: tfl.initializers.glorotNormal({ seed: 1 }),
    }),
  );
  model.add(tfl.layers.dense({ units: 16, kernelInitializer: tfl.initializers.glorotNormal({ seed: 2 }) }));
  return model;
}

/** Runs the tfjs case, writing its lines through `say`. */
export async function benchTfjs(say) {
  await tf.setBackend('cpu');
  const originalWarn = console.warn;
  const X = tf.randomNormal([32, 64], 0, 1, 'float32', 3);
  const Y = tf.randomNormal([32, 16], 0, 1, 'float32', 4);
  const model = build();
  tf.tidy(() => model.predict(X)); // first use: the CPU backend's one-time Node warning
  console.warn = originalWarn;
  const P = model.countParams();
  const m = tfModel(model, 'meanSquaredError');
  const [, bias, kernel2] = Object.keys(m.parameters);
  for (let i = 0; i < 20; i++) m.loss(X, Y);
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) m.loss(X, Y);
  const lossMs = (performance.now() - t0) / 200;

  const planted = (change) => ({
    ...m,
    gradients: (x, y) => {
      const g = m.gradients(x, y);
      change(g);
      return g;
    },
  });
  const tensors = tf.memory().numTensors;
  const cases = [
    ['defaults', m, {}],
    ['sampled', m, { mode: 'sampled' }],
    [
      `wrong ${bias}[100] (×1.5), defaults`,
      planted((g) => {
        g[bias].data[100] *= 1.5;
      }),
      {},
    ],
    ...['auto', 'sampled'].map((mode) => [
      `${kernel2} 10 % too large, ${mode === 'auto' ? 'defaults' : mode}`,
      planted((g) => {
        g[kernel2].data.forEach((v, i, a) => (a[i] = v * 1.1));
      }),
      { mode },
    ]),
  ];
  say();
  say('## TensorFlow.js: a tf.LayersModel of ' + fmt(P) + ' weights (@gradcheck/tfjs, CPU backend)');
  say();
  say(
    `Dense 64-128-16 (tanh), 32 examples, meanSquaredError, \`tfModel(model, 'meanSquaredError')\`; ` +
      `one loss evaluation ${lossMs.toFixed(2)} ms (mean of 200). Command: \`node scripts/bench.mjs --only=tfjs\`.`,
  );
  say();
  say(
    row([
      'check',
      'mode',
      'verdict',
      `difference of ${kernel2}`,
      'loss evaluations',
      'gradient evaluations',
      'time',
      'worst entry',
      'tf.memory().numTensors after − before',
    ]),
  );
  say(row(['---', '---', '---', '---:', '---:', '---:', '---:', '---', '---:']));
  for (const [name, target, options] of cases) {
    const t = performance.now();
    const r = checkGradients(target, X, Y, options);
    const ms = performance.now() - t;
    say(
      row([
        name,
        r.mode,
        r.passed ? 'pass' : 'fail',
        r.tensors.find((t) => t.name === kernel2).difference.toExponential(1),
        fmt(r.evaluations.loss),
        fmt(r.evaluations.gradients),
        s(ms),
        r.worst[0]?.label ?? '—',
        tf.memory().numTensors - tensors,
      ]),
    );
  }

  // The write strategies, on the same model and a directional check (which moves every entry of
  // a tensor at once): a hand-written model over the raw tf.Variables (every write assigns the
  // whole variable) against tfModel's parameters (one assign per evaluation).
  const keys = Object.keys(m.parameters);
  const variables = model.trainableWeights.map((w) => w.read());
  const raw = {
    parameters: Object.fromEntries(keys.map((k, i) => [k, variables[i]])),
    loss: m.loss,
    gradients: m.gradients,
  };
  say();
  say(row(['the same model, directional check', 'writes', 'verdict', 'loss evaluations', 'time']));
  say(row(['---', '---', '---', '---:', '---:']));
  for (const [name, target, writes] of [
    ['raw tf.Variables in a hand-written model', raw, 'assign per write'],
    ['tfModel(model, loss)', m, 'assign per evaluation'],
  ]) {
    const t = performance.now();
    const r = checkGradients(target, X, Y, { mode: 'directional' });
    say(row([name, writes, r.passed ? 'pass' : 'fail', fmt(r.evaluations.loss), s(performance.now() - t)]));
  }
  tf.dispose([X, Y]);
}

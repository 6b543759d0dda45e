import { it } from 'vitest';
import { checkGradients, seededRandom } from '@gradcheck/core';
import { buildNet, modelOf, randomSpec } from './helpers/mlp.js';
it('probe', () => {
  const random = seededRandom(5001 + 7919);
  for (let n = 0; n < 3000; n++) {
    const spec = randomSpec(random);
    if (spec.seed !== 1706034913) continue;
    const net = buildNet(spec);
    const b = net.b[1]!; const th = b[4]!;
    console.log('theta', th);
    const out = [];
    for (const s of [-1, -0.5, -0.25, 0, 0.25, 0.5, 1]) { b[4] = th + s * 2 ** -18; out.push(`${s}: ${net.loss()} g=${net.gradients()['b2']![4]}`); }
    b[4] = th; console.log(out.join('\n'));
  }
});

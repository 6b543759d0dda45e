import { it } from 'vitest';
import { seededRandom } from '@gradcheck/core';
import { buildNet, randomSpec } from './helpers/mlp.js';
it('probe', () => {
  const random = seededRandom(5001);
  for (let n = 0; n < 1200; n++) {
    const spec = randomSpec(random);
    if (spec.seed !== 647928787) continue;
    const net = buildNet(spec);
    const b = net.b[1]!; const th = b[0]!;
    const out = [];
    for (const s of [-4, -1, -0.5, 0, 0.5, 1, 4, 64]) { b[0] = th + s * 2 ** -8; out.push(`${s}: ${net.loss()} g=${net.gradients()['b2']![0]}`); }
    b[0] = th; console.log(out.join('\n'));
  }
});

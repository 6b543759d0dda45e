import { it } from 'vitest';
import { checkGradients, seededRandom } from '@gradcheck/core';
import { buildNet, chooseBug, modelOf, randomSpec } from './helpers/mlp.js';
it('probe', () => {
  const random = seededRandom(7000 + 8);
  for (let n = 0; n < 400; n++) {
    const spec = randomSpec(random, 'swapped');
    const net = buildNet(spec);
    const bug = chooseBug(net, 'swapped', random);
    if (spec.seed !== 499998025) continue;
    const r = checkGradients(modelOf(net), net.X, net.Y, { includeGradients: true, taylor: false });
    for (const t of r.tensors.filter((t) => t.name.startsWith('b'))) console.log(t.name, JSON.stringify(t.analytic), JSON.stringify(t.numeric), t.kinks);
    console.log(JSON.stringify(r.worst.slice(0, 6)));
  }
});

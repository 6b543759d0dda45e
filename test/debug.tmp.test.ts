import { it } from 'vitest';
import { checkGradients, formatReport, seededRandom } from '@gradcheck/core';
import { buildNet, modelOf, randomSpec } from './helpers/mlp.js';
it('stats', () => {
  const random = seededRandom(5001);
  const bad: Record<string, number> = {}; const tot: Record<string, number> = {};
  let shown = 0;
  for (let n = 0; n < Number(process.env.N ?? 300); n++) {
    const spec = randomSpec(random); const net = buildNet(spec);
    const r = checkGradients(modelOf(net), net.X, net.Y, { taylor: false });
    const key = `${spec.precision} scale<1:${spec.scale < 1}`;
    tot[key] = (tot[key] ?? 0) + 1;
    if (!r.passed) { bad[key] = (bad[key] ?? 0) + 1; if (shown++ < Number(process.env.SHOW ?? 2)) console.log(JSON.stringify(spec), '\n', formatReport(r)); }
  }
  console.log(JSON.stringify({ bad, tot }));
});

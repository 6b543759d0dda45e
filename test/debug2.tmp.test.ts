import { it } from 'vitest';
import { buildNet } from './helpers/mlp.js';
it('probe', () => {
  for (const precision of ['float32', 'float64']) {
  const spec = {"sizes":[5,5,4,2],"loss":"softmax-l2","examples":2,"lambda":0.18603268805131762,"precision":precision,"scale":0.014407254054287034,"zeroExample":false,"deadUnit":true,"seed":2004417603} as const;
  const net = buildNet(spec as any);
  const b = net.b[1]!; const th = b[1]!;
  const out: string[] = [];
  for (const s of [-1, -0.5, 0, 0.5, 1]) { b[1] = th + s * 2 ** -8; out.push(`${s}: ${net.loss()} g=${net.gradients()['b2']![1]}`); }
  b[1] = th;
  console.log(precision, out.join('\n'));
  }
});

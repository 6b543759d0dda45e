// The demo: gradient-checks the classic reference network (4-5-3-1, three examples) with its
// correct backprop and with the classic broken one, then a 784-64-1 network (50 305 parameters)
// with one wrong gradient entry planted, which the default `auto` mode checks directionally and
// localises. Prints every report.
import { readFileSync } from 'node:fs';
import { checkGradients, formatReport } from '@gradcheck/core';
import { ReferenceNetwork, randomData, referenceMatrices } from '@gradcheck/reference-network';

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/reference-case.json', import.meta.url), 'utf8'));
const eps = Number(process.argv[2] ?? fixture.epsilon);

function show(title, call, result) {
  console.log(`\n── ${title}: ${call} ──\n`);
  console.log(formatReport(result));
}

for (const [title, broken] of [
  ['correct backprop', false],
  ['broken backprop (hidden dW not divided by m)', true],
]) {
  const { X, Y, parameters } = referenceMatrices(fixture);
  const result = checkGradients(new ReferenceNetwork(parameters, { broken }), X, Y, eps);
  show(`reference network, ${title}`, `checkGradients(model, X, Y, ${eps})`, result);
}

// A realistic size: one entry of dW1 is 50 % off. A full check would cost 100 612 loss evaluations.
const network = ReferenceNetwork.create([784, 64, 1], { seed: 1 });
const { X, Y } = randomData(784, 32, 2);
const planted = {
  parameters: network.parameters,
  loss: (X, Y) => network.loss(X, Y),
  gradients: (X, Y) => {
    const grads = network.gradients(X, Y);
    grads.dW1.set(3, 100, grads.dW1.get(3, 100) * 1.5);
    return grads;
  },
};
show('784-64-1 network, dW1[3,100] planted 50 % off', 'checkGradients(model, X, Y)', checkGradients(planted, X, Y));

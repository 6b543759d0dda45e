// The demo: gradient-checks the classic reference network (4-5-3-1, three examples) with its
// correct backprop and with the classic broken one, and prints both reports.
import { readFileSync } from 'node:fs';
import { checkGradients, formatReport } from '@gradcheck/core';
import { ReferenceNetwork, referenceMatrices } from '@gradcheck/reference-network';

const fixture = JSON.parse(readFileSync(new URL('../../test/fixtures/reference-case.json', import.meta.url), 'utf8'));
const eps = Number(process.argv[2] ?? fixture.epsilon);

for (const [title, broken] of [['correct backprop', false], ['broken backprop (hidden dW not divided by m)', true]]) {
  const { X, Y, parameters } = referenceMatrices(fixture);
  const result = checkGradients(new ReferenceNetwork(parameters, { broken }), X, Y, eps);
  console.log(`\n── reference network, ${title}: checkGradients(model, X, Y, ${eps}) ──\n`);
  console.log(formatReport(result));
}

// The matchers as Vitest 5 hosts them: `expect` extended by `@gradcheck/vitest/setup`, `isNot`
// undefined without `.not`. Regenerate snapshots after a format change with `-u` (README, "Tests").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchers } from '@gradcheck/vitest';
import type { ReferenceCase } from '@gradcheck/reference-network';
import { matcherContract } from '../../../test/matcher-contract.js';

const fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/reference-case.json', import.meta.url), 'utf8'),
) as ReferenceCase;

describe('Vitest 5', () => {
  it('exports the matchers object without side effects', () => {
    expect(Object.keys(matchers).sort()).toEqual(['toPassGradientCheck', 'toPassGradientCheckAsync']);
  });

  matcherContract({ describe, it, expect, host: expect }, fixture);
});

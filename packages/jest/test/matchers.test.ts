// The matchers as Jest hosts them: the global `expect`, extended by `@gradcheck/jest/setup`.
// Regenerate snapshots after a format change: `pnpm --filter @gradcheck/jest exec jest -u`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReferenceCase } from '@gradcheck/reference-network';
import { matcherContract } from '../../../test/matcher-contract';

const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../../test/fixtures/reference-case.json'), 'utf8'),
) as ReferenceCase;

describe('Jest, global expect', () => {
  matcherContract({ describe, it, expect, host: expect }, fixture);
});

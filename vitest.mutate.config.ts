// The Vitest config Stryker (`pnpm mutate`) runs for each mutant: only the fast tests that exercise
// core, with the workspace packages resolved to their TypeScript sources so that the mutated files
// in Stryker's sandbox are the ones under test (the built dist/ would never see a mutant). Not the
// property test (slow, random), not the runner-output tests (spawn real runners on the built packages),
// not the modes tests (packages/core/test/modes.test.ts and test/modes.test.ts: networks of up to
// 200 000 parameters, 10 to 30 s per run; each mutant would pay that).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@gradcheck\/core$/, replacement: source('./packages/core/src/index.ts') },
      { find: /^@gradcheck\/core\/internal$/, replacement: source('./packages/core/src/internal.ts') },
      { find: /^@gradcheck\/reference-network$/, replacement: source('./examples/reference-network/src/index.ts') },
      { find: /^@gradcheck\/jest\/matchers$/, replacement: source('./packages/jest/src/matchers.ts') },
      { find: /^@gradcheck\/jest$/, replacement: source('./packages/jest/src/index.ts') },
    ],
  },
  test: {
    include: [
      'packages/core/test/appended-numbers.test.ts',
      'packages/core/test/assert.test.ts',
      'packages/core/test/cancelled-loss.test.ts',
      'packages/core/test/check.test.ts',
      'packages/core/test/compare.test.ts',
      'packages/core/test/cotangent.test.ts',
      'packages/core/test/dead-unit.test.ts',
      'packages/core/test/diagnose.test.ts',
      'packages/core/test/direction-rules.test.ts',
      'packages/core/test/difference.test.ts',
      'packages/core/test/directional.test.ts',
      'packages/core/test/entry-check.test.ts',
      'packages/core/test/entry-rules.test.ts',
      'packages/core/test/entry-steps.test.ts',
      'packages/core/test/errors.test.ts',
      'packages/core/test/extrapolated.test.ts',
      'packages/core/test/far-steps.test.ts',
      'packages/core/test/evaluation.test.ts',
      'packages/core/test/examples.test.ts',
      'packages/core/test/findings.test.ts',
      'packages/core/test/fixed-step.test.ts',
      'packages/core/test/flat-entries.test.ts',
      'packages/core/test/layer-check.test.ts',
      'packages/core/test/layers.test.ts',
      'packages/core/test/kink-read-as-noise.test.ts',
      'packages/core/test/narrowing.test.ts',
      'packages/core/test/kinks.test.ts',
      'packages/core/test/matcher.test.ts',
      'packages/core/test/model.test.ts',
      'packages/core/test/noise.test.ts',
      'packages/core/test/noise-probe.test.ts',
      'packages/core/test/noise-widening.test.ts',
      'packages/core/test/options.test.ts',
      'packages/core/test/outcome.test.ts',
      'packages/core/test/parameters.test.ts',
      'packages/core/test/pass-rule.test.ts',
      'packages/core/test/perturbed.test.ts',
      'packages/core/test/projections.test.ts',
      'packages/core/test/pending.test.ts',
      'packages/core/test/quantum.test.ts',
      'packages/core/test/random.test.ts',
      'packages/core/test/report.test.ts',
      'packages/core/test/restore-paths.test.ts',
      'packages/core/test/sampled.test.ts',
      'packages/core/test/rules.test.ts',
      'packages/core/test/session.test.ts',
      'packages/core/test/smooth-parting.test.ts',
      'packages/core/test/still-side.test.ts',
      'packages/core/test/taylor.test.ts',
      'packages/core/test/tensors.test.ts',
      'packages/core/test/typed-gradients.test.ts',
      'packages/core/test/wider-scale.test.ts',
      'test/noise-shown.test.ts',
      'test/real-code.pinned.test.ts',
      'test/verdict.test.ts',
      'test/reference-case.test.ts',
      'test/matcher-expect.test.ts',
    ],
    testTimeout: 60_000,
  },
});

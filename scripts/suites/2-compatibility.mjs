// The runner-compatibility matrix (scripts/compat-suites.mjs): the Chai plugin's type test, the
// `node --test` example and one suite per fixture project in test/compat/. Those suites report
// passed and failed only; they skip nothing, so skipped is 0.
import { compatSuites } from '../compat-suites.mjs';

/** @param {{ root: string, out: string }} _context */
export default function compatibilitySuites(_context) {
  return compatSuites.map((suite) => ({
    package: 'test/compat',
    ...suite,
    counts: (status) => {
      const counts = suite.counts(status);
      return counts && { skipped: 0, files: [], ...counts };
    },
  }));
}

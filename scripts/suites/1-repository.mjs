// The repository's own suites, in the order the driver runs them (modules run in file-name order). Another module in
// this folder adds its suites the same way (a default export from the context to a list of suites).
import { jestSuite, typeSuite, vitest5Suite, vitestSuite } from '../test-suite-kinds.mjs';

/** @param {{ root: string, out: string }} context */
export default function repositorySuites(context) {
  return [
    vitestSuite(context, { name: 'vitest (core)', pkg: 'packages/core', args: ['packages/core/test'] }),
    // (A Vitest filter is a substring of the path: 'test' alone would match packages/core/test too.)
    vitestSuite(context, { name: 'vitest (tfjs)', pkg: 'packages/tfjs', args: ['packages/tfjs/test'] }),
    vitestSuite(context, { name: 'vitest (integration)', pkg: 'test', args: ['--exclude', 'packages/**', 'test'] }),
    jestSuite(context, { name: 'jest (adapter: global expect, @jest/globals)', dir: 'packages/jest' }),
    vitest5Suite(context, { name: 'vitest 5 (adapter)', dir: 'packages/vitest' }),
    jestSuite(context, { name: 'jest example (CommonJS)', dir: 'examples/jest-cjs' }),
    jestSuite(context, { name: 'jest example (TypeScript)', dir: 'examples/jest-ts' }),
    jestSuite(context, { name: 'jest example (TensorFlow.js)', dir: 'examples/tfjs' }),
    vitest5Suite(context, { name: 'vitest 5 example', dir: 'examples/vitest' }),
    vitest5Suite(context, { name: 'vitest 5 example (layers)', dir: 'examples/layers' }),
    typeSuite(context, { dir: 'packages/jest/type-tests/global', pkg: 'packages/jest' }),
    typeSuite(context, { dir: 'packages/jest/type-tests/jest-globals', pkg: 'packages/jest' }),
    typeSuite(context, { dir: 'packages/jest/type-tests/expect', pkg: 'packages/jest' }),
    typeSuite(context, { dir: 'packages/vitest/type-tests', pkg: 'packages/vitest' }),
    typeSuite(context, { dir: 'examples/jest-ts' }),
    typeSuite(context, { dir: 'examples/vitest' }),
    typeSuite(context, { dir: 'examples/layers' }),
    typeSuite(context, { dir: 'examples/tfjs' }),
  ];
}

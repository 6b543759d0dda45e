// Builds the package in the current directory to dist/esm (ES modules) and dist/cjs (CommonJS),
// each with its declarations, using two plain `tsc -p` runs. dist/cjs gets a package.json that
// marks it CommonJS so that Node and TypeScript read its .js and .d.ts files as such.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
rmSync('dist', { recursive: true, force: true });
for (const format of ['esm', 'cjs']) {
  const config = `tsconfig.${format}.json`;
  if (!existsSync(config)) continue;
  try {
    execFileSync(process.execPath, [tsc, '-p', config], { stdio: 'inherit' });
  } catch {
    console.error(`build failed: tsc -p ${config} in ${process.cwd()}`);
    process.exit(1);
  }
  if (format === 'cjs') {
    mkdirSync('dist/cjs', { recursive: true });
    writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
  }
}

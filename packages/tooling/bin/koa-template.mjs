#!/usr/bin/env node
// koa-template create|upgrade|release|skeleton-deps [options]: the template's tooling, run from its TypeScript sources
// through tsx (a dependency of this package), whatever the working directory.
import module, { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { engines } = require('../package.json');
if (!require('semver').satisfies(process.versions.node, engines.node)) {
  console.error(
    `koa-template needs Node ${engines.node}; this is Node ${process.versions.node}. Run it through npm ` +
      '(npm run create -- ...), which uses the Node that npm run setup installed, or put node_modules/.bin ' +
      'first on PATH.',
  );
  process.exit(2);
}
// Node keeps the code it compiles for each module on disk (in the system's temporary directory) and reuses
// it: Backstage's thousands of modules then load faster on every later run.
module.enableCompileCache();
require('tsx/cjs/api').require('../src/cli/main.ts', import.meta.url);

#!/usr/bin/env node
// koa-template create|upgrade|release [options]: the template's tooling, run from its TypeScript sources
// through tsx (a dependency of this package), whatever the working directory.
import { enableCompileCache } from 'node:module';
import { require as tsxRequire } from 'tsx/cjs/api';

// Node keeps the code it compiles for each module on disk (in the system's temporary directory) and reuses
// it: Backstage's thousands of modules then load faster on every later run.
enableCompileCache();
tsxRequire('../src/cli/main.ts', import.meta.url);

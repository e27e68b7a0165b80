#!/usr/bin/env node
// koa-template create|upgrade|release|start [options]: the template's tooling, run from its TypeScript
// sources through tsx (a dependency of this package), whatever the working directory.
import { require as tsxRequire } from 'tsx/cjs/api';

tsxRequire('../src/cli/main.ts', import.meta.url);

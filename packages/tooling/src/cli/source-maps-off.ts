// tsx turns Node's source maps on, for stack traces in TypeScript terms; Node then reads the source map of
// every module it loads, Backstage's thousands included. The commands print errors as messages, not stacks.
// Imported first by main.ts, so that it runs before anything else is loaded.
process.setSourceMapsEnabled(false);

// Imported into every test file's process by npm test. With --test-force-exit (needed: an embedded
// Backstage leaves timers behind after it stops), a test process calls process.exit() as soon as its last
// test ends, and results still queued on its stdout pipe to the runner are lost without a word: the
// summary counts fewer tests and still exits 0 (nodejs/node#64833; seen here as 296 of 313).
//
// So the exit waits, at most DRAIN_LIMIT_MS, until stdout has handed every byte to the pipe. An earlier
// version made stdout blocking instead; a CI run then hung for 87 minutes after a file's last test, so
// nothing here may block: the wait is on the event loop and bounded.
const DRAIN_LIMIT_MS = 15_000;

if (process.env.NODE_TEST_CONTEXT?.startsWith('child')) {
  const exit = process.exit.bind(process);
  process.exit = code => {
    if (process.stdout.writableLength === 0) return exit(code);
    const started = Date.now();
    const poll = setInterval(() => {
      const waited = Date.now() - started;
      if (process.stdout.writableLength > 0 && waited < DRAIN_LIMIT_MS) return;
      clearInterval(poll);
      if (waited >= DRAIN_LIMIT_MS) {
        process.stderr.write(
          `complete-results: ${process.stdout.writableLength} bytes of results not delivered after ${waited} ms\n`,
        );
      }
      exit(code);
    }, 5);
    return undefined;
  };
} else {
  // The runner itself. It is plain JavaScript so that the runner transforms no TypeScript: tsx would start
  // esbuild's service there, for no test. An error the runner catches after its summary sets exit code 1
  // without a word (its diagnostic comes too late to be reported), so say what it was.
  for (const event of ['uncaughtException', 'unhandledRejection']) {
    process.on(event, error => {
      process.stderr.write(`npm test's runner: ${event}: ${error?.stack ?? error}\n`);
      process.exitCode = 1;
    });
  }
  process.on('exit', code => {
    if (code) process.stderr.write(`npm test's runner exits with code ${code}\n`);
  });
}

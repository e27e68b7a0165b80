// Imported into every test file's process by npm test. With --test-force-exit (needed: an embedded
// Backstage leaves timers behind after it stops), a test process exits as soon as its last test ends,
// and results still queued on its stdout pipe to the runner are lost without a word: the summary counts
// fewer tests and still exits 0 (nodejs/node#64833; seen here as 296 of 313). Blocking writes to that
// pipe make every result reach the runner before the process exits.
const stdout = process.stdout as unknown as { _handle?: { setBlocking?: (blocking: boolean) => void } };
stdout._handle?.setBlocking?.(true);

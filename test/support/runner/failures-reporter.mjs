// A second reporter for npm test, after spec: at the very end of the output it lists everything that failed,
// suites included. A suite whose after() hook throws fails without a failed test (the summary says
// "fail 0" and the run still exits 1), and spec prints it where it happened, far up a long log.
export default async function* failuresReporter(source) {
  const failures = [];
  for await (const event of source) {
    if (event.type === 'test:fail') {
      const { name, file, details } = event.data;
      const error = details?.error;
      const cause = error?.cause ?? error;
      const what = details?.type === 'suite' ? 'suite' : 'test';
      failures.push(`${what} "${name}" (${file ?? 'runner'}): ${cause?.message ?? String(cause)}`.slice(0, 2000));
    }
    if (event.type === 'test:diagnostic' && event.data.level === 'error')
      failures.push(`diagnostic: ${event.data.message}`);
  }
  if (failures.length) {
    const counted = `${failures.length} failure${failures.length === 1 ? '' : 's'}`;
    yield `\nnpm test: ${counted}, suites and hooks included:\n${failures.map(f => `  - ${f}`).join('\n')}\n`;
  }
}

// A task's event log as Backstage's task page shows it: one line per step with its outcome and time. The
// scaffolder's per-file lines are shown only when verbose; notes of the local stand-in and a failed step's
// own lines always are. Times are taken as the events arrive: the events' own timestamps come from the
// database in whole seconds.
import { stripVTControlCharacters } from 'node:util';
import { STAND_IN_NOTE } from './stand-in';

const OUTCOME: Partial<Record<string, string>> = { completed: '✔', failed: '✖', skipped: '-', cancelled: '✖' };

/** What the printer reads of a task's event (api.ts's TaskEvent has it). */
interface StepEvent {
  type: string;
  body: { message: string; stepId?: string; status?: string };
}

export function taskPrinter({ verbose, write }: { verbose: boolean; write: (line: string) => void }) {
  const started = new Map<string, { name: string; at: number; lines: string[] }>();
  return (event: StepEvent) => {
    if (event.type !== 'log') return;
    const { message, stepId, status } = event.body;
    const text = stripVTControlCharacters(message);
    const at = performance.now();
    if (verbose) write(`  ${stepId ? `[${stepId}] ` : ''}${text}`);
    if (!stepId) return;
    const begun = /^Beginning step (.*)$/.exec(text);
    if (begun) {
      started.set(stepId, { name: begun[1], at, lines: [] });
      return;
    }
    const step = started.get(stepId);
    if (!step) return;
    const outcome = status && OUTCOME[status];
    if (outcome) {
      if (!verbose) {
        const seconds = ((at - step.at) / 1000).toFixed(1);
        write(`  ${outcome} ${step.name} (${stepId}) ${status} in ${seconds} s`);
        const shown = status === 'failed' ? step.lines : step.lines.filter(line => line.includes(STAND_IN_NOTE));
        for (const line of shown) write(`      ${line.replace(/^info: /, '')}`);
      }
      return;
    }
    step.lines.push(text);
  };
}

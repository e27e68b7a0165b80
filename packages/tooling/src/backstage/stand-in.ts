// The mark on every line where a local program stands in for a production service (in the scaffolder's task
// log and in the tooling's output), so a reader can tell the stand-ins from Backstage's own code.
export const STAND_IN_NOTE = 'LOCAL STAND-IN';

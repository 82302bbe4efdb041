// Step logs open with a header (step, host, attempt, start, the command) and end with a footer
// (exit code, signal, duration); the command's output lies between, byte for byte.

const OUTPUT = Buffer.from('### runbook: output:\n');
const ENDED = Buffer.from('### runbook: ended ');

/** The output bytes of a step log: after the header's `output:` line, before the footer. */
export function logOutput(log: Buffer): Buffer {
  const start = log.indexOf(OUTPUT);
  const end = log.lastIndexOf(ENDED);
  if (start < 0 || end < start) throw new Error(`not a step log with header and footer:\n${log.subarray(0, 400).toString()}`);
  return log.subarray(start + OUTPUT.length, end);
}

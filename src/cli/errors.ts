// How errors reach the operator: one clear message and a hint; a stack trace only for bugs.
import { BadInputError, EXIT, isRunbookError } from '../engine/errors.js';

export function formatError(e: unknown): { text: string; code: number } {
  if (e instanceof BadInputError) {
    return { text: `runbook: ${e.located}${e.hint ? `\n  hint: ${e.hint}` : ''}`, code: e.exitCode };
  }
  if (isRunbookError(e) && e.kind !== 'bug') {
    const file = (e as { file?: string }).file;
    return { text: `runbook: ${e.message}${file && !e.message.includes(file) ? ` (${file})` : ''}${e.hint ? `\n  hint: ${e.hint}` : ''}`, code: e.exitCode };
  }
  const err = e as Error;
  return {
    text: `runbook: internal error (a bug in runbook, not in your runbook): ${err?.message ?? String(e)}\n${err?.stack ?? ''}\n  hint: please report this with the command you ran`,
    code: EXIT.BUG,
  };
}

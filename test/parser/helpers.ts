// Shared helpers for parser tests.
import { expect } from 'vitest';
import { BadInputError } from '../../src/engine/errors.js';

/** Run `fn`, expect a BadInputError, and return it for further assertions. */
export function badInput(fn: () => unknown): BadInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return e as BadInputError;
  }
  throw new Error('expected a BadInputError, but nothing was thrown');
}

/** Async variant of badInput. */
export async function badInputAsync(fn: () => Promise<unknown>): Promise<BadInputError> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BadInputError);
    return e as BadInputError;
  }
  throw new Error('expected a BadInputError, but nothing was thrown');
}

/** Join lines with \n (keeps fixtures readable and line numbers countable). */
export const md = (...lines: string[]): string => lines.join('\n') + '\n';

// Wrapping of step scripts before they are fed to `bash -s` (shared by the local and ssh transports).
import { BadInputError } from '../errors.js';
import { MARKER_EPILOGUE, markerPrologue } from './attemptMarker.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quote a string for bash. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The text fed to `bash -s`: env exports, then the script inside a `{ ...; } </dev/null` group.
 * The group makes bash read the whole script before running it, so a command that reads stdin
 * (cat, read, ssh...) gets EOF instead of swallowing the rest of the script.
 * With an attempt `marker` (attemptMarker.ts) the script runs in a `( ... )` subshell instead, between
 * a one-line prologue that writes the marker and an epilogue that records the exit code in it.
 */
export function wrapScript(script: string, env?: Readonly<Record<string, string>>, marker?: string): string {
  const head = exportLines(env);
  const body = script.endsWith('\n') ? script : `${script}\n`;
  if (marker) return `${head}${markerPrologue(marker)}(\n${body}) </dev/null; ${MARKER_EPILOGUE}\n`;
  return `${head}{\n${body}} </dev/null\n`;
}

/**
 * The step text a persistent session runs (sessionProtocol.ts): what wrapScript feeds `bash -s`
 * without a marker, minus the `</dev/null` (the session gives the step's whole subshell /dev/null),
 * so the script is parsed whole before it runs and its line numbers are the same as in exec mode.
 * The session shell writes the attempt marker itself.
 */
export function stepText(script: string, env?: Readonly<Record<string, string>>): string {
  const body = script.endsWith('\n') ? script : `${script}\n`;
  return `${exportLines(env)}{\n${body}}\n`;
}

/** `export NAME='value'` lines for env (each ends with a newline), or ''. */
function exportLines(env?: Readonly<Record<string, string>>): string {
  const exports: string[] = [];
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(k)) {
      throw new BadInputError(`invalid environment variable name ${JSON.stringify(k)}`, {
        hint: 'names must match [A-Za-z_][A-Za-z0-9_]*',
      });
    }
    exports.push(`export ${k}=${shellQuote(v)}`);
  }
  return `${exports.join('\n')}${exports.length ? '\n' : ''}`;
}

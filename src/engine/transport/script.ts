// Wrapping of step scripts before they are fed to `bash -s` (shared by the local and ssh transports).
import { BadInputError } from '../errors.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quote a string for bash. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The text fed to `bash -s`: env exports, then the script inside a `{ ...; } </dev/null` group.
 * The group makes bash read the whole script before running it, so a command that reads stdin
 * (cat, read, ssh...) gets EOF instead of swallowing the rest of the script.
 */
export function wrapScript(script: string, env?: Readonly<Record<string, string>>): string {
  const exports: string[] = [];
  for (const [k, v] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(k)) {
      throw new BadInputError(`invalid environment variable name ${JSON.stringify(k)}`, {
        hint: 'names must match [A-Za-z_][A-Za-z0-9_]*',
      });
    }
    exports.push(`export ${k}=${shellQuote(v)}`);
  }
  const body = script.endsWith('\n') ? script : `${script}\n`;
  return `${exports.join('\n')}${exports.length ? '\n' : ''}{\n${body}} </dev/null\n`;
}

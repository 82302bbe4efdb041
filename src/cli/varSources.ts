// Where variables come from besides --var (which `ps` shows to every user): `--var-file FILE` and
// `RUNBOOK_VAR_<name>` environment variables. Precedence, later wins: saved prompt values <
// RUNBOOK_VAR_* < --var-file (in the order given) < --var.
import { BadInputError } from '../engine/errors.js';
import { RESERVED_VARS } from '../engine/template/vars.js';

/** `RUNBOOK_VAR_db_password=...` sets `db_password`. */
export const ENV_VAR_PREFIX = 'RUNBOOK_VAR_';
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

let captured: Record<string, string> | undefined;

/**
 * Move every RUNBOOK_VAR_* out of the process environment into memory, so that no process this
 * one starts (local steps, ShellCheck, ProxyCommand) inherits a secret. Called once at start-up.
 */
export function captureEnvVars(env: NodeJS.ProcessEnv = process.env): void {
  const out: Record<string, string> = { ...(captured ?? {}) };
  for (const key of Object.keys(env)) {
    if (!key.startsWith(ENV_VAR_PREFIX)) continue;
    out[key] = env[key] ?? '';
    delete env[key];
  }
  captured = out;
}

/** The variables set by RUNBOOK_VAR_* (captured at start-up, else read from the environment). */
export function envVars(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const source: Record<string, string | undefined> = captured ?? env;
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (!key.startsWith(ENV_VAR_PREFIX) || value === undefined) continue;
    const name = key.slice(ENV_VAR_PREFIX.length);
    if (!VAR_NAME.test(name)) {
      throw new BadInputError(`environment variable ${key}: \`${name}\` is not a variable name`, { hint: `name it ${ENV_VAR_PREFIX}<letters, digits and _>, e.g. ${ENV_VAR_PREFIX}db_password` });
    }
    if ((RESERVED_VARS as readonly string[]).includes(name)) {
      throw new BadInputError(`environment variable ${key}: \`${name}\` is a reserved variable name`, { hint: `reserved names: ${RESERVED_VARS.join(', ')}` });
    }
    vars[name] = value;
  }
  return vars;
}

/** Every --var-file, in order (later files win); names marked `{value, secret: true}` in `secret`. */
export async function varFiles(files: readonly string[]): Promise<{ vars: Record<string, string>; secret: string[] }> {
  const vars: Record<string, string> = {};
  const secret: string[] = [];
  // loaded here, not at start-up: main() captures the env vars before every command, even --version
  const { loadOperatorVarsFile } = await import('../engine/state/varsFile.js');
  for (const f of files) {
    const loaded = await loadOperatorVarsFile(f);
    for (const [k, v] of Object.entries(loaded.vars)) {
      if ((RESERVED_VARS as readonly string[]).includes(k)) throw new BadInputError(`--var-file: \`${k}\` is a reserved variable name`, { file: f, hint: `reserved names: ${RESERVED_VARS.join(', ')}` });
      vars[k] = v;
    }
    secret.push(...loaded.secret);
  }
  return { vars, secret };
}

// Variables, captures, secrets and templating for one player session.
import { BadInputError } from '../errors.js';
import { resolvePattern } from '../inventory/patterns.js';
import { createMasker, isSecretName } from '../secrets.js';
import { renderTemplate, templateVariables } from '../template/render.js';
import { buildHostViews, buildVars, type Captures, type HostViews } from '../template/vars.js';
import { isDone, type Host, type HostStepRecord, type Inventory, type Runbook, type Step } from '../types.js';
import { fileWriteScript, validateFileSpec, type FileWriteSpec } from './fileScript.js';

/** A step rendered for one host, unmasked: what actually runs. */
export interface RealRender {
  /** What the transport runs: the shell prelude and body, or the file-writing script. */
  readonly script: string;
  /**
   * What the operator reads: the rendered body as written; for a file block, the rendered file
   * content (never the transport script, whose base64 would carry any secret past the masker).
   */
  readonly shown: string;
  readonly unless?: string;
  readonly verify?: string;
  readonly file?: FileWriteSpec;
  /** Directory the body runs in (`cd` first), when the step has `cwd`. */
  readonly cwd?: string;
}

/** How plan and the player show a value step `stepId` has not captured yet. */
export function capturePlaceholder(name: string, stepId: string): string {
  return `<${name}: captured by step ${stepId}>`;
}

const RESERVED = new Set(['host', 'groups', 'hosts']);
/** Shell options every step body runs under (as in GitHub Actions' bash): fail on the first error. */
const STEP_PRELUDE = 'set -eo pipefail\n';

export class RenderContext {
  private readonly byHost: Record<string, Record<string, string>> = {};
  private readonly global: Record<string, string> = {};
  private readonly secretCaptures = new Set<string>();
  private readonly extraVars: Record<string, string> = {};
  private secretCache?: string[];
  /** Each host's variables, built once until a variable or capture changes (preflight renders every step for every host). */
  private readonly varsCache = new Map<string, Record<string, unknown>>();
  /** The inventory's host views, shared by every host's variables; rebuilt with them. */
  private viewsCache?: HostViews;
  private maskerCache?: { readonly values: string[]; readonly mask: (text: string) => string };

  constructor(
    readonly runbook: Runbook,
    readonly inventory: Inventory,
    private readonly cliVars: Readonly<Record<string, string>>,
  ) {}

  /** Hosts a step's pattern resolves to (no session filter). Throws BadInputError on unknown names. */
  stepHosts(step: Step): Host[] {
    let resolved: ReturnType<typeof resolvePattern>;
    try {
      resolved = resolvePattern(this.inventory, step.hosts);
    } catch (e) {
      if (e instanceof BadInputError && !e.file) {
        throw new BadInputError(`step \`${step.id}\`: ${e.message}`, { file: step.loc.file, line: step.loc.line, hint: e.hint });
      }
      throw e;
    }
    const { hosts, unknown } = resolved;
    if (unknown.length > 0) {
      throw new BadInputError(`step \`${step.id}\`: hosts=${step.hosts} names ${unknown.map((u) => `\`${u}\``).join(', ')}, which the inventory does not define`, {
        file: step.loc.file,
        line: step.loc.line,
        hint: 'check the group and host names in the inventory (-i), or the step\'s hosts= attribute',
      });
    }
    return hosts;
  }

  setVar(name: string, value: string): void {
    this.extraVars[name] = value;
    this.secretCache = undefined;
    this.varsCache.clear();
    this.viewsCache = undefined;
  }

  addCapture(host: string, name: string, value: string, opts: { global: boolean; secret: boolean }): void {
    (this.byHost[host] ??= {})[name] = value;
    if (opts.global) this.global[name] = value;
    if (opts.secret) this.secretCaptures.add(value);
    this.secretCache = undefined;
    this.varsCache.clear();
    this.viewsCache = undefined;
  }

  /**
   * For plan and lint (which connect to nothing): make every capture that has no value yet render
   * as a placeholder instead of an undefined variable (visible for plan, a plain word for lint).
   */
  placeholderCaptures(steps: readonly Step[], style: 'display' | 'shell' = 'display'): void {
    const p = this.withPlaceholders(steps, style);
    Object.assign(this.global, p.global);
    for (const [h, vals] of Object.entries(p.byHost)) this.byHost[h] = { ...vals };
    this.varsCache.clear();
    this.viewsCache = undefined;
  }

  /** The captures so far, with every capture not made yet as its placeholder (what plan shows). */
  private withPlaceholders(steps: readonly Step[], style: 'display' | 'shell'): Captures {
    const global: Record<string, string> = { ...this.global };
    const byHost: Record<string, Record<string, string>> = {};
    for (const [h, vals] of Object.entries(this.byHost)) byHost[h] = { ...vals };
    for (const s of steps) {
      const name = s.attrs.capture;
      if (!name || name in global) continue;
      // 'shell' placeholders are plain words, so ShellCheck sees valid shell where a value goes.
      const value = style === 'shell' ? `captured_${name}` : capturePlaceholder(name, s.id);
      global[name] = value;
      for (const h of this.inventory.hosts) (byHost[h.name] ??= {})[name] ??= value;
    }
    return { global, byHost };
  }

  /**
   * The step as `plan` shows it on this host: like render, but a value an earlier step has not
   * captured yet stands in as its placeholder (`<token: captured by step get-token>`). For display
   * only: what runs is always `render`, which refuses an undefined value.
   */
  renderPreview(step: Step, host: Host): RealRender {
    const key = `\u0000preview\u0000${host.name}`;
    let vars = this.varsCache.get(key);
    if (!vars) {
      vars = buildVars({ runbook: this.runbook, inventory: this.inventory, host, cliVars: { ...this.cliVars, ...this.extraVars }, captures: this.withPlaceholders(this.runbook.steps, 'display') });
      this.varsCache.set(key, vars);
    }
    return this.renderWith(step, host, vars);
  }

  /**
   * Captured values recorded by earlier sessions (secret ones never reach the state file), with
   * the same single-host-is-global rule as when they were made. Returns what it restored.
   */
  restoreCaptures(records: Readonly<Record<string, Readonly<Record<string, HostStepRecord>>>>): { host: string; name: string; value: string }[] {
    const restored: { host: string; name: string; value: string }[] = [];
    for (const s of this.runbook.steps) {
      if (!s.attrs.capture) continue;
      let single = false;
      try {
        single = this.stepHosts(s).length === 1;
      } catch {
        /* unknown host names are reported where the step is rendered */
      }
      for (const [host, rec] of Object.entries(records[s.id] ?? {})) {
        const value = rec.captured?.value;
        if (value == null || !isDone(rec.status)) continue;
        this.addCapture(host, rec.captured!.name, value, { global: single, secret: false });
        restored.push({ host, name: rec.captured!.name, value });
      }
    }
    return restored;
  }

  captures(): Captures {
    return { byHost: this.byHost, global: this.global };
  }

  vars(host: Host): Record<string, unknown> {
    const cached = this.varsCache.get(host.name);
    if (cached) return cached;
    const captures = this.captures();
    this.viewsCache ??= buildHostViews(this.inventory, captures);
    const vars = buildVars({ runbook: this.runbook, inventory: this.inventory, host, cliVars: { ...this.cliVars, ...this.extraVars }, captures }, this.viewsCache);
    this.varsCache.set(host.name, vars);
    return vars;
  }

  /** Every value that must never be shown: secret-named or declared-secret vars, secret captures. */
  secretValues(): string[] {
    if (this.secretCache) return this.secretCache;
    const declared = new Set([...this.runbook.secretVars, ...this.inventory.secretVars]);
    const values = new Set<string>(this.secretCaptures);
    const consider = (name: string, value: unknown): void => {
      if ((declared.has(name) || isSecretName(name)) && (typeof value === 'string' || typeof value === 'number')) {
        values.add(String(value));
      }
    };
    for (const [k, v] of Object.entries(this.runbook.vars)) consider(k, v);
    for (const h of this.inventory.hosts) for (const [k, v] of Object.entries(h.vars)) consider(k, v);
    for (const [k, v] of Object.entries({ ...this.cliVars, ...this.extraVars })) consider(k, v);
    this.secretCache = [...values].filter((v) => v.length >= 4);
    return this.secretCache;
  }

  /** Replaces every secret value known so far with the mask (see secretValues). */
  masker(): (text: string) => string {
    const values = this.secretValues();
    if (this.maskerCache?.values !== values) this.maskerCache = { values, mask: createMasker(values) };
    return this.maskerCache.mask;
  }

  /** Render a step for a host. Throws BadInputError (undefined variable, bad file spec). */
  render(step: Step, host: Host): RealRender {
    return this.renderWith(step, host, this.vars(host));
  }

  private renderWith(step: Step, host: Host, vars: Record<string, unknown>): RealRender {
    const where = (what: string, line = step.loc.line) => ({ file: step.loc.file, line, what: `step \`${step.id}\` ${what} (host ${host.name})` });
    const attr = (what: string, text: string | undefined) => (text === undefined ? undefined : renderTemplate(text, vars, where(what)));
    const body = renderTemplate(step.body, vars, where(step.kind === 'file' ? 'file content' : 'script', step.loc.line + 1));
    const unless = attr('unless=', step.attrs.unless);
    const verify = attr('verify=', step.attrs.verify);
    if (step.kind === 'file') {
      const spec: FileWriteSpec = {
        path: attr('file=', step.attrs.file) ?? '',
        content: body,
        mode: attr('mode=', step.attrs.mode),
        owner: attr('owner=', step.attrs.owner),
      };
      const problem = validateFileSpec(spec);
      if (problem) throw new BadInputError(`step \`${step.id}\`: ${problem}`, { file: step.loc.file, line: step.loc.line });
      const script = fileWriteScript(spec);
      return { script, shown: spec.content, unless, verify, file: spec };
    }
    const cwd = attr('cwd=', step.attrs.cwd);
    const cd = cwd === undefined ? '' : `cd -- '${cwd.replace(/'/g, `'\\''`)}'\n`;
    return { script: STEP_PRELUDE + cd + body, shown: body, unless, verify, ...(cwd !== undefined && { cwd }) };
  }

  /** Variables that steps reference and nothing defines (for prompts and lint). */
  missingVars(steps: readonly Step[]): string[] {
    const defined = new Set<string>([...RESERVED, ...Object.keys(this.runbook.vars), ...Object.keys(this.cliVars), ...Object.keys(this.extraVars)]);
    for (const h of this.inventory.hosts) for (const k of Object.keys(h.vars)) defined.add(k);
    for (const s of steps) if (s.attrs.capture) defined.add(s.attrs.capture);
    const missing = new Set<string>();
    for (const s of steps) {
      for (const text of [s.body, s.attrs.unless, s.attrs.verify, s.attrs.file, s.attrs.mode, s.attrs.owner, s.attrs.cwd]) {
        if (!text) continue;
        let names: string[];
        try {
          names = templateVariables(text);
        } catch {
          continue; // syntax errors are reported by render/lint
        }
        for (const n of names) if (!defined.has(n)) missing.add(n);
      }
    }
    return [...missing];
  }
}

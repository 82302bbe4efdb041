// A Transport for tests of the real engine without hosts: per host + script-pattern outcomes,
// streamed output, held runs the test releases (so 'running' can be observed), and abort support.
import type { Host } from '../../src/engine/types.js';
import type { ExecOptions, ExecResult, Transport } from '../../src/engine/transport/types.js';

export interface ScriptRule {
  /** Host name (exact) or pattern; default: every host. */
  readonly host?: string | RegExp;
  /** Substring or pattern the script must contain; default: every script. */
  readonly script?: string | RegExp;
  /** Exit code when the run completes (default 0). */
  readonly exitCode?: number;
  /** Written to stdout as soon as the run starts (one chunk per element). */
  readonly stdout?: string | readonly string[];
  readonly stderr?: string;
  /** Keep running until release() (or until aborted). */
  readonly hold?: boolean;
  /** Use this rule only this many times, then fall through to the next matching rule. */
  readonly times?: number;
  /** Reject instead of running (a connection error, say). */
  readonly error?: Error;
}

export interface ExecCall {
  readonly host: string;
  readonly script: string;
  readonly sudo: boolean;
}

interface Held {
  readonly host: string;
  readonly script: string;
  finish(exitCode?: number): void;
  abort(): void;
}

export interface ScriptedTransport extends Transport {
  /** Every exec, in order. */
  readonly calls: ExecCall[];
  /** Add a rule; rules added later take precedence. */
  on(rule: ScriptRule): ScriptedTransport;
  /** Hosts with a held run in progress. */
  held(): string[];
  /** Finish held runs (of one host, or all) with the rule's exit code or `exitCode`. */
  release(host?: string, exitCode?: number): void;
  /** Resolves once `host` has a held run in progress (bounded). */
  waitForHeld(host: string, timeoutMs?: number): Promise<void>;
  /** Execs whose script contains `fragment` (the engine prepends a prelude to step bodies). */
  callsMatching(fragment: string): ExecCall[];
  readonly closed: boolean;
}

function matches(p: string | RegExp | undefined, s: string): boolean {
  if (p === undefined) return true;
  return typeof p === 'string' ? p === s : p.test(s);
}

export function createScriptedTransport(rules: readonly ScriptRule[] = []): ScriptedTransport {
  const active: { rule: ScriptRule; used: number }[] = rules.map((rule) => ({ rule, used: 0 }));
  const calls: ExecCall[] = [];
  const held = new Set<Held>();
  const heldWaiters = new Set<() => void>();
  let closed = false;

  const pick = (host: string, script: string): ScriptRule | undefined => {
    for (let i = active.length - 1; i >= 0; i--) {
      const a = active[i];
      if (a.rule.times !== undefined && a.used >= a.rule.times) continue;
      if (!matches(a.rule.host, host)) continue;
      const sp = a.rule.script;
      if (sp !== undefined && !(typeof sp === 'string' ? script.includes(sp) : sp.test(script))) continue;
      a.used++;
      return a.rule;
    }
    return undefined;
  };

  const t: ScriptedTransport = {
    calls,
    get closed() { return closed; },
    on(rule) {
      active.push({ rule, used: 0 });
      return t;
    },
    held: () => [...held].map((h) => h.host),
    release(host, exitCode) {
      for (const h of [...held]) if (host === undefined || h.host === host) h.finish(exitCode);
    },
    async waitForHeld(host, timeoutMs = 5000) {
      if ([...held].some((h) => h.host === host)) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { heldWaiters.delete(check); reject(new Error(`no held run on ${host} within ${timeoutMs}ms`)); }, timeoutMs);
        const check = (): void => {
          if ([...held].some((h) => h.host === host)) { clearTimeout(timer); heldWaiters.delete(check); resolve(); }
        };
        heldWaiters.add(check);
      });
    },
    callsMatching: (fragment) => calls.filter((c) => c.script.includes(fragment)),
    async exec(host: Host, script: string, opts: ExecOptions = {}): Promise<ExecResult> {
      if (closed) throw new Error('scripted transport is closed');
      calls.push({ host: host.name, script, sudo: Boolean(opts.sudo) });
      const rule = pick(host.name, script) ?? {};
      if (rule.error) throw rule.error;
      const started = Date.now();
      const out = rule.stdout === undefined ? [] : typeof rule.stdout === 'string' ? [rule.stdout] : rule.stdout;
      for (const chunk of out) opts.onData?.(Buffer.from(chunk), 'stdout');
      if (rule.stderr) opts.onData?.(Buffer.from(rule.stderr), 'stderr');
      const result = (exitCode: number | null, aborted: boolean): ExecResult => ({
        exitCode, signal: aborted ? 'SIGTERM' : null, durationMs: Date.now() - started, aborted,
      });
      if (opts.signal?.aborted) return result(null, true);
      if (!rule.hold) return result(rule.exitCode ?? 0, false);
      return new Promise<ExecResult>((resolve) => {
        const onAbort = (): void => done(null, true);
        const entry: Held = { host: host.name, script, finish: (code) => done(code ?? rule.exitCode ?? 0, false), abort: onAbort };
        const done = (code: number | null, aborted: boolean): void => {
          if (!held.delete(entry)) return;
          opts.signal?.removeEventListener('abort', onAbort);
          resolve(result(code, aborted));
        };
        held.add(entry);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        for (const w of [...heldWaiters]) w();
      });
    },
    async close() {
      closed = true;
      for (const h of [...held]) h.abort();
    },
  };
  return t;
}

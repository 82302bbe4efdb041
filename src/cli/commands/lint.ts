// `runbook lint`: attributes, ids, host patterns, undefined variables, and ShellCheck on every shell
// step (when installed), each finding mapped to the runbook's file:line.
import { spawnSync } from 'node:child_process';
import { BadInputError, EXIT } from '../../engine/errors.js';
import { RenderContext } from '../../engine/run/renderContext.js';
import type { Step } from '../../engine/types.js';
import { loadSession, type CommonOptions } from '../session.js';

export interface LintOptions extends CommonOptions {
  readonly shellcheck?: boolean;
}

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly level: 'error' | 'warning' | 'info' | 'style';
  readonly message: string;
}

interface ShellcheckComment {
  readonly line: number;
  readonly level: Finding['level'];
  readonly code: number;
  readonly message: string;
}

function located(e: unknown): { file?: string; line?: number; message: string } {
  if (e instanceof BadInputError) return { file: e.file, line: e.line, message: e.message };
  return { message: e instanceof Error ? e.message : String(e) };
}

export function shellcheckAvailable(): boolean {
  return spawnSync('shellcheck', ['--version'], { stdio: 'ignore' }).status === 0;
}

function runShellcheck(step: Step, script: string, host: string): Finding[] {
  const res = spawnSync('shellcheck', ['-f', 'json1', '-s', 'bash', '-'], { input: `#!/bin/bash\n${script}`, encoding: 'utf8' });
  if (res.error) return [];
  const parsed = JSON.parse(res.stdout || '{"comments":[]}') as { comments: ShellcheckComment[] };
  // When templating kept the line count (the usual case), rendered line k is body line k, at fence
  // line + k. When a loop or condition changed it, say which rendered line, at the fence line.
  const lineCount = (t: string): number => t.replace(/\n$/, '').split('\n').length;
  const sameLines = lineCount(script) === lineCount(step.body);
  return parsed.comments.map((c) => ({
    file: step.loc.file,
    line: sameLines ? step.loc.line + (c.line - 1) : step.loc.line,
    level: c.level,
    message: `SC${c.code}: ${c.message} (step \`${step.id}\`${sameLines ? '' : `, line ${c.line - 1} of the script as rendered for ${host}`})`,
  }));
}

export async function lintCommand(path: string, o: LintOptions, out: (l: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const { runbook, inventory, cliVars } = await loadSession(path, o);
  const ctx = new RenderContext(runbook, inventory, cliVars);
  ctx.placeholderCaptures(runbook.steps, 'shell');
  const useShellcheck = o.shellcheck !== false && shellcheckAvailable();
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const add = (f: Finding): void => {
    const key = `${f.file}:${f.line}:${f.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      findings.push(f);
    }
  };
  for (const s of runbook.steps) {
    let hosts;
    try {
      hosts = ctx.stepHosts(s);
    } catch (e) {
      const l = located(e);
      add({ file: l.file ?? s.loc.file, line: l.line ?? s.loc.line, level: 'error', message: l.message });
      continue;
    }
    if (s.attrs.capture && s.attrs.unless !== undefined) {
      add({ file: s.loc.file, line: s.loc.line, level: 'warning', message: `step \`${s.id}\`: capture=${s.attrs.capture} with unless: when the guard passes the body does not run, nothing is captured, and later steps using \`${s.attrs.capture}\` fail` });
    }
    if (hosts.length === 0) add({ file: s.loc.file, line: s.loc.line, level: 'warning', message: `step \`${s.id}\`: hosts=${s.hosts} matches no host in ${inventory.file ?? 'the default local inventory'}` });
    let checked = false;
    for (const h of hosts) {
      try {
        const r = ctx.render(s, h);
        if (useShellcheck && !checked && s.kind === 'shell') {
          checked = true;
          for (const f of runShellcheck(s, r.shown, h.name)) add(f);
        }
      } catch (e) {
        const l = located(e);
        add({ file: l.file ?? s.loc.file, line: l.line ?? s.loc.line, level: 'error', message: l.message.replace(/ \(host [^)]*\)/, '') });
      }
    }
  }
  // Findings may quote rendered text (ShellCheck quotes words of the script): masked like every output.
  const mask = ctx.masker();
  for (const f of findings) out(mask(`${f.file}:${f.line}: ${f.level}: ${f.message}`));
  const errors = findings.filter((f) => f.level === 'error' && !f.message.startsWith('SC')).length;
  const sc = findings.filter((f) => f.message.startsWith('SC')).length;
  out(`${runbook.steps.length} steps checked${useShellcheck ? ' (with ShellCheck)' : ' (ShellCheck not installed: shell syntax not checked)'}: ${errors} error(s), ${sc} ShellCheck finding(s), ${findings.length - errors - sc} warning(s)`);
  if (errors) return EXIT.BAD_INPUT;
  return findings.length ? EXIT.STEP_FAILED : EXIT.OK;
}

// `runbook lint`: attributes, ids, host patterns, undefined variables, and ShellCheck (when
// installed) on every shell text a step holds, as rendered for every host it targets: the body,
// `unless=`/`verify=` guards and script files written by file blocks; each finding mapped to the
// runbook's file:line.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadInputError, EXIT } from '../../engine/errors.js';
import { RenderContext, type RealRender } from '../../engine/run/renderContext.js';
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

/** Text ShellCheck reads, where its lines sit in the runbook, and how to name it in a finding. */
interface ShellText {
  readonly text: string;
  /** Runbook line of the text's first line, when templating kept the line count. */
  readonly firstLine: number;
  /** The runbook text it was rendered from (to tell whether line numbers still match). */
  readonly source: string;
  readonly what: string;
}

interface PendingCheck {
  readonly step: Step;
  readonly text: ShellText;
  readonly host: string;
}

/** Findings for one checked text, mapped back to the runbook's lines. */
function toFindings(p: PendingCheck, comments: readonly ShellcheckComment[]): Finding[] {
  const { step, text: t, host } = p;
  // When templating kept the line count (the usual case), rendered line k is source line k. When a
  // loop or condition changed it, say which rendered line, at the step's fence line.
  const lineCount = (x: string): number => x.replace(/\n$/, '').split('\n').length;
  const sameLines = lineCount(t.text) === lineCount(t.source);
  const offset = t.text.startsWith('#!') ? 0 : 1;
  return comments.map((c) => ({
    file: step.loc.file,
    line: sameLines ? t.firstLine + (c.line - 1 - offset) : step.loc.line,
    level: c.level,
    message: `SC${c.code}: ${c.message} (${t.what} of step \`${step.id}\`${sameLines ? '' : `, line ${c.line - offset} of the ${t.what} as rendered for ${host}`})`,
  }));
}

/**
 * ShellCheck over every pending text, many files per process (one process per text made lint of
 * an 80-step runbook on five hosts take most of a minute). A file's own shebang names its shell;
 * step bodies and guards run under bash and get `#!/bin/bash`. The files live in a private 0700
 * directory for the duration of the check only.
 */
function shellcheckAll(pending: readonly PendingCheck[]): Finding[] {
  if (pending.length === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), 'runbook-lint-'));
  try {
    const files = pending.map((p, i) => {
      const file = join(dir, `${i}.sh`);
      writeFileSync(file, p.text.text.startsWith('#!') ? p.text.text : `#!/bin/bash\n${p.text.text}`, { mode: 0o600 });
      return file;
    });
    const comments = new Map<string, ShellcheckComment[]>();
    const CHUNK = 200;
    for (let i = 0; i < files.length; i += CHUNK) {
      const res = spawnSync('shellcheck', ['-f', 'json1', ...files.slice(i, i + CHUNK)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      if (res.error) continue;
      const parsed = JSON.parse(res.stdout || '{"comments":[]}') as { comments: (ShellcheckComment & { file: string })[] };
      for (const c of parsed.comments) {
        const list = comments.get(c.file) ?? [];
        list.push(c);
        comments.set(c.file, list);
      }
    }
    return pending.flatMap((p, i) => toFindings(p, comments.get(files[i]!) ?? []));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A file block holds a shell script when it starts with a sh/bash shebang or is named *.sh. */
function isShellFile(path: string, content: string): boolean {
  return /^#!\s*\S*\b(ba)?sh\b/.test(content) || /^#!\s*\/usr\/bin\/env\s+(ba)?sh\b/.test(content) || /\.sh$/.test(path);
}

/** Every shell text a step holds, rendered for one host: body or script file, unless=, verify=. */
function shellTexts(step: Step, r: RealRender): ShellText[] {
  const texts: ShellText[] = [];
  if (step.kind === 'shell') texts.push({ text: r.shown, firstLine: step.loc.line + 1, source: step.body, what: 'script' });
  else if (r.file && isShellFile(r.file.path, r.file.content)) texts.push({ text: r.file.content, firstLine: step.loc.line + 1, source: step.body, what: `script file ${r.file.path}` });
  if (r.unless !== undefined) texts.push({ text: r.unless, firstLine: step.loc.line, source: step.attrs.unless ?? '', what: 'unless=' });
  if (r.verify !== undefined) texts.push({ text: r.verify, firstLine: step.loc.line, source: step.attrs.verify ?? '', what: 'verify=' });
  return texts;
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
  const pending: PendingCheck[] = [];
  for (const w of runbook.warnings ?? []) add({ file: w.file, line: w.line, level: w.level ?? 'warning', message: w.message });
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
    // Every host: a host var or a group condition can make one host's script differ from the
    // others'. Identical renders are checked once.
    const checkedTexts = new Set<string>();
    for (const h of hosts) {
      try {
        const r = ctx.render(s, h);
        if (!useShellcheck) continue;
        for (const t of shellTexts(s, r)) {
          const key = `${t.what}\0${t.text}`;
          if (checkedTexts.has(key)) continue;
          checkedTexts.add(key);
          pending.push({ step: s, text: t, host: h.name });
        }
      } catch (e) {
        const l = located(e);
        add({ file: l.file ?? s.loc.file, line: l.line ?? s.loc.line, level: 'error', message: l.message.replace(/ \(host [^)]*\)/, '') });
      }
    }
  }
  for (const f of shellcheckAll(pending)) add(f);
  // Findings may quote rendered text (ShellCheck quotes words of the script): masked like every output.
  const mask = ctx.masker();
  for (const f of findings) out(mask(`${f.file}:${f.line}: ${f.level}: ${f.message}`));
  const errors = findings.filter((f) => f.level === 'error' && !f.message.startsWith('SC')).length;
  const sc = findings.filter((f) => f.message.startsWith('SC')).length;
  const notes = findings.filter((f) => f.level === 'info' && !f.message.startsWith('SC')).length;
  out(`${runbook.steps.length} steps checked${useShellcheck ? ' (with ShellCheck)' : ' (ShellCheck not installed: shell syntax not checked)'}: ${errors} error(s), ${sc} ShellCheck finding(s), ${findings.length - errors - sc - notes} warning(s)${notes ? `, ${notes} note(s)` : ''}`);
  if (errors) return EXIT.BAD_INPUT;
  return findings.length - notes ? EXIT.STEP_FAILED : EXIT.OK;
}

// The changed-step dialog: old vs new text of the step as a line diff, then the new commands.
import React from 'react';
import chalk from 'chalk';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { ChangedDiff, type ChangedDiffProps } from '../../src/ui/components/ChangedDiff.js';
import { colorTheme, plainTheme, ThemeProvider, type Theme } from '../../src/ui/theme.js';
import type { HostStatus, HostStepRecord } from '../../src/engine/types.js';
import { makeRunbook } from './fixtures.js';
import { KEYS, renderApp, type Harness } from './harness.js';

const OLD = 'bash {id=drain}\nkubectl drain web1\n';
const NEW = 'bash {id=drain}\nkubectl drain web1 --ignore-daemonsets\n';

const base: ChangedDiffProps = {
  stepLabel: 'drain',
  changedHosts: ['web1', 'web2'],
  rendered: [{ ok: true, host: 'web1', script: 'kubectl drain web1 --ignore-daemonsets' }],
  width: 90,
};

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
});

function frameOf(props: ChangedDiffProps, theme: Theme = plainTheme): string {
  const r = render(<ThemeProvider theme={theme}><ChangedDiff {...props} /></ThemeProvider>);
  unmount = r.unmount;
  return r.lastFrame() ?? '';
}

const line = (frame: string, text: string): string => frame.split('\n').find((l) => l.includes(text)) ?? '';

describe('ChangedDiff', () => {
  it('shows the removed old line with - and the added new line with +, then the new command per host', () => {
    const f = frameOf({ ...base, previousText: OLD, currentText: NEW });
    expect(f).toContain('text changed since it ran on web1, web2');
    expect(f).toMatch(/- kubectl drain web1\s*║/);
    expect(f).toContain('+ kubectl drain web1 --ignore-daemonsets');
    expect(f).toContain('  bash {id=drain}');
    expect(f.indexOf('+ kubectl drain')).toBeLessThan(f.indexOf('new: the command that will run now'));
    expect(f).toContain('web1:');
  });

  it('colours removed lines as failures, added lines as ok and context lines muted', () => {
    const level = chalk.level;
    chalk.level = 1;
    try {
      const f = frameOf({ ...base, previousText: OLD, currentText: NEW }, colorTheme);
      expect(line(f, '- kubectl drain')).toContain('\u001b[31m'); // red
      expect(line(f, '+ kubectl drain')).toContain('\u001b[32m'); // green
      expect(line(f, 'bash {id=drain}')).toContain('\u001b[90m'); // gray
    } finally {
      chalk.level = level;
    }
  });

  it('falls back to saying that the text differs when the old text is unknown', () => {
    const f = frameOf({ ...base, currentText: NEW });
    expect(f).toContain('old: the text that ran on web1, web2 differs (only its hash is kept in state)');
    expect(f).not.toMatch(/^\W*[-+] /m);
  });

  it('says the text is the same when only the targeted hosts changed', () => {
    const f = frameOf({ ...base, previousText: NEW, currentText: NEW });
    expect(f).toContain('same text as when it ran on web1, web2');
  });

  it('shows at most maxDiffLines diff lines and counts the rest', () => {
    const many = (p: string): string => Array.from({ length: 30 }, (_, i) => `echo ${p}${i}`).join('\n');
    const f = frameOf({ ...base, previousText: many('a'), currentText: many('b'), maxDiffLines: 6 });
    expect(f.match(/^\W*[-+] echo/gm)).toHaveLength(5);
    expect(f).toContain('… 55 more diff lines');
  });
});

describe('the changed dialog in the player', () => {
  const rb = makeRunbook([{ title: 'Prepare', steps: [{ id: 'drain' }, { id: 'backup' }] }]);
  const rec = (stepId: string, status: HostStatus, hash = `h-${stepId}`): HostStepRecord => ({ status, attempts: 1, hash });
  let h: Harness | undefined;
  afterEach(() => h?.unmount());

  it('shows the diff between the text the controller kept and the step text now', async () => {
    h = await renderApp(rb, {
      records: { drain: { web1: rec('drain', 'ok'), web2: rec('drain', 'ok'), db1: rec('drain', 'ok') }, backup: { web1: rec('backup', 'ok', 'old'), web2: rec('backup', 'ok'), db1: rec('backup', 'ok') } },
      script: { previousText: { backup: 'bash {id=backup}\necho backup --fast\n' } },
    });
    await h.press('G', KEYS.enter);
    const f = await h.waitFor((x) => x.includes('Changed since it ran: backup'), 'changed dialog');
    expect(f).toContain('text changed since it ran on web1');
    expect(f).toContain('- echo backup --fast');
    expect(f).toContain('+ echo backup');
    expect(f).toContain('echo backup # on web1');
  });
});

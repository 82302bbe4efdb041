import { describe, it, expect } from 'vitest';
import type { Key } from 'ink';
import { COMMANDS, hintLine, keyLabel, keyTableMarkdown, resolveCommand } from '../../src/ui/keymap.js';

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};
const key = (k: Partial<Key> = {}): Key => ({ ...NO_KEY, ...k });

describe('keymap dispatch', () => {
  it('maps j and the down arrow to nav.down in the player', () => {
    expect(resolveCommand('main', 'j', key())).toBe('nav.down');
    expect(resolveCommand('main', '', key({ downArrow: true }))).toBe('nav.down');
  });

  it('maps Enter and r to step.run, R to step.retry', () => {
    expect(resolveCommand('main', '\r', key({ return: true }))).toBe('step.run');
    expect(resolveCommand('main', 'r', key())).toBe('step.run');
    expect(resolveCommand('main', 'R', key({ shift: true }))).toBe('step.retry');
  });

  it('gives Space a different command in the player and in the host picker', () => {
    expect(resolveCommand('main', ' ', key())).toBe('play.toggle');
    expect(resolveCommand('picker', ' ', key())).toBe('picker.toggle');
  });

  it('applies Ctrl-C (a global command) in every context', () => {
    for (const ctx of ['main', 'picker', 'confirm', 'var', 'help'] as const) {
      expect(resolveCommand(ctx, 'c', key({ ctrl: true }))).toBe('step.abort');
    }
  });

  it('treats letters as text in the variable prompt', () => {
    expect(resolveCommand('var', 'y', key())).toBeUndefined();
    expect(resolveCommand('var', 'q', key())).toBeUndefined();
    expect(resolveCommand('var', '\r', key({ return: true }))).toBe('dialog.confirm');
  });

  it('does not dispatch player keys while a dialog is open', () => {
    expect(resolveCommand('confirm', 'r', key())).toBeUndefined();
    expect(resolveCommand('confirm', 'j', key())).toBe('nav.down'); // scrolls the dialog
    expect(resolveCommand('confirm', 's', key())).toBe('confirm.skip');
    expect(resolveCommand('confirm', '', key({ escape: true }))).toBe('dialog.cancel');
  });

  it('never binds one key to two commands in the same context', () => {
    const contexts = new Set(COMMANDS.flatMap((c) => c.contexts));
    for (const ctx of contexts) {
      const seen = new Map<string, string>();
      for (const c of COMMANDS.filter((x) => x.contexts.includes(ctx))) {
        for (const k of c.keys) {
          expect(seen.get(k), `${k} in ${ctx}`).toBeUndefined();
          seen.set(k, c.id);
        }
      }
    }
  });
});

describe('keymap documentation', () => {
  it('keyTableMarkdown lists every command id with its keys', () => {
    const md = keyTableMarkdown();
    for (const c of COMMANDS) {
      expect(md).toContain(`\`${c.id}\``);
      for (const k of c.keys) expect(md).toContain(`\`${keyLabel(k)}\``);
    }
    expect(md.split('\n')[0]).toBe('| Keys | Action | Where | Command |');
  });

  it('builds footer hints from the commands flagged as hints', () => {
    const hints = hintLine('main');
    expect(hints).toContain('Enter/r run');
    expect(hints).toContain('Space play/pause');
    expect(hints).toContain('? help');
    expect(hints).not.toContain('move down');
  });

  it('labels keys for humans', () => {
    expect(keyLabel('ctrl+c')).toBe('Ctrl-C');
    expect(keyLabel('down')).toBe('↓');
    expect(keyLabel('G')).toBe('G');
  });
});

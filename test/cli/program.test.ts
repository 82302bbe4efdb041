// The command line (src/cli/program.ts): a command named on the command line is defined alone, and
// is parsed as when every command is defined.
import { describe, expect, it } from 'vitest';
import { buildProgram, COMMAND_NAMES } from '../../src/cli/program.js';

const names = (only?: string): string[] => buildProgram(() => undefined, only).commands.map((c) => c.name());

describe('the command line', () => {
  it('defines every command of COMMAND_NAMES, and no other, when no command is named', () => {
    expect(names()).toEqual([...COMMAND_NAMES]);
  });

  it('defines only the command named first on the command line, with the options it has among all', () => {
    const all = buildProgram(() => undefined).commands;
    for (const name of COMMAND_NAMES) {
      const alone = buildProgram(() => undefined, name).commands;
      expect(alone.map((c) => c.name()), name).toEqual([name]);
      const options = (c: (typeof all)[number]): string[] => c.options.map((o) => o.flags);
      expect(options(alone[0]), name).toEqual(options(all.find((c) => c.name() === name)!));
      expect(alone[0].commands.map((c) => c.name()), name).toEqual(all.find((c) => c.name() === name)!.commands.map((c) => c.name()));
    }
  });

  it('defines every command for help and for a name that is no command (its suggestion needs them)', () => {
    for (const first of ['help', '--help', 'stauts', '-i']) expect(names(first), first).toEqual([...COMMAND_NAMES]);
  });
});

// `runbook export ansible PATH -o DIR`: the runbook as an Ansible playbook with the same semantics
// (docs/interop.md). A step that cannot be exported faithfully is refused by name: nothing is written.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BadInputError, EXIT } from '../../engine/errors.js';
import { DEFAULTS_ROLE, exportAnsible, ExportRefused } from '../../engine/export/ansible.js';
import { atomicReplace, describeFsError } from '../../engine/state/fsUtil.js';
import { loadSession, type CommonOptions } from '../session.js';

export interface ExportOptions extends CommonOptions {
  readonly output: string;
}

export async function exportAnsibleCommand(path: string, o: ExportOptions, out: (l: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const { runbook, inventory } = await loadSession(path, o);
  const defaultsDir = join('roles', DEFAULTS_ROLE, 'defaults');
  let result;
  try {
    result = exportAnsible(runbook, inventory);
  } catch (e) {
    if (!(e instanceof ExportRefused)) throw e;
    for (const r of e.refusals) process.stderr.write(`${r.file}:${r.line}: step \`${r.step}\` cannot be exported faithfully: ${r.reason}\n`);
    throw new BadInputError(`${e.refusals.length} step(s) cannot be exported to Ansible with the same meaning; nothing was written`, {
      hint: 'rewrite those steps (see docs/interop.md, Export to Ansible), or keep them in runbook',
    });
  }
  try {
    await mkdir(o.output, { recursive: true });
    await atomicReplace(join(o.output, 'playbook.yml'), result.playbook);
    if (result.defaults) {
      await mkdir(join(o.output, defaultsDir), { recursive: true });
      await atomicReplace(join(o.output, defaultsDir, 'main.yml'), result.defaults);
    }
  } catch (err) {
    throw new BadInputError(`cannot write the export to ${o.output}: ${describeFsError(err)}`);
  }
  out(`wrote ${join(o.output, 'playbook.yml')}${result.defaults ? ` and ${join(o.output, defaultsDir, 'main.yml')}` : ''} (${runbook.steps.length} plays)`);
  const secrets = result.secretVars.map((v) => ` -e ${v}=...`).join('');
  // Without an inventory, runbook's default is this machine as host `local`.
  out(`run it with: ansible-playbook -i ${inventory.file ?? "'local,' -c local"} ${join(o.output, 'playbook.yml')}${secrets}`);
  if (secrets) out(`secret variables (${result.secretVars.join(', ')}) are not written: give them with -e or Ansible Vault`);
  return EXIT.OK;
}

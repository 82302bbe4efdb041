// Blocks written as terminal transcripts: `$ command` lines mixed with the output they printed.
// Only the `$ ` lines (with their `\` continuations and `> ` secondary prompts) are commands; the
// other lines are expected output. Output lines become blank lines, so body line N stays file
// line fence + N for every message.

/** Display languages that conventionally hold transcripts; they run only with {prompt}. */
export const PROMPT_LANGS: readonly string[] = ['console', 'shell-session', 'sh-session', 'shellsession', 'terminal'];

const PROMPT_LINE = /^\$ (.*)$/;

/** True when the body has at least one `$ command` line at the start of a line. */
export function hasPromptLines(body: string): boolean {
  return body.split('\n').some((l) => PROMPT_LINE.test(l) && l.trim() !== '$');
}

/** How a transcript block runs: what `plan` and the player say about it. */
export interface Transcript {
  /** Guessed from the `$ ` lines (no `prompt` attribute written). */
  readonly guessed: boolean;
  /** `$ ` lines: the commands that run. */
  readonly commands: number;
  /** Other non-blank lines: expected output, not run. */
  readonly output: number;
}

/** One line saying what runs of a transcript block, and how to choose. */
export function transcriptNote(t: Transcript): string {
  const s = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const runs = `runs only its ${s(t.commands, '`$ ` line')}; ${s(t.output, 'other line')} ${t.output === 1 ? 'is' : 'are'} expected output, not run`;
  return t.guessed ? `transcript guessed from its \`$ \` prompts: ${runs} (write {prompt} to confirm, {prompt=false} to run every line as written)` : `transcript ({prompt}): ${runs}`;
}

/** The commands of a transcript, output lines blanked; `commands` counts the `$ ` lines, `output` the other non-blank lines. */
export function promptCommands(body: string): { script: string; commands: number; output: number } {
  const lines = body.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let commands = 0;
  let output = 0;
  let inCommand = false; // the previous kept line belongs to a command
  let continued = false; // ... and ended with a backslash
  for (const line of lines) {
    const m = PROMPT_LINE.exec(line);
    if (m) {
      commands++;
      out.push(m[1]);
      inCommand = true;
      continued = m[1].endsWith('\\');
    } else if (inCommand && continued) {
      out.push(line);
      continued = line.endsWith('\\');
    } else if (inCommand && /^> ?/.test(line)) {
      const rest = line.replace(/^> ?/, '');
      out.push(rest);
      continued = rest.endsWith('\\');
    } else {
      if (line.trim() !== '') output++;
      out.push('');
      inCommand = false;
      continued = false;
    }
  }
  return { script: body === '' ? '' : out.join('\n') + '\n', commands, output };
}

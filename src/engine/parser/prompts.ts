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

/** The commands of a transcript, output lines blanked; `commands` counts the `$ ` lines. */
export function promptCommands(body: string): { script: string; commands: number } {
  const lines = body.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let commands = 0;
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
      out.push('');
      inCommand = false;
      continued = false;
    }
  }
  return { script: body === '' ? '' : out.join('\n') + '\n', commands };
}

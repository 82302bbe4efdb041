// Builds the bash script that writes a file= block on a host: atomically (temp file in the target
// directory, then rename), with the exact bytes of the rendered content (base64, so no heredoc or
// shell expansion can alter it), and optional mode/owner.

export interface FileWriteSpec {
  readonly path: string;
  readonly content: string;
  readonly mode?: string; // octal string
  readonly owner?: string; // user or user:group
}

const SAFE_PATH = /^\/[^\0\n]*$/;
const SAFE_OWNER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function validateFileSpec(spec: FileWriteSpec): string | undefined {
  if (!SAFE_PATH.test(spec.path)) return `file= path must be absolute with no newline: ${JSON.stringify(spec.path)}`;
  if (spec.path.endsWith('/')) return `file= path names a directory: ${spec.path}`;
  if (spec.mode !== undefined && !/^0?[0-7]{3,4}$/.test(spec.mode)) return `mode must be octal like 0644: ${spec.mode}`;
  if (spec.owner !== undefined && !SAFE_OWNER.test(spec.owner)) return `owner must be user or user:group: ${spec.owner}`;
  return undefined;
}

export function fileWriteScript(spec: FileWriteSpec): string {
  const b64 = Buffer.from(spec.content, 'utf8').toString('base64').replace(/(.{76})/g, '$1\n');
  const path = shellQuote(spec.path);
  const lines = [
    'set -eu',
    `target=${path}`,
    'dir=$(dirname -- "$target")',
    'mkdir -p -- "$dir"',
    'tmp=$(mktemp -- "$dir/.runbook-tmp.XXXXXXXX")',
    "trap 'rm -f -- \"$tmp\"' EXIT",
    "base64 -d > \"$tmp\" <<'RUNBOOK_FILE_CONTENT'",
    b64,
    'RUNBOOK_FILE_CONTENT',
    `chmod ${spec.mode ?? '0644'} -- "$tmp"`,
  ];
  if (spec.owner) lines.push(`chown ${shellQuote(spec.owner)} -- "$tmp"`);
  lines.push('sync -- "$tmp" 2>/dev/null || true', 'mv -f -- "$tmp" "$target"', 'trap - EXIT', 'echo "wrote $target ($(wc -c < "$target") bytes)"');
  return lines.join('\n') + '\n';
}

// Core data types shared by every engine module. No React, no Ink, no I/O here.

/** Where something came from in the runbook sources: used by every bad-input message. */
export interface SourceLocation {
  readonly file: string; // path as given / relative to cwd
  readonly line: number; // 1-based
}

/** Attributes parsed from the `{...}` part of a fence info string. */
export interface StepAttributes {
  readonly id?: string;
  readonly hosts?: string;
  readonly sudo: boolean;
  /** undefined: no confirm; '' : bare flag; otherwise the reason text. */
  readonly confirm?: string;
  readonly timeoutMs?: number;
  readonly retries: number;
  readonly delayMs: number;
  readonly unless?: string;
  readonly verify?: string;
  readonly capture?: string;
  /** capture value is a secret: masked in logs, state, status, plan and on screen. */
  readonly secret: boolean;
  readonly serial?: number;
  /** At most this many hosts run the step at once (no batches: the next host starts when one ends). */
  readonly throttle?: number;
  readonly continueOnError: boolean;
  readonly norun: boolean;
  readonly file?: string;
  readonly mode?: string; // octal string like "0644"
  readonly owner?: string; // "user" or "user:group"
  /** Directory the body runs in (`cd` before the body); Runme's `cwd`. */
  readonly cwd?: string;
  /** The block was written with `$ ` prompts: only those lines run, the rest is expected output. */
  readonly prompt?: boolean;
  /** SSH hosts: 'exec' runs the step over its own exec channel instead of the host's persistent shell. */
  readonly session?: 'shell' | 'exec';
}

export type StepKind = 'shell' | 'file';

/** An executable step: a shell fence or a file= fence. */
export interface Step {
  readonly id: string;
  readonly kind: StepKind;
  readonly lang: string;
  /** Raw (untemplated) body of the fence. */
  readonly body: string;
  readonly attrs: StepAttributes;
  /** Effective host pattern (attrs.hosts ?? front matter hosts ?? 'all'). */
  readonly hosts: string;
  /** Index of the section this step belongs to (Runbook.sections). */
  readonly sectionIndex: number;
  /** Location of the opening fence line. Body line N is at loc.line + N. */
  readonly loc: SourceLocation;
  /** sha256 (hex) of everything that defines what runs: kind, lang, body, attrs. */
  readonly hash: string;
  /** Title of the nearest heading (for display). */
  readonly title: string;
  /**
   * The step as written: the fence's info string, a newline, then the body (untemplated, so it
   * holds no variable values). Kept in state per hash so a changed step can show its old text.
   */
  readonly source: string;
  /** A docs site's title for the block (Docusaurus/MkDocs/Hugo `title="install.sh"`): display only, not hashed. */
  readonly label?: string;
  /** The block is a `$ ` transcript (attribute `prompt`, or guessed): what of it runs. Display only. */
  readonly transcript?: { readonly guessed: boolean; readonly commands: number; readonly output: number };
}

/** A display-only fenced block (not executed). */
export interface DisplayBlock {
  readonly lang: string;
  readonly body: string;
  readonly loc: SourceLocation;
}

export interface Section {
  readonly title: string;
  readonly depth: number; // heading level 1..6 (0 for content before the first heading)
  readonly slug: string;
  readonly loc: SourceLocation;
  /** The section's Markdown source (heading line through to the next heading), for rendering. */
  readonly markdown: string;
  readonly stepIds: readonly string[];
}

/** Something the parser accepted but the operator should know (ignored keys, guessed prompts). */
export interface ParseWarning {
  readonly file: string;
  readonly line: number;
  readonly message: string;
  /** 'info': only `lint` shows it (e.g. a display-only console block that could run with {prompt}). */
  readonly level?: 'warning' | 'info';
}

export interface FrontMatter {
  readonly title?: string;
  readonly description?: string;
  readonly hosts?: string;
  readonly vars: Readonly<Record<string, unknown>>;
  /** Names of vars declared secret in front matter (`vars: {x: {value: .., secret: true}}`). */
  readonly secretVars: readonly string[];
  /** Inventory path, already resolved relative to the runbook file. */
  readonly inventory?: string;
  /** Keys written for other tools (Hugo, Docusaurus, ...): kept as read, not used. */
  readonly ignored?: Readonly<Record<string, unknown>>;
}

export interface RunbookSource {
  readonly file: string;
  readonly frontMatter: FrontMatter;
}

export interface Runbook {
  /** The path given by the operator (file or directory), resolved absolute. */
  readonly path: string;
  readonly title: string;
  readonly description?: string;
  /** One per .md file (a directory runbook has several, in name order). */
  readonly sources: readonly RunbookSource[];
  readonly sections: readonly Section[];
  readonly steps: readonly Step[];
  /** Merged front matter vars (later files override earlier ones). */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly secretVars: readonly string[];
  /** Default inventory path from front matter (absolute), if any. */
  readonly inventory?: string;
  /** Parse warnings (ignored front matter keys, Runme attributes, guessed prompts), in file order. */
  readonly warnings?: readonly ParseWarning[];
}

// ---------------------------------------------------------------- inventory

/** Where and how one SSH endpoint (an inventory host or a jump host) is reached, authenticated and checked. */
export interface SshEndpoint {
  /** Address to connect to (ansible_host, ssh config HostName, or the name), lowercased as ssh does. */
  readonly address: string;
  readonly port: number;
  readonly user?: string;
  /** First IdentityFile that exists (or ansible_ssh_private_key_file); identityFiles: the others. */
  readonly privateKeyFile?: string;
  /** More IdentityFile lines of the ssh config, tried in order after privateKeyFile (missing ones skipped). */
  readonly identityFiles?: readonly string[];
  /** ProxyCommand (ssh config or ssh args), raw: %h %p %r are expanded when it is spawned. */
  readonly proxyCommand?: string;
  /** known_hosts file for this endpoint (ssh config UserKnownHostsFile), instead of --known-hosts. */
  readonly knownHostsFile?: string;
  /** ssh config / ssh args StrictHostKeyChecking: yes refuses unknown keys, accept-new and no record them. */
  readonly strictHostKeyChecking?: 'yes' | 'accept-new' | 'no' | 'ask';
  /** ssh config IdentityAgent: `none`, `SSH_AUTH_SOCK`, `$NAME` or a socket path (instead of $SSH_AUTH_SOCK). */
  readonly identityAgent?: string;
  /** ssh config IdentitiesOnly: offer only the configured identity files (agent keys only when they match one). */
  readonly identitiesOnly?: boolean;
  /** ssh config HostKeyAlias: the known_hosts name of this key, instead of address[:port]. */
  readonly hostKeyAlias?: string;
  /** ssh config ConnectTimeout, in ms: TCP connect and SSH handshake (instead of --connect-timeout). */
  readonly connectTimeoutMs?: number;
}

export interface Host extends SshEndpoint {
  /** Inventory name (what patterns and state use). */
  readonly name: string;
  /** Where the inventory set privateKeyFile (ansible_ssh_private_key_file), for messages. */
  readonly privateKeyFileFrom?: SourceLocation;
  /**
   * privateKeyFile (and identityFiles) come from the ssh config's IdentityFile lines, written here
   * (line when found). Like ssh, missing ones are skipped; none usable and no ssh-agent is bad input.
   */
  readonly identityFileFrom?: { readonly file: string; readonly line?: number };
  /** 'local' runs through a child process on this machine; 'ssh' through ssh2. */
  readonly connection: 'ssh' | 'local';
  /** ProxyJump chain from ~/.ssh/config or ansible_ssh_common_args, outermost first. */
  readonly jump?: readonly JumpHost[];
  /** Where privateKeyFile came from (ansible_ssh_private_key_file, ssh config IdentityFile, ...), for plan and hosts. */
  readonly keySource?: string;
  /** ansible_become: every step on this host runs through `sudo -n -u <user>`. */
  readonly become?: { readonly user: string };
  /** Group names, inventory order, 'all' included. */
  readonly groups: readonly string[];
  /**
   * Ansible's magic vars of an inventory host: inventory_file (the source it was first read from),
   * inventory_dir (its directory; the string 'None' for an `-i h1,h2,` list, as Ansible has it).
   */
  readonly inventoryFile?: string;
  readonly inventoryDir?: string;
  /** Merged inventory vars: group vars (parents first) < host vars. */
  readonly vars: Readonly<Record<string, unknown>>;
}

/**
 * One jump host of a ProxyJump chain, resolved with its own ssh config, as `ssh -J` resolves it
 * (proxyCommand: the first hop's own ProxyCommand, reached through its stdio).
 */
export interface JumpHost extends SshEndpoint {
  /** The name given in ProxyJump / -J (ssh config alias), for messages. */
  readonly name?: string;
}

export interface Inventory {
  /** Source file, or undefined for the embedded local default. */
  readonly file?: string;
  /** Hosts in inventory order. */
  readonly hosts: readonly Host[];
  /** group -> host names, in inventory order ('all' included). */
  readonly groups: Readonly<Record<string, readonly string[]>>;
  /** Names of vars marked secret in the inventory. */
  readonly secretVars: readonly string[];
  /** Every inventory file read, when there are several (-i dir/, several -i). */
  readonly sources?: readonly string[];
  /** The inventory as `ansible-inventory --list` shows it: every host's vars, each group's own hosts and children. */
  readonly ansible?: {
    readonly hostvars: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
    readonly tree: Readonly<Record<string, { readonly hosts: readonly string[]; readonly children: readonly string[] }>>;
  };
  /** Things read but not honoured (printed once by the commands). */
  readonly warnings?: readonly string[];
}

// ---------------------------------------------------------------- state

export const HOST_STATUSES = [
  'pending',
  'running',
  'ok',
  'failed',
  'skipped',
  'done-already',
  'interrupted',
  'done-manual',
  'unreachable',
] as const;
export type HostStatus = (typeof HOST_STATUSES)[number];

/** Statuses that mean "this step is finished on this host; do not run it again unless forced". */
export const DONE_STATUSES: readonly HostStatus[] = ['ok', 'skipped', 'done-already', 'done-manual'];

/** The step did not succeed on that host: it failed, the host could not be reached, or the connection was lost mid-step. */
export function isFailure(status: HostStatus | undefined): boolean {
  return status === 'failed' || status === 'unreachable' || status === 'interrupted';
}

/** Finished on that host: play passes it unless forced. */
export function isDone(status: HostStatus | undefined): boolean {
  return status !== undefined && DONE_STATUSES.includes(status);
}

export interface HostStepRecord {
  readonly status: HostStatus;
  readonly attempts: number;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly startedAt?: string; // ISO
  readonly endedAt?: string; // ISO
  /** Step hash at the time this record was made: differs from Step.hash => 'changed'. */
  readonly hash: string;
  /** Log file path, relative to the state directory. */
  readonly log?: string;
  /** Human message for failures (connection refused, timeout after 2m, ...). */
  readonly message?: string;
  /** Who recorded a status by hand (skip, mark-done): `user@machine`. */
  readonly by?: string;
  /** Why the operator skipped it or marked it done (`--reason`). */
  readonly reason?: string;
  /** Captured value (secret captures are stored as null and kept only in memory). */
  readonly captured?: { readonly name: string; readonly value: string | null; readonly secret: boolean };
  /** Name of the attempt's marker on the host (transport/attemptMarker.ts), checked before it is re-run. */
  readonly marker?: string;
  /** The outcome is that of this earlier, interrupted attempt, which ended on the host: adopted, not run again. */
  readonly adoptedFrom?: number;
  /** Id of the session (state file's session line) that made this record; absent in older files. */
  readonly session?: string;
}

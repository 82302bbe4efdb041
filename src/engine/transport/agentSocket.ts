// The ssh-agent socket a hop uses (ssh config IdentityAgent), apart from agent.ts so that the
// key-file pre-check of the CLI can ask it without loading ssh2.

/**
 * The agent socket of a hop: IdentityAgent when set (`none`: no agent; `SSH_AUTH_SOCK`: that
 * environment variable; `$NAME`: the path in variable NAME), else the transport's default.
 */
export function agentSocket(identityAgent: string | undefined, fallback: string | undefined): string | undefined {
  if (identityAgent === undefined) return fallback;
  if (identityAgent.toLowerCase() === 'none') return undefined;
  if (identityAgent === 'SSH_AUTH_SOCK') return process.env.SSH_AUTH_SOCK || undefined;
  if (identityAgent.startsWith('$')) return process.env[identityAgent.slice(1)] || undefined;
  return identityAgent;
}

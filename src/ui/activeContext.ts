import type { PromptRequest } from '../engine/store.js';
import type { KeyContext } from './keymap.js';
import type { UiState } from './uiState.js';

/**
 * Which dialog owns the keyboard, highest priority first: engine prompts (host key, variable),
 * then an open text prompt (search, jump, filter, pattern), then the quit / danger / confirm / picker / log / help overlays, then the resume banner, else the player.
 */
export function activeContext(ui: UiState, prompts: readonly PromptRequest[], interruptedPending: number): KeyContext {
  const p = prompts[0];
  if (p?.kind === 'host-key') return 'hostKey';
  if (p?.kind === 'var') return 'var';
  if (ui.input) return 'input';
  switch (ui.overlay?.kind) {
    case 'quit': return 'quit';
    case 'danger': return 'danger';
    case 'confirm': return 'confirm';
    case 'picker': return 'picker';
    case 'log': return 'log';
    case 'help': return 'help';
  }
  if (!ui.resumeDismissed && interruptedPending > 0) return 'resume';
  return 'main';
}

// The one owner of keyboard input: Ink's raw input split into single keys and handed to `onKey`.
import { useRef } from 'react';
import { useInput, type Key } from 'ink';

export const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

/**
 * Ink delivers a run of characters typed fast (or sent by a multiplexer) as one input. Outside
 * text entry each printable character, each Ctrl+letter, each Tab and each Enter is its own key; in text entry a pasted
 * "value⏎" is the text, then Enter.
 */
export function useKeyboard(isText: () => boolean, onKey: (input: string, key: Key) => void): void {
  const handler = useRef(onKey);
  handler.current = onKey;
  useInput((input, key) => {
    const text = isText();
    // Control characters (Ctrl-C pressed twice quickly arrives as "\x03\x03") are split too:
    // Ctrl+letter is each its own key, as Ink reports a lone one.
    if (!text && input.length > 1 && !key.ctrl && !key.meta && /^[\x01-\x1a\x20-\x7e\u00a0-\uffff]+$/.test(input)) {
      for (const ch of input) {
        if (ch === '\t') handler.current('', { ...NO_KEY, tab: true });
        else if (ch === '\r' || ch === '\n') handler.current('', { ...NO_KEY, return: true });
        else if (ch < '\x20') handler.current(String.fromCharCode(ch.charCodeAt(0) + 96), { ...NO_KEY, ctrl: true });
        else handler.current(ch, { ...NO_KEY, shift: ch !== ch.toLowerCase() });
      }
      return;
    }
    if (text && input.length > 1 && /[\r\n]/.test(input)) {
      for (const part of input.split(/(\r\n|\r|\n)/)) {
        if (/^[\r\n]+$/.test(part)) handler.current('', { ...NO_KEY, return: true });
        else if (part) handler.current(part, NO_KEY);
      }
      return;
    }
    handler.current(input, key);
  });
}

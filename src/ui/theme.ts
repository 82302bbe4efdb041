// Semantic colours. Only the 16 basic ANSI colours are used so everything reads in a 16-colour
// terminal; with NO_COLOR set, the theme carries no colours and no bold/dim/inverse at all.
import React, { createContext, useContext, type ReactNode } from 'react';

export type ColorName = 'green' | 'red' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray' | 'white';

export interface Style {
  readonly color?: ColorName;
  readonly bold?: boolean;
  readonly dimColor?: boolean;
  readonly inverse?: boolean;
}

export interface Theme {
  readonly noColor: boolean;
  readonly status: { readonly ok: Style; readonly failed: Style; readonly running: Style; readonly pending: Style; readonly skipped: Style; readonly interrupted: Style; readonly changed: Style };
  readonly text: { readonly primary: Style; readonly muted: Style; readonly heading: Style; readonly code: Style };
  readonly accent: Style;
  readonly selected: Style;
  readonly border: { readonly focused?: ColorName; readonly normal?: ColorName };
  readonly flash: { readonly info: Style; readonly warn: Style; readonly error: Style };
}

const COLOR_THEME: Theme = {
  noColor: false,
  status: {
    ok: { color: 'green' },
    failed: { color: 'red', bold: true },
    running: { color: 'cyan' },
    pending: {},
    skipped: { color: 'gray' },
    interrupted: { color: 'yellow' },
    changed: { color: 'magenta' },
  },
  text: { primary: {}, muted: { color: 'gray' }, heading: { bold: true }, code: { color: 'yellow' } },
  accent: { color: 'cyan', bold: true },
  selected: { inverse: true },
  border: { focused: 'cyan', normal: 'gray' },
  flash: { info: { color: 'cyan' }, warn: { color: 'yellow' }, error: { color: 'red', bold: true } },
};

const EMPTY: Style = {};
const PLAIN_THEME: Theme = {
  noColor: true,
  status: { ok: EMPTY, failed: EMPTY, running: EMPTY, pending: EMPTY, skipped: EMPTY, interrupted: EMPTY, changed: EMPTY },
  text: { primary: EMPTY, muted: EMPTY, heading: EMPTY, code: EMPTY },
  accent: EMPTY,
  selected: EMPTY,
  border: {},
  flash: { info: EMPTY, warn: EMPTY, error: EMPTY },
};

/** The theme for an environment: NO_COLOR (any non-empty value, see no-color.org) disables colour. */
export function themeFromEnv(env: NodeJS.ProcessEnv = process.env): Theme {
  return env.NO_COLOR ? PLAIN_THEME : COLOR_THEME;
}

export const colorTheme = COLOR_THEME;
export const plainTheme = PLAIN_THEME;

const ThemeContext = createContext<Theme>(COLOR_THEME);

export function ThemeProvider(props: { readonly theme: Theme; readonly children: ReactNode }): React.JSX.Element {
  return React.createElement(ThemeContext.Provider, { value: props.theme }, props.children);
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

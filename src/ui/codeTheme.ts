// The colours of highlighted code in the document pane, as escape codes written out here rather
// than taken from cli-highlight's own theme. That theme is built on a copy of chalk 4 which decides
// for itself, when it loads, whether the terminal takes colour, and says no whenever CI (or CI_*)
// is in the environment: the player hides those variables only while it loads its UI (see
// importInteractiveUi in cli/commands/play.ts), and the highlighter loads later, after the first
// frame. The player has already decided (colours unless NO_COLOR; renderMarkdown strips every
// escape code then), so this theme colours unconditionally. Same colours as cli-highlight's.
import type { Theme } from 'cli-highlight';

type Style = (text: string) => string;

/** A style that opens and closes on every line, as chalk does: the pane draws line by line. */
function sgr(open: string, close: string): Style {
  return (text) =>
    text
      .split('\n')
      .map((l) => (l === '' ? l : `\u001b[${open}m${l}\u001b[${close}m`))
      .join('\n');
}

const plain: Style = (text) => text;
const blue = sgr('34', '39');
const cyan = sgr('36', '39');
const green = sgr('32', '39');
const red = sgr('31', '39');
const yellow = sgr('33', '39');
const grey = sgr('90', '39');

/** Every key cli-highlight looks up, so none falls back to its chalk-4 default. */
export const CODE_THEME: Required<Theme> = {
  keyword: blue,
  built_in: cyan,
  type: sgr('36;2', '39;22'),
  literal: blue,
  number: green,
  regexp: red,
  string: red,
  subst: plain,
  symbol: plain,
  class: blue,
  function: yellow,
  title: plain,
  params: plain,
  comment: green,
  doctag: green,
  meta: grey,
  'meta-keyword': plain,
  'meta-string': plain,
  section: plain,
  tag: grey,
  name: blue,
  'builtin-name': plain,
  attr: cyan,
  attribute: plain,
  variable: plain,
  bullet: plain,
  code: plain,
  emphasis: sgr('3', '23'),
  strong: sgr('1', '22'),
  formula: plain,
  link: sgr('4', '24'),
  quote: plain,
  'selector-tag': plain,
  'selector-id': plain,
  'selector-class': plain,
  'selector-attr': plain,
  'selector-pseudo': plain,
  'template-tag': plain,
  'template-variable': plain,
  addition: green,
  deletion: red,
  default: plain,
};

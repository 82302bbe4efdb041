// cli-truncate as Ink's `<Text wrap="truncate">` calls it in the player's bundle (scripts/bundle.mjs
// resolves Ink's import here): the package's result, never wider than asked. cli-truncate 5.2
// keeps a wide character that straddles the cut (asked for 4 columns of `ab这一步`, it gives `ab这…`,
// 5 columns), so a line of Chinese text one column too wide pushed the pane's right border
// off its row; such a result is cut one column shorter instead, leaving a blank column.
import packageTruncate, { type Options } from 'cli-truncate';
import stringWidth from './stringWidth.js';

export default function cliTruncate(text: string, columns: number, options?: Options): string {
  let out = packageTruncate(text, columns, options);
  for (let c = columns - 1; c >= 1 && stringWidth(out) > columns; c--) out = packageTruncate(text, c, options);
  return out;
}

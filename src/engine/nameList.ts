// Lists of names in one line of text: every name of a short list, the first few and a count of a long one.

/**
 * `a, b, c` when there are at most `max` names, else the first `shown` (default `max`) and
 * `and N more`: a line that names a fleet's hosts stays one line at 30 hosts.
 */
export function nameList(names: readonly string[], max: number, shown = max): string {
  return names.length > max ? `${names.slice(0, shown).join(', ')} and ${names.length - shown} more` : names.join(', ');
}

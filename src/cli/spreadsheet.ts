/**
 * Retry and unknown files are CSV that people open in a spreadsheet. A cell that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula there (`=cmd|' /C calc'!A0`),
 * so such a cell is written with a `'` in front, which spreadsheets show as text. `apply` takes
 * that one `'` off again, so a retry file re-applies exactly the keys it lists. A cell that itself
 * starts with `'` gets one more, so that the rule can be undone without guessing.
 *
 * (A hand-written CSV cell that starts with `'` followed by one of those characters loses its
 * first `'` too: that is the price of one rule for every file `apply` reads.)
 */

const NEEDS_GUARD = /^[=+\-@\t\r']/;
const GUARDED = /^'[=+\-@\t\r']/;

/** A cell as a retry file holds it: text in a spreadsheet, never a formula. */
export function guardCell(value: string): string {
  return NEEDS_GUARD.test(value) ? `'${value}` : value;
}

/** A CSV cell as `apply` reads it: the guard `guardCell` added, taken off. */
export function unguardCell(value: string): string {
  return GUARDED.test(value) ? value.slice(1) : value;
}

/** For `--help`: the rule in one sentence. */
export const GUARD_HELP =
  "Retry and unknown files are CSV a spreadsheet can open safely: a cell starting with =, +, -, @, a tab or a carriage return (or ') is written with a ' in front, and apply takes that ' off again.";

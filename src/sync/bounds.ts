/**
 * Bounds on what a desired-state file can make the reader do or print. A file may come from a
 * stranger (a pull request that CI plans): whatever its keys, aliases and size, reading it takes
 * bounded memory and time, and a message shows at most a short prefix of any value in it.
 */

/** Problems collected at most; reading stops looking for more once there are this many. */
export const MAX_ISSUES = 1_000;
/** Characters of a value a message quotes at most. */
export const QUOTED_CHARS = 40;
/** Characters of one key a problem's path keeps at most. */
export const PATH_KEY_CHARS = 200;
/** Characters of a message at most (a message built from a rule quoting a value in full is cut). */
export const MESSAGE_CHARS = 500;
/** Resources a desired state may name by default: above it, planning would make that many GETs. */
export const DEFAULT_MAX_RESOURCES = 1_000;

/** A value as a message quotes it: JSON, and only its start when it is long. */
export function quote(value: string): string {
  return value.length > QUOTED_CHARS
    ? `${JSON.stringify(value.slice(0, QUOTED_CHARS))}… (${value.length} characters)`
    : JSON.stringify(value);
}

/** A message cut to {@link MESSAGE_CHARS}. */
export function clip(message: string): string {
  return message.length > MESSAGE_CHARS ? `${message.slice(0, MESSAGE_CHARS)}… (cut)` : message;
}

/** A problem's path with long keys cut, so that a list of problems stays small whatever the keys. */
export function shortPath(path: readonly (string | number)[]): (string | number)[] {
  return path.map((p) => (typeof p === 'string' && p.length > PATH_KEY_CHARS ? `${p.slice(0, PATH_KEY_CHARS)}…` : p));
}

/** A positive integer option, or its default: the core's one check. */
export { positiveInteger as positiveOption } from '../core/internal/positive-integer.js';

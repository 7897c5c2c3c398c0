/** The one check of a positive-integer option (counts, sizes, concurrency). Internal. */
import { ConfigurationError } from '../errors.js';

/** `value` when it is a whole number ≥ 1, `fallback` when it is undefined; anything else is a ConfigurationError. */
export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigurationError(`${name} must be a positive integer, got ${value}`);
  return value;
}

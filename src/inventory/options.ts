/**
 * The inventory's options: their types, and the one place they are checked and filled in
 * (before any request is sent). Everything later reads the normalised form.
 */
import { ConfigurationError, InstructionValidationError, type ValidationIssue } from '../core/errors.js';
import { type ResourceKind, type TimeInput, parseTime } from '../core/instructions.js';
import { isResourceKind } from '../core/resources.js';
import { keyIssues } from '../core/validation.js';

/** How far the inventory has got. */
export interface InventoryProgress {
  /** Resources found in the listings so far (after the key and tag filters). */
  listed: number;
  /** True once every listing has been read to its end. */
  listingComplete: boolean;
  /** Resources whose expiring targets were read. */
  read: number;
  /** Resources that could not be read. */
  unreadable: number;
  /** Scheduled removals found (after the time and context-kind filters). */
  removals: number;
}

/** Options of {@link readInventory} and {@link scheduledRemovals}. */
export interface InventoryOptions {
  /** The project key. */
  projectKey: string;
  /** The environment key. */
  environmentKey: string;
  /** Which kinds of resource to read. Default both: `['segment', 'flag']`. */
  kinds?: readonly ResourceKind[] | undefined;
  /** Only these segments (by key). Named keys the listing lacks are read directly, so a missing one is reported. */
  segmentKeys?: readonly string[] | undefined;
  /** Only these flags (by key), as for `segmentKeys`. */
  flagKeys?: readonly string[] | undefined;
  /** Only resources whose key matches: a RegExp, or a glob where `*` is any run of characters and `?` one. */
  keyPattern?: string | RegExp | undefined;
  /** Only resources carrying this tag. */
  tag?: string | undefined;
  /** Only removals due within this long from now: milliseconds, or `30m`, `12h`, `14d`, `2w`. */
  within?: string | number | undefined;
  /** Only removals due before this time. */
  before?: TimeInput | undefined;
  /** Only removals of contexts of this kind, such as `user`. */
  contextKind?: string | undefined;
  /** How many resources are read at once, 1 to 32. Default 8. All share the client's rate-limit gate. */
  concurrency?: number | undefined;
  /** Retries of each read after a 429, 5xx or lost connection. Default 5. */
  maxRetries?: number | undefined;
  /** Stops the inventory: reads in flight are cancelled and iteration throws a `RequestAbortedError`. */
  signal?: AbortSignal | undefined;
  /** Called after each listing page and each resource read. */
  onProgress?: ((progress: InventoryProgress) => void) | undefined;
  /** The clock for `within` (epoch milliseconds). Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** The options after checking. */
export interface NormalizedInventoryOptions {
  projectKey: string;
  environmentKey: string;
  kinds: ResourceKind[];
  named: Record<ResourceKind, Set<string> | undefined>;
  matchesKey: (key: string) => boolean;
  tag: string | undefined;
  /** Removals at or after this time (epoch ms) are left out; Infinity when there is no bound. */
  cutoffMs: number;
  contextKind: string | undefined;
  concurrency: number;
  maxRetries: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: InventoryProgress) => void) | undefined;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const MAX_NAMED = 100_000;

/** A duration such as `14d` in milliseconds, or a reason it is not one. */
export function parseDuration(input: string | number): number | string {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : 'must be whole milliseconds, not negative';
  const m = /^\s*(\d{1,6})\s*([mhdw])\s*$/.exec(input);
  if (!m) return `must be a number and a unit (m, h, d or w), such as 14d; got ${JSON.stringify(input.slice(0, 40))}`;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** A glob (`*`, `?`) as an anchored RegExp; other characters match themselves. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === '*' ? '.*' : c === '?' ? '.' : `\\${c}`));
  return new RegExp(`^${body}$`, 'su');
}

function keyList(value: unknown, field: string, issues: ValidationIssue[]): Set<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_NAMED) {
    issues.push({ field, message: `must be a list of at most ${MAX_NAMED} keys` });
    return undefined;
  }
  value.forEach((key, i) => issues.push(...keyIssues({ key }, ['key']).map((issue) => ({ ...issue, field: `${field}[${i}]` }))));
  return new Set(value as string[]);
}

/** Checks every option; throws before any request when one is wrong. */
export function normalizeInventoryOptions(options: InventoryOptions): NormalizedInventoryOptions {
  if (options === null || typeof options !== 'object')
    throw new ConfigurationError('inventory options are required (projectKey, environmentKey)');
  const issues: ValidationIssue[] = [...keyIssues(options, ['projectKey', 'environmentKey'])];
  const kinds = [...new Set(options.kinds ?? (['segment', 'flag'] as const))];
  if (kinds.length === 0 || kinds.some((k) => !isResourceKind(k)))
    issues.push({ field: 'kinds', message: 'must list "segment", "flag" or both' });
  const named = { segment: keyList(options.segmentKeys, 'segmentKeys', issues), flag: keyList(options.flagKeys, 'flagKeys', issues) };
  let matchesKey = (_key: string) => true;
  if (options.keyPattern instanceof RegExp) {
    const re = new RegExp(options.keyPattern.source, options.keyPattern.flags.replace(/[gy]/g, ''));
    matchesKey = (key) => re.test(key);
  } else if (typeof options.keyPattern === 'string' && options.keyPattern !== '') {
    const re = globToRegExp(options.keyPattern);
    matchesKey = (key) => re.test(key);
  } else if (options.keyPattern !== undefined) issues.push({ field: 'keyPattern', message: 'must be a RegExp or a non-empty glob' });
  const tag = options.tag;
  if (tag !== undefined && (typeof tag !== 'string' || tag.trim() === ''))
    issues.push({ field: 'tag', message: 'must be a non-empty string' });
  const contextKind = options.contextKind;
  if (contextKind !== undefined && (typeof contextKind !== 'string' || contextKind.trim() === ''))
    issues.push({ field: 'contextKind', message: 'must be a non-empty string' });
  const now = (options.now ?? Date.now)();
  let cutoffMs = Number.POSITIVE_INFINITY;
  if (options.within !== undefined) {
    const ms = parseDuration(options.within);
    if (typeof ms === 'string') issues.push({ field: 'within', message: ms });
    else cutoffMs = now + ms;
  }
  if (options.before !== undefined) {
    const parsed = parseTime(options.before);
    if (!parsed.ok) issues.push({ field: 'before', message: parsed.reason });
    else cutoffMs = Math.min(cutoffMs, parsed.ms);
  }
  const concurrency = options.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
    issues.push({ field: 'concurrency', message: 'must be a whole number from 1 to 32' });
  const maxRetries = options.maxRetries ?? 5;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 20)
    issues.push({ field: 'maxRetries', message: 'must be a whole number from 0 to 20' });
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function')
    issues.push({ field: 'onProgress', message: 'must be a function' });
  if (issues.length > 0) throw new InstructionValidationError(issues, 'Invalid inventory options; nothing was sent');
  return {
    projectKey: options.projectKey,
    environmentKey: options.environmentKey,
    kinds,
    named,
    matchesKey,
    tag,
    cutoffMs,
    contextKind,
    concurrency,
    maxRetries,
    signal: options.signal,
    onProgress: options.onProgress,
  };
}

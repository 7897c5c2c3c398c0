/**
 * What the client offers, as types: the references, the options of a patch, the API of one
 * resource kind and the client itself. Apart from ./client.ts, which builds them, so each file
 * holds one thing.
 */
import type { Client } from 'openapi-fetch';
import type { paths } from '../../generated/schema.js';
import type { PatchAllOptions } from './bulk.js';
import type { PartialFailureError, InstructionValidationError } from './errors.js';
import type { CallOptions } from './options.js';
import type { FlagInstruction, SegmentInstruction } from './resources.js';
import type { BulkResult, BulkSummary, GetResult, PatchResult } from './results.js';

/** Identifies a segment in one environment. */
export interface SegmentRef {
  /** The project key, such as `default`. */
  projectKey: string;
  /** The environment key, such as `production`. */
  environmentKey: string;
  /** The segment key. */
  segmentKey: string;
}

/** Identifies a feature flag in one environment. */
export interface FlagRef {
  /** The project key, such as `default`. */
  projectKey: string;
  /** The environment key, such as `production`. */
  environmentKey: string;
  /** The feature flag key. */
  flagKey: string;
}

/** Options of `patch`. */
export interface PatchOptions extends CallOptions {
  /** Shown in LaunchDarkly's audit log. */
  comment?: string | undefined;
  /** Throw a {@link PartialFailureError} instead of returning a result with `ok: false`. */
  throwOnPartialFailure?: boolean | undefined;
  /**
   * After an ambiguous answer (5xx, reset or timeout after sending, unreadable 200), read the
   * targets back and decide each instruction from the state instead of throwing. Default false.
   */
  reconcile?: boolean | undefined;
  /** Accept expiry times that are already past. Default false. */
  allowPast?: boolean | undefined;
}

/** The typed openapi-fetch client underneath, for full control. */
export type RawClient = Client<paths>;

/** Reads and writes one kind of resource's expiring targets. */
export interface ResourceApi<Ref, I> {
  /**
   * Lists the contexts scheduled for removal.
   * @example
   * ```ts
   * const { items } = await ld.segments.get({ projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' });
   * for (const t of items) console.log(t.contextKey, t.expiresAt.toISOString());
   * ```
   */
  get(ref: Ref, options?: CallOptions): Promise<GetResult>;
  /**
   * Sends one semantic patch. Every instruction is validated first; a 200 whose `errors` is not
   * empty gives `ok: false` with each failure mapped to the instruction you passed.
   * @example
   * ```ts
   * const result = await ld.segments.patch(ref, [segmentInstructions.remove({ contextKind: 'user', contextKey: 'alice', targetType: 'included' })]);
   * console.log(result.counts); // { total: 1, applied: 1, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 }
   * ```
   */
  patch(ref: Ref, instructions: readonly I[], options?: PatchOptions): Promise<PatchResult<I>>;
  /**
   * Sends any number of instructions in batches and accounts for every one exactly once:
   * applied, failed, unknown (answer lost; settled by reading back unless `reconcile: false`)
   * or not attempted (after an abort or a fatal 401/403/404). Every instruction is validated
   * before anything is sent; the result lists every outcome at its index.
   * @example
   * ```ts
   * const run = await ld.segments.patchAll(ref, cohort.map((key) =>
   *   segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: '2030-12-31T00:00:00Z' })),
   *   { batchSize: 50, onProgress: (p) => console.log(`${p.done}/${p.total}`) });
   * console.log(run.counts); // { total, applied, failed, unknown, notAttempted, reconciled, resent }
   * ```
   */
  patchAll(ref: Ref, instructions: readonly I[], options?: PatchAllOptions<I>): Promise<BulkResult<I>>;
  /**
   * The same over a stream (an iterable or async iterable, such as a generator reading a file),
   * in memory that does not grow with it. Each batch is validated just before it is sent: an
   * invalid instruction stops the run there (earlier batches have been sent; `stoppedBy` is an
   * {@link InstructionValidationError}). Each outcome goes to `onOutcome` once its fate is final;
   * the result holds counts only. After a stop or an abort the rest of the stream is still read,
   * each instruction reported as not attempted.
   * @example
   * ```ts
   * async function* fromFile() {
   *   for await (const key of readline.createInterface({ input: fs.createReadStream('cohort.txt') }))
   *     yield segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: '2030-12-31T00:00:00Z' });
   * }
   * const run = await ld.segments.patchAll(ref, fromFile(), {
   *   onOutcome: (o) => { if (o.fate !== 'applied') console.error(o.index, o.fate, o.message); },
   * });
   * console.log(run.ok, run.counts);
   * ```
   */
  patchAll(ref: Ref, instructions: Iterable<I> | AsyncIterable<I>, options?: PatchAllOptions<I>): Promise<BulkSummary>;
}

/** The client returned by {@link createExpiringTargetsClient}. */
export interface ExpiringTargetsClient {
  /** Expiring targets of segments: contexts leaving a segment's `included` or `excluded` list. */
  segments: ResourceApi<SegmentRef, SegmentInstruction>;
  /** Expiring targets of feature flags: contexts leaving one variation's individual targeting. */
  flags: ResourceApi<FlagRef, FlagInstruction>;
  /** The typed openapi-fetch client, with the same headers, retries and timeouts. */
  raw: RawClient;
}

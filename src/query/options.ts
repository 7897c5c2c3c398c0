/**
 * Option factories for TanStack Query v5: plain objects that `useQuery`/`useMutation` (React,
 * Vue, Solid, Svelte) and `queryClient.fetchQuery` take as they are. They only call the client you
 * pass: validation, retries, per-instruction results and times as `Date` stay the client's.
 * Nothing of TanStack Query is imported at run time; its types come from `@tanstack/query-core`.
 */
import type { DataTag, MutationFunctionContext, QueryFunctionContext } from '@tanstack/query-core';
import type { ExpiringTargetsClient, FlagRef, PatchOptions, SegmentRef } from '../core/client.js';
import type { FlagInstruction, SegmentInstruction } from '../core/instructions.js';
import type { CallOptions } from '../core/options.js';
import type { GetResult, PatchResult } from '../core/results.js';
import {
  type FlagPatchVariables,
  type FlagTargetsKey,
  type PatchMutationKey,
  QUERY_KEY_ROOT,
  type SegmentPatchVariables,
  type SegmentTargetsKey,
  flagTargetsKey,
  segmentTargetsKey,
} from './keys.js';

/** What the query factories return. */
export interface TargetsQueryOptions<Key extends readonly unknown[]> {
  /** The documented key, tagged with {@link GetResult}. */
  queryKey: DataTag<Key, GetResult>;
  /** Calls `get` with the query's `signal`, so an unmounted or cancelled query aborts its request. */
  queryFn: (context: QueryFunctionContext<Key>) => Promise<GetResult>;
  /**
   * `false`: the client already retries what is safe to retry (429 with its `Retry-After`, 5xx,
   * resets); TanStack's own retries would multiply its attempts. Override by spreading.
   */
  retry: false;
}

/** Options of the mutation factories. */
export interface PatchMutationSettings extends Omit<PatchOptions, 'comment' | 'signal'> {
  /**
   * After every patch, settled or failed, invalidate exactly the patched resource's query, through
   * the `QueryClient` TanStack passes to `onSettled`. Default true.
   */
  invalidate?: boolean | undefined;
}

/** What the mutation factories return. */
export interface PatchMutationOptions<Variables, I> {
  /** `['ld-expiring-targets', 'segment' | 'flag', 'patch']`, for `useMutationState` and `isMutating`. */
  mutationKey: PatchMutationKey;
  /**
   * Sends one patch. A partial failure resolves with `ok: false` (per-instruction outcomes are
   * data); it rejects only with `throwOnPartialFailure`, or for errors that are not per instruction.
   */
  mutationFn: (variables: Variables) => Promise<PatchResult<I>>;
  /** Invalidates the patched resource's query (unless `invalidate: false`); the mutation stays pending until it has refetched. */
  onSettled: (
    data: PatchResult<I> | undefined,
    error: Error | null,
    variables: Variables,
    onMutateResult: unknown,
    context: MutationFunctionContext,
  ) => Promise<void>;
}

function withSignal(call: CallOptions | undefined, signal: AbortSignal): CallOptions {
  // Both the caller's signal (if any) and the query's cancel the request.
  return { ...call, signal: call?.signal ? AbortSignal.any([call.signal, signal]) : signal };
}

/**
 * Query options for a segment's scheduled removals.
 * @example
 * ```ts
 * const { data } = useQuery(segmentTargetsQueryOptions(ld, { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' }));
 * data?.items.map((t) => [t.contextKey, t.expiresAt]);
 * ```
 */
export function segmentTargetsQueryOptions(
  client: ExpiringTargetsClient,
  ref: SegmentRef,
  call?: CallOptions,
): TargetsQueryOptions<SegmentTargetsKey> {
  return { queryKey: segmentTargetsKey(ref), queryFn: ({ signal }) => client.segments.get(ref, withSignal(call, signal)), retry: false };
}

/** Query options for a flag's scheduled removals. */
export function flagTargetsQueryOptions(
  client: ExpiringTargetsClient,
  ref: FlagRef,
  call?: CallOptions,
): TargetsQueryOptions<FlagTargetsKey> {
  return { queryKey: flagTargetsKey(ref), queryFn: ({ signal }) => client.flags.get(ref, withSignal(call, signal)), retry: false };
}

function invalidator<Variables extends { ref: Ref }, Ref>(
  settings: PatchMutationSettings | undefined,
  keyOf: (ref: Ref) => readonly unknown[],
) {
  return async (
    _data: unknown,
    _error: unknown,
    variables: Variables,
    _onMutateResult: unknown,
    context: MutationFunctionContext,
  ): Promise<void> => {
    if (settings?.invalidate === false || context?.client === undefined) return;
    await context.client.invalidateQueries({ queryKey: keyOf(variables.ref), exact: true });
  };
}

function patchOptions(settings: PatchMutationSettings | undefined, comment: string | undefined): PatchOptions {
  const { invalidate: _invalidate, ...call } = settings ?? {};
  return comment === undefined ? call : { ...call, comment };
}

/**
 * Mutation options for a segment patch. The variables name the segment, so one mutation serves
 * any segment and invalidates exactly the one it changed.
 * @example
 * ```ts
 * const schedule = useMutation(segmentPatchMutationOptions(ld));
 * const result = await schedule.mutateAsync({ ref, instructions: [segmentInstructions.add({ ... })] });
 * for (const o of result.outcomes) if (o.fate !== 'applied') console.warn(o.instruction.contextKey, o.message);
 * ```
 */
export function segmentPatchMutationOptions(
  client: ExpiringTargetsClient,
  settings?: PatchMutationSettings,
): PatchMutationOptions<SegmentPatchVariables, SegmentInstruction> {
  return {
    mutationKey: [QUERY_KEY_ROOT, 'segment', 'patch'],
    mutationFn: ({ ref, instructions, comment }) => client.segments.patch(ref, instructions, patchOptions(settings, comment)),
    onSettled: invalidator<SegmentPatchVariables, SegmentRef>(settings, segmentTargetsKey),
  };
}

/** Mutation options for a flag patch; see {@link segmentPatchMutationOptions}. */
export function flagPatchMutationOptions(
  client: ExpiringTargetsClient,
  settings?: PatchMutationSettings,
): PatchMutationOptions<FlagPatchVariables, FlagInstruction> {
  return {
    mutationKey: [QUERY_KEY_ROOT, 'flag', 'patch'],
    mutationFn: ({ ref, instructions, comment }) => client.flags.patch(ref, instructions, patchOptions(settings, comment)),
    onSettled: invalidator<FlagPatchVariables, FlagRef>(settings, flagTargetsKey),
  };
}

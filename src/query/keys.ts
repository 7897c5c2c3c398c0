/**
 * The query keys of `ld-expiring-targets/query`: plain arrays of strings, most general first, so
 * a prefix matches every query below it and `exact: true` matches one resource. They are part of
 * the public API: changing their shape is a breaking change.
 */
import type { DataTag } from '@tanstack/query-core';
import type { FlagRef, SegmentRef } from '../core/client.js';
import type { FlagInstruction, SegmentInstruction } from '../core/instructions.js';
import type { GetResult } from '../core/results.js';

/** The first element of every key this package makes. */
export const QUERY_KEY_ROOT = 'ld-expiring-targets';

/** The key of one segment's scheduled removals in one environment. */
export type SegmentTargetsKey = readonly [typeof QUERY_KEY_ROOT, 'segment', projectKey: string, environmentKey: string, segmentKey: string];
/** The key of one flag's scheduled removals in one environment. */
export type FlagTargetsKey = readonly [typeof QUERY_KEY_ROOT, 'flag', projectKey: string, environmentKey: string, flagKey: string];
/** The mutation key of a patch of segments or of flags. */
export type PatchMutationKey = readonly [typeof QUERY_KEY_ROOT, 'segment' | 'flag', 'patch'];

/**
 * `['ld-expiring-targets', 'segment', projectKey, environmentKey, segmentKey]`, tagged with its
 * data type so `queryClient.getQueryData(key)` is a {@link GetResult}.
 * @example
 * ```ts
 * await queryClient.invalidateQueries({ queryKey: segmentTargetsKey(ref), exact: true });
 * ```
 */
export function segmentTargetsKey(ref: SegmentRef): DataTag<SegmentTargetsKey, GetResult> {
  return [QUERY_KEY_ROOT, 'segment', ref.projectKey, ref.environmentKey, ref.segmentKey] as unknown as DataTag<
    SegmentTargetsKey,
    GetResult
  >;
}

/** `['ld-expiring-targets', 'flag', projectKey, environmentKey, flagKey]`, tagged with its data type. */
export function flagTargetsKey(ref: FlagRef): DataTag<FlagTargetsKey, GetResult> {
  return [QUERY_KEY_ROOT, 'flag', ref.projectKey, ref.environmentKey, ref.flagKey] as unknown as DataTag<FlagTargetsKey, GetResult>;
}

/**
 * Prefixes for wider invalidation: everything of this package, every segment (or flag), or every
 * segment (or flag) of one project, or of one project's environment.
 * @example
 * ```ts
 * queryClient.invalidateQueries({ queryKey: expiringTargetsKeys.segments('default', 'production') });
 * ```
 */
export const expiringTargetsKeys = {
  /** `['ld-expiring-targets']`: every query of this package. */
  all: () => [QUERY_KEY_ROOT] as const,
  /** Every segment's query, or a project's, or a project's environment's. */
  segments: (projectKey?: string, environmentKey?: string) => prefix('segment', projectKey, environmentKey),
  /** Every flag's query, or a project's, or a project's environment's. */
  flags: (projectKey?: string, environmentKey?: string) => prefix('flag', projectKey, environmentKey),
};

function prefix(resource: 'segment' | 'flag', projectKey: string | undefined, environmentKey: string | undefined): readonly string[] {
  const key: string[] = [QUERY_KEY_ROOT, resource];
  if (projectKey !== undefined) key.push(projectKey);
  if (projectKey !== undefined && environmentKey !== undefined) key.push(environmentKey);
  return key;
}

/** The variables of a segment patch mutation. */
export interface SegmentPatchVariables {
  /** The segment to change. */
  ref: SegmentRef;
  /** The instructions, validated before anything is sent. */
  instructions: readonly SegmentInstruction[];
  /** Shown in LaunchDarkly's audit log. */
  comment?: string | undefined;
}

/** The variables of a flag patch mutation. */
export interface FlagPatchVariables {
  /** The flag to change. */
  ref: FlagRef;
  /** The instructions, validated before anything is sent. */
  instructions: readonly FlagInstruction[];
  /** Shown in LaunchDarkly's audit log. */
  comment?: string | undefined;
}

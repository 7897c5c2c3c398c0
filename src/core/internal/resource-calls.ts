/**
 * What one resource's endpoint hands the parts of the client that load on demand (bulk runs,
 * reading back after a lost answer): its two requests, the client's options, and the words its
 * calls are reported in. Here, so that those parts do not import the client.
 */
import type { CallOptions, NormalizedOptions } from '../options.js';
import { RESOURCES, type ResourceKind, type ResourceRef } from '../resources.js';
import type { GetResult, PatchResult } from '../results.js';
import type { CallInfo, CallScope } from './call-facts.js';

/** One resource's GET and PATCH, each a whole call (retries, telemetry), within `parent` when given. */
export interface ResourceCalls<Ref extends ResourceRef, I> {
  resource: ResourceKind;
  options: NormalizedOptions;
  read(ref: Ref, call: CallOptions | undefined, parent?: CallScope, purpose?: string): Promise<GetResult>;
  send(
    ref: Ref,
    instructions: readonly I[],
    call: (CallOptions & { comment?: string | undefined }) | undefined,
    parent?: CallScope,
  ): Promise<PatchResult<I>>;
}

/** What a call's scope reports: its operation and the resource's keys (the scope redacts them). */
export function callInfo(resource: ResourceKind, ref: ResourceRef, operation: string, instructions?: number, purpose?: string): CallInfo {
  return {
    operation,
    resource,
    ref,
    names: RESOURCES[resource].refKeys,
    instructions,
    purpose,
  };
}

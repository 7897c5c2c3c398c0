/**
 * The bulk runner's entry for instructions already checked with the rules `patch` applies (sync's
 * applyPlan: planning built and checked every instruction). It runs `patchAll` without checking
 * them again; validation stays one unconditional rule at every public entry. Internal: the
 * package does not export it, so only code that ran those checks can call it.
 */
import type { PatchAllOptions } from '../bulk.js';
import { type ResourceApi, ResourceEndpoint } from '../client.js';
import type { AnyInstruction, ResourceRef } from '../resources.js';
import type { BulkResult } from '../results.js';

/**
 * `patchAll` of checked instructions on one of the client's own endpoints. Any other object that
 * has the client's shape (a wrapper, a test double) gets the public, validating `patchAll`.
 */
export function patchAllChecked<Ref extends ResourceRef, I extends AnyInstruction>(
  api: ResourceApi<Ref, I>,
  ref: Ref,
  instructions: readonly I[],
  options?: PatchAllOptions<I>,
): Promise<BulkResult<I>> {
  return api instanceof ResourceEndpoint ? api.patchAllChecked(ref, instructions, options) : api.patchAll(ref, instructions, options);
}

/**
 * `patchAll` as an endpoint runs it, loaded on demand so that a page sending one patch does not
 * carry it: one observed run over the bulk runner, each batch and each read-back a call within it.
 */
import { type PatchAllOptions, runBulk, runBulkStream } from './bulk.js';
import type { CallScope } from './internal/call-facts.js';
import { type ResourceCalls, callInfo } from './internal/resource-calls.js';
import { observed } from './internal/telemetry.js';
import { InstructionValidationError } from './errors.js';
import type { AnyInstruction, ResourceKind, ResourceRef } from './resources.js';
import { assertInstructions } from './validation.js';
import type { BulkResult, BulkSummary } from './results.js';

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && (Symbol.iterator in value || Symbol.asyncIterator in value);
}

/** `patchAll`'s instructions: an array is checked whole before anything is sent; a stream's batches as they come. */
export function checkBulkInput(resource: ResourceKind, instructions: unknown, call: { allowPast?: boolean | undefined } | undefined): void {
  if (Array.isArray(instructions)) assertInstructions(resource, instructions, { allowPast: call?.allowPast });
  else if (!isIterable(instructions)) {
    throw new InstructionValidationError([
      { field: 'instructions', message: 'must be an array, an iterable or an async iterable of instructions' },
    ]);
  }
}

/** Runs a checked array (a result per instruction) or a stream (counts; batches checked as they come). */
export function patchAllOf<Ref extends ResourceRef, I extends AnyInstruction>(
  calls: ResourceCalls<Ref, I>,
  ref: Ref,
  instructions: readonly I[] | Iterable<I> | AsyncIterable<I>,
  call: PatchAllOptions<I> | undefined,
): Promise<BulkResult<I> | BulkSummary> {
  const { options, resource } = calls;
  const deps = (run: CallScope | undefined) => ({
    resource,
    sendBatch: (batch: I[], c: PatchAllOptions<I>) => calls.send(ref, batch, c, run),
    read: (c: PatchAllOptions<I>) => calls.read(ref, c, run, 'read-back'),
  });
  // A 429 or 409 during a bulk run is always safe to retry, so it gets a larger budget.
  const bulkOptions = { ...call, maxRetries: call?.maxRetries ?? Math.max(options.settings.maxRetries, 5) };
  const array = Array.isArray(instructions) ? (instructions as readonly I[]) : undefined;
  return observed<BulkResult<I> | BulkSummary>(
    options.logging,
    options.redact,
    callInfo(resource, ref, 'patchAll', array?.length),
    undefined,
    (run) =>
      array
        ? runBulk<I>(deps(run), array, bulkOptions)
        : runBulkStream<I>(deps(run), instructions as Iterable<I> | AsyncIterable<I>, bulkOptions),
    (r) => ({ counts: r.counts, stoppedBy: r.stoppedBy }),
  );
}

/**
 * A sync as one span: the `patchAll` runs (and reads) it makes through the client become its
 * children, its fates counted as attributes. Only with an instrumentation registered.
 */
import type { FateCounts } from './call-facts.js';
import { fateAttributes } from './call-scope.js';
import { currentInstrumentation } from './telemetry.js';

export async function observeSync<R extends { counts: FateCounts; stoppedBy?: { name: string } | undefined }>(
  resources: number,
  run: () => Promise<R>,
): Promise<R> {
  const instrumentation = currentInstrumentation();
  if (instrumentation === undefined) return run();
  const span = instrumentation.startCall(
    'sync',
    { 'ld_expiring_targets.operation': 'sync', 'ld_expiring_targets.resources': resources },
    undefined,
  );
  let result: R;
  try {
    result = await instrumentation.activate(span, run);
  } catch (error) {
    // Only the class name: a message from outside the library has not been through the redaction step.
    span.end({}, error instanceof Error ? error.name : 'Error');
    throw error;
  }
  const partial = result.counts.applied !== result.counts.total;
  span.end(fateAttributes(result.counts), result.stoppedBy?.name ?? (partial ? 'partial_failure' : undefined));
  return result;
}

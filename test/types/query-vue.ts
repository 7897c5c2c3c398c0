// Compile-time tests: ld-expiring-targets/query with @tanstack/vue-query (run by `npm run typecheck`).
import { type QueryClient, useMutation, useQuery } from '@tanstack/vue-query';
import type { ExpiringTargetsClient, FlagInstruction, GetResult, PatchResult } from '../../src/index.js';
import { flagInstructions } from '../../src/index.js';
import { flagPatchMutationOptions, flagTargetsKey, flagTargetsQueryOptions, segmentTargetsQueryOptions } from '../../src/query/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

declare const ld: ExpiringTargetsClient;
const flagRef = { projectKey: 'default', environmentKey: 'production', flagKey: 'new-checkout' };

export function setup(): unknown[] {
  const query = useQuery(flagTargetsQueryOptions(ld, flagRef));
  assertType<Equal<typeof query.data.value, GetResult | undefined>>();
  const first: Date | undefined = query.data.value?.items[0]?.expiresAt;

  const segment = useQuery(segmentTargetsQueryOptions(ld, { projectKey: 'default', environmentKey: 'production', segmentKey: 's' }));
  assertType<Equal<typeof segment.data.value, GetResult | undefined>>();

  const mutation = useMutation(flagPatchMutationOptions(ld));
  assertType<Equal<typeof mutation.data.value, PatchResult<FlagInstruction> | undefined>>();
  mutation.mutate({ ref: flagRef, instructions: [flagInstructions.remove({ contextKind: 'user', contextKey: 'a', variationId: 'v' })] });
  // @ts-expect-error a flag patch names a flag
  mutation.mutate({ ref: { projectKey: 'default', environmentKey: 'production', segmentKey: 's' }, instructions: [] });
  return [first, mutation];
}

export function withClient(queryClient: QueryClient) {
  const cached = queryClient.getQueryData(flagTargetsKey(flagRef));
  assertType<Equal<typeof cached, GetResult | undefined>>();
}

// Compile-time tests: ld-expiring-targets/query with @tanstack/react-query (run by `npm run
// typecheck`). Nothing here runs; each @ts-expect-error fails the build if its line compiles.
import { type QueryClient, queryOptions, useMutation, useQuery, useSuspenseQuery } from '@tanstack/react-query';
import type { ExpiringTargetsClient, GetResult, PatchResult, SegmentInstruction } from '../../src/index.js';
import { segmentInstructions } from '../../src/index.js';
import {
  expiringTargetsKeys,
  flagPatchMutationOptions,
  flagTargetsQueryOptions,
  segmentPatchMutationOptions,
  segmentTargetsKey,
  segmentTargetsQueryOptions,
} from '../../src/query/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | void {}

declare const ld: ExpiringTargetsClient;
const ref = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const flagRef = { projectKey: 'default', environmentKey: 'production', flagKey: 'new-checkout' };

export function Component(): unknown[] {
  const query = useQuery(segmentTargetsQueryOptions(ld, ref));
  assertType<Equal<typeof query.data, GetResult | undefined>>();
  const first: Date | undefined = query.data?.items[0]?.expiresAt;

  // A select keeps the types flowing.
  const keys = useQuery({ ...flagTargetsQueryOptions(ld, flagRef), select: (r) => r.items.map((t) => t.contextKey) });
  assertType<Equal<typeof keys.data, string[] | undefined>>();

  const suspense = useSuspenseQuery(segmentTargetsQueryOptions(ld, ref));
  assertType<Equal<typeof suspense.data, GetResult>>();

  // The factories' result passes through react-query's own queryOptions helper.
  const wrapped = useQuery(queryOptions(segmentTargetsQueryOptions(ld, ref)));
  assertType<Equal<typeof wrapped.data, GetResult | undefined>>();

  const mutation = useMutation(segmentPatchMutationOptions(ld));
  assertType<Equal<typeof mutation.data, PatchResult<SegmentInstruction> | undefined>>();
  mutation.mutate({ ref, instructions: [segmentInstructions.remove({ contextKind: 'user', contextKey: 'a', targetType: 'included' })], comment: 'why' });
  // @ts-expect-error a segment patch takes segment instructions, and a segment's keys
  mutation.mutate({ ref: flagRef, instructions: [] });
  useMutation(flagPatchMutationOptions(ld, { throwOnPartialFailure: true, invalidate: false }));
  return [first, keys, mutation];
}

export async function withClient(queryClient: QueryClient) {
  const cached = queryClient.getQueryData(segmentTargetsKey(ref));
  assertType<Equal<typeof cached, GetResult | undefined>>();
  const fetched = await queryClient.fetchQuery(segmentTargetsQueryOptions(ld, ref));
  assertType<Equal<typeof fetched, GetResult>>();
  await queryClient.invalidateQueries({ queryKey: segmentTargetsKey(ref), exact: true });
  await queryClient.invalidateQueries({ queryKey: expiringTargetsKeys.segments('default') });
  // @ts-expect-error the key helper needs a segment's three keys
  segmentTargetsKey({ projectKey: 'default', environmentKey: 'production' });
}

/**
 * ld-expiring-targets/query with a real TanStack QueryClient (@tanstack/query-core) and the real
 * client, against the stateful fake LaunchDarkly or a server that never answers, on 127.0.0.1.
 */
import { CancelledError, MutationObserver, QueryClient, QueryObserver } from '@tanstack/query-core';
import { build } from 'esbuild';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PartialFailureError, createExpiringTargetsClient, segmentInstructions } from '../../src/index.js';
import {
  QUERY_KEY_ROOT,
  expiringTargetsKeys,
  flagTargetsKey,
  flagTargetsQueryOptions,
  segmentPatchMutationOptions,
  segmentTargetsKey,
  segmentTargetsQueryOptions,
} from '../../src/query/index.js';
import { startFakeLaunchDarkly } from '../support/fake-launchdarkly.js';
import { startServer } from '../support/http-server.js';
import { projectRoot } from '../support/project.js';

const TOKEN = 'api-query-test-0000';
const A = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const B = { projectKey: 'default', environmentKey: 'production', segmentKey: 'early-access' };
const FLAG = { projectKey: 'default', environmentKey: 'production', flagKey: 'new-checkout' };
const JAN_2031 = Date.parse('2031-01-01T00:00:00Z');
const user = (contextKey: string) => ({ contextKind: 'user', contextKey, targetType: 'included' as const });

let fake: Awaited<ReturnType<typeof startFakeLaunchDarkly>>;
let queryClient: QueryClient;
beforeAll(async () => {
  fake = await startFakeLaunchDarkly({
    token: TOKEN,
    failInstruction: (i) => (i.contextKey === 'refused' ? 'context refused by the fake' : undefined),
  });
});
afterAll(() => fake.close());
afterEach(() => queryClient?.clear());

function setup() {
  fake.seed('segments/default/beta-testers/production', [{ ...user('alice'), expirationDate: JAN_2031, _version: 1 }], 'segment');
  fake.seed('segments/default/early-access/production', [{ ...user('bob'), expirationDate: JAN_2031, _version: 1 }], 'segment');
  queryClient = new QueryClient();
  return createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: fake.url });
}

describe('query keys', () => {
  it('are the documented plain arrays, most general first', () => {
    expect(segmentTargetsKey(A)).toEqual(['ld-expiring-targets', 'segment', 'default', 'production', 'beta-testers']);
    expect(flagTargetsKey(FLAG)).toEqual(['ld-expiring-targets', 'flag', 'default', 'production', 'new-checkout']);
    expect(expiringTargetsKeys.all()).toEqual([QUERY_KEY_ROOT]);
    expect(expiringTargetsKeys.segments()).toEqual(['ld-expiring-targets', 'segment']);
    expect(expiringTargetsKeys.flags('default', 'production')).toEqual(['ld-expiring-targets', 'flag', 'default', 'production']);
    // An environment without its project would match the wrong level: it is left out.
    expect(expiringTargetsKeys.segments(undefined, 'production')).toEqual(['ld-expiring-targets', 'segment']);
  });
});

describe('query options', () => {
  it('fetch through the client: times as Date, cached under the documented key, no TanStack retries', async () => {
    const ld = setup();
    const options = segmentTargetsQueryOptions(ld, A);
    expect(options.retry).toBe(false);
    const result = await queryClient.fetchQuery(options);
    expect(result.items.map((t) => [t.contextKey, t.expiresAt.toISOString()])).toEqual([['alice', '2031-01-01T00:00:00.000Z']]);
    expect(queryClient.getQueryData(['ld-expiring-targets', 'segment', 'default', 'production', 'beta-testers'])).toBe(result);
    const flag = await queryClient.fetchQuery(flagTargetsQueryOptions(ld, FLAG));
    expect(flag.items).toEqual([]);
    expect(fake.log.at(-1)?.url).toBe('/api/v2/flags/default/new-checkout/expiring-targets/production');
  });

  it("pass the query's signal to the request: cancelling the query aborts it at the server", async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => (closed = resolve));
    const silent = await startServer((_req, res) => {
      res.on('close', () => closed());
    });
    try {
      queryClient = new QueryClient();
      const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: silent.url, timeoutMs: 60_000, maxRetries: 0 });
      const fetching = queryClient.fetchQuery(segmentTargetsQueryOptions(ld, A)).catch((error: unknown) => error);
      await expect.poll(() => silent.requests.length).toBe(1);
      await queryClient.cancelQueries({ queryKey: segmentTargetsKey(A), exact: true });
      await serverSawClose;
      expect(await fetching).toBeInstanceOf(CancelledError);
    } finally {
      await silent.close();
    }
  });

  it("combine the caller's own signal with the query's", async () => {
    const ld = setup();
    const caller = new AbortController();
    caller.abort();
    const error = await queryClient.fetchQuery(segmentTargetsQueryOptions(ld, A, { signal: caller.signal })).catch((e: unknown) => e);
    expect((error as Error).name).toBe('RequestAbortedError');
  });
});

describe('mutation options', () => {
  const add = (key: string) => segmentInstructions.add({ ...user(key), expiresAt: JAN_2031 });

  it('keep a partial failure as data, with each instruction’s fate', async () => {
    const ld = setup();
    const result = await new MutationObserver(queryClient, segmentPatchMutationOptions(ld)).mutate({
      ref: A,
      instructions: [add('carol'), add('refused')],
      comment: 'from a test',
    });
    expect(result.ok).toBe(false);
    expect(result.outcomes.map((o) => [o.instruction.contextKey, o.fate, o.message])).toEqual([
      ['carol', 'applied', undefined],
      ['refused', 'failed', 'context refused by the fake'],
    ]);
    expect(JSON.parse(fake.log.at(-1)!.body)).toMatchObject({ comment: 'from a test' });
  });

  it('throw a PartialFailureError when asked', async () => {
    const ld = setup();
    const observer = new MutationObserver(queryClient, segmentPatchMutationOptions(ld, { throwOnPartialFailure: true }));
    const error = await observer.mutate({ ref: A, instructions: [add('refused')] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialFailureError);
    expect(error).toMatchObject({ result: { counts: { total: 1, failed: 1 } } });
  });

  it('invalidate exactly the patched resource, and refetch it before the mutation settles', async () => {
    const ld = setup();
    // Two segments on screen: each query has an observer, as a mounted component's would.
    const observers = [A, B].map((ref) => new QueryObserver(queryClient, { ...segmentTargetsQueryOptions(ld, ref), staleTime: Infinity }));
    const unsubscribe = observers.map((o) => o.subscribe(() => {}));
    try {
      await expect.poll(() => observers.map((o) => o.getCurrentResult().status)).toEqual(['success', 'success']);
      const gets = (id: string) => fake.stats.byResource[id]?.gets ?? 0;
      const before = [gets('segments/default/beta-testers/production'), gets('segments/default/early-access/production')];
      await new MutationObserver(queryClient, segmentPatchMutationOptions(ld)).mutate({ ref: A, instructions: [add('dave')] });
      // Settled only once A was read again; B was not touched.
      expect([gets('segments/default/beta-testers/production'), gets('segments/default/early-access/production')]).toEqual([
        before[0]! + 1,
        before[1],
      ]);
      expect(
        queryClient
          .getQueryData(segmentTargetsKey(A))
          ?.items.map((t) => t.contextKey)
          .sort(),
      ).toEqual(['alice', 'dave']);
      expect(queryClient.getQueryData(segmentTargetsKey(B))?.items.map((t) => t.contextKey)).toEqual(['bob']);
    } finally {
      for (const u of unsubscribe) u();
    }
  });

  it('leave the cache alone with invalidate: false', async () => {
    const ld = setup();
    await queryClient.fetchQuery(segmentTargetsQueryOptions(ld, A));
    await new MutationObserver(queryClient, segmentPatchMutationOptions(ld, { invalidate: false })).mutate({
      ref: A,
      instructions: [add('erin')],
    });
    expect(queryClient.getQueryState(segmentTargetsKey(A))?.isInvalidated).toBe(false);
  });

  it('check instructions before sending: an invalid one is an error and nothing reaches the server', async () => {
    const ld = setup();
    const sent = fake.log.length;
    const error = await new MutationObserver(queryClient, segmentPatchMutationOptions(ld))
      .mutate({
        ref: A,
        instructions: [{ kind: 'addExpiringTarget', contextKind: 'user', contextKey: '', targetType: 'included', value: 1 }],
      })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('InstructionValidationError');
    expect(fake.log.length).toBe(sent);
  });
});

describe('the browser bundle', () => {
  it('of a page that sends one segments.patch holds nothing of ld-expiring-targets/query', async () => {
    const page = `import { createExpiringTargetsClient, segmentInstructions } from './src/index.ts';
      const ld = createExpiringTargetsClient({ baseUrl: '/ld-proxy' });
      await ld.segments.patch({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' }, [segmentInstructions.remove({ contextKind: 'user', contextKey: 'a', targetType: 'included' })]);`;
    const { metafile } = await build({
      stdin: { contents: page, resolveDir: projectRoot, loader: 'ts' },
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'browser',
      splitting: true,
      outdir: path.join(projectRoot, 'node_modules', '.cache', 'query-bundle'),
      logLevel: 'silent',
    });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((i) => i.startsWith('src/index.ts'))).toBe(true);
    expect(inputs.filter((i) => i.startsWith('src/query/') || i.includes('@tanstack'))).toEqual([]);
  });
});

// patchAll's own bookkeeping, with a scripted fetch: its options, what stops a run, and the
// message each instruction is left with when a run stops or is aborted.
import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  createExpiringTargetsClient,
  ExpiringTargetsError,
  RequestAbortedError,
  type FetchLike,
  segmentInstructions,
} from '../../src/index.js';

const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const T = Date.UTC(2031, 0, 1);
const adds = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    segmentInstructions.add({ contextKind: 'user', contextKey: `u${i}`, targetType: 'included', expiresAt: T }),
  );

type Reply = () => Response | Promise<Response>;
function scripted(...replies: Reply[]) {
  let calls = 0;
  const fetch: FetchLike = async () => replies[Math.min(calls++, replies.length - 1)]!();
  return { fetch, count: () => calls };
}
const respond =
  (status: number, body: unknown): Reply =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const applied = respond(200, { items: [], errors: [] });
const refused: Reply = () =>
  Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }));

const client = (fetch: FetchLike) =>
  createExpiringTargetsClient({ apiKey: 'api-bulk-unit-test', baseUrl: 'https://ld.example', fetch, maxRetries: 0 });

describe('patchAll options', () => {
  it.each([
    ['batchSize', 0],
    ['batchSize', -1],
    ['batchSize', 1.5],
    ['batchSize', Number.NaN],
    ['concurrency', 0],
    ['concurrency', 2.5],
  ])('%s %d is refused before anything is sent', async (name, value) => {
    const { fetch, count } = scripted(applied);
    const error = await client(fetch)
      .segments.patchAll(REF, adds(2), { [name]: value })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(`${name} must be a positive integer, got ${value}`);
    expect(count()).toBe(0);
  });

  it('batches of one, one at a time, are fine', async () => {
    const { fetch, count } = scripted(applied);
    const result = await client(fetch).segments.patchAll(REF, adds(3), { batchSize: 1, concurrency: 1 });
    expect(result.counts.applied).toBe(3);
    expect(count()).toBe(3);
  });
});

describe('when a run stops', () => {
  it('a 401 fails its batch with LaunchDarkly’s message; the rest say why they were not attempted', async () => {
    const { fetch } = scripted(applied, respond(401, { code: 'unauthorized', message: 'Invalid access token' }));
    const result = await client(fetch).segments.patchAll(REF, adds(3), { batchSize: 1 });
    expect(result.outcomes.map((o) => [o.fate, o.message])).toEqual([
      ['applied', undefined],
      ['failed', 'PATCH /api/v2/segments/p/s/expiring-targets/e failed with 401 unauthorized: Invalid access token'],
      [
        'notAttempted',
        'not attempted: the run stopped: PATCH /api/v2/segments/p/s/expiring-targets/e failed with 401 unauthorized: Invalid access token',
      ],
    ]);
  });

  it('a refused connection: its batch keeps the connection error, the rest say the run stopped', async () => {
    const { fetch, count } = scripted(refused);
    const result = await client(fetch).segments.patchAll(REF, adds(2), { batchSize: 1, maxRetries: 0 });
    expect(count()).toBe(1);
    expect(result.outcomes.map((o) => [o.fate, o.message])).toEqual([
      ['notAttempted', 'Request to ld.example failed (ECONNREFUSED)'],
      ['notAttempted', 'not attempted: the run stopped: Request to ld.example failed (ECONNREFUSED)'],
    ]);
    expect(result.outcomes[0]?.error).toBe(result.stoppedBy);
  });

  it('an error that is not ours (a middleware throwing) stops the run too', async () => {
    const { fetch, count } = scripted(applied);
    const ld = client(fetch);
    const refusal = new Error('middleware refused');
    ld.raw.use({
      onRequest() {
        throw refusal;
      },
    });
    const result = await ld.segments.patchAll(REF, adds(2), { batchSize: 1, reconcile: false });
    expect(count()).toBe(0);
    // stoppedBy is always one of ours; the thrown value stays reachable as its cause.
    expect(result.stoppedBy).toBeInstanceOf(ExpiringTargetsError);
    expect(result.stoppedBy).toMatchObject({ message: 'middleware refused', cause: refusal });
    expect(result.outcomes.map((o) => [o.fate, o.message])).toEqual([
      ['unknown', 'middleware refused'],
      ['notAttempted', 'not attempted: the run stopped: middleware refused'],
    ]);
  });

  it('an abort: the batches not sent say the run was aborted', async () => {
    const { fetch, count } = scripted(applied);
    const controller = new AbortController();
    const result = await client(fetch).segments.patchAll(REF, adds(3), {
      batchSize: 1,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(count()).toBe(1);
    expect(result.outcomes.map((o) => [o.fate, o.message])).toEqual([
      ['applied', undefined],
      ['notAttempted', 'not attempted: the run was aborted'],
      ['notAttempted', 'not attempted: the run was aborted'],
    ]);
    expect(result.stoppedBy).toBeInstanceOf(RequestAbortedError);
    expect(result.stoppedBy).toMatchObject({ maybeSent: false });
  });
});

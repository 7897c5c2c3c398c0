import { describe, expect, inject, it } from 'vitest';
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  createExpiringTargetsClient,
  flagInstructions,
  LaunchDarklyApiError,
  NotFoundError,
  PartialFailureError,
  PermissionDeniedError,
  RateLimitError,
  segmentInstructions,
  type ExpiringTargetsClient,
  type PatchResult,
  type SegmentInstruction,
} from '../../src/index.js';

// Values of the examples in generated/expiring-targets.openapi.yaml.
const ALICE_MS = 1_924_905_600_000;
const ACME_MS = 1_927_584_000_000;
// A time to send: in the future, as the client requires.
const UPDATE_MS = Date.UTC(2031, 0, 31);
const SEG_REF = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const FLAG_REF = { projectKey: 'default', environmentKey: 'production', flagKey: 'new-checkout' };

interface Seen {
  method: string;
  url: string;
  status: number;
  violations: string | null;
  contentType: string | null;
}

/**
 * The public client against the Prism mock. The `fetch` passed in calls the real global fetch and
 * only notes what Prism answered, so the tests can check Prism found nothing to object to.
 */
function client(headers: Record<string, string> = {}): { ld: ExpiringTargetsClient; seen: Seen[] } {
  const seen: Seen[] = [];
  const ld = createExpiringTargetsClient({
    apiKey: 'test-token',
    baseUrl: inject('prismUrl'),
    headers,
    maxRetries: 0,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      seen.push({
        method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
        url: input instanceof Request ? input.url : String(input),
        status: response.status,
        violations: response.headers.get('sl-violations'),
        contentType: new Headers(init?.headers).get('content-type'),
      });
      return response;
    },
  });
  return { ld, seen };
}

const segmentBatch = (): SegmentInstruction[] => [
  segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2030-12-31T00:00:00Z' }),
  segmentInstructions.update({
    contextKind: 'user',
    contextKey: 'bob',
    targetType: 'excluded',
    expiresAt: new Date(UPDATE_MS),
    version: 2,
  }),
  segmentInstructions.remove({ contextKind: 'organization', contextKey: 'acme', targetType: 'included' }),
];
const flagBatch = () => [
  flagInstructions.add({ contextKind: 'user', contextKey: 'alice', variationId: 'v-1', expiresAt: '2030-12-31' }),
  flagInstructions.update({ contextKind: 'user', contextKey: 'bob', variationId: 'v-1', expiresAt: UPDATE_MS }),
  flagInstructions.remove({ contextKind: 'user', contextKey: 'carol', variationId: 'v-2' }),
];

describe('the four operations against Prism, with no violations', () => {
  it('segments.get', async () => {
    const { ld, seen } = client();
    const result = await ld.segments.get(SEG_REF);
    expect(result.items.map((i) => i.contextKey)).toEqual(['alice', 'acme']);
    const [alice, acme] = result.items;
    expect(alice?.expirationDate).toBe(ALICE_MS);
    expect(alice?.expiresAt).toBeInstanceOf(Date);
    expect(alice?.expiresAt).toEqual(new Date(ALICE_MS));
    expect(alice).toMatchObject({ _id: '12ab3c45de678910abc12345', _version: 1, contextKind: 'user', targetType: 'included' });
    expect(acme?.expiresAt).toEqual(new Date(ACME_MS));
    expect(acme).toMatchObject({ _version: 2, contextKind: 'organization', targetType: 'excluded' });
    expect(acme?._resourceId).toEqual({ projectKey: 'default', environmentKey: 'production', key: 'beta-testers', kind: 'segment' });
    expect(result.raw.items[1]?.expirationDate).toBe(ACME_MS);
    expect(seen).toEqual([
      {
        method: 'GET',
        url: `${inject('prismUrl')}/api/v2/segments/default/beta-testers/expiring-targets/production`,
        status: 200,
        violations: null,
        contentType: null,
      },
    ]);
  });

  it('flags.get', async () => {
    const { ld, seen } = client();
    const result = await ld.flags.get(FLAG_REF);
    expect(result.items.map((i) => i.contextKey)).toEqual(['alice', 'acme']);
    expect(result.items.map((i) => i.expiresAt.getTime())).toEqual([ALICE_MS, ACME_MS]);
    expect(result.items[0]?.expiresAt).toEqual(new Date(ALICE_MS));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'GET', status: 200, violations: null });
    expect(seen[0]?.url).toBe(`${inject('prismUrl')}/api/v2/flags/default/new-checkout/expiring-targets/production`);
  });

  it('segments.patch, with a comment', async () => {
    const { ld, seen } = client();
    const instructions = segmentBatch();
    const result = await ld.segments.patch(SEG_REF, instructions, { comment: 'beta ends' });
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.counts).toEqual({ total: 3, applied: 3, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.outcomes.map((o) => o.instruction)).toEqual(instructions);
    expect(result.items.map((i) => i.contextKey)).toEqual(['alice']);
    expect(result.items[0]?.expiresAt).toEqual(new Date(ALICE_MS));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'PATCH', status: 200, violations: null });
  });

  it('flags.patch', async () => {
    const { ld, seen } = client();
    const result = await ld.flags.patch(FLAG_REF, flagBatch());
    expect(result.ok).toBe(true);
    expect(result.counts).toEqual({ total: 3, applied: 3, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.items[0]?.expirationDate).toBe(ALICE_MS);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'PATCH', status: 200, violations: null });
  });

  it('the recorder does see violations when Prism raises them (so the null checks above can fail)', async () => {
    const { ld, seen } = client();
    // The raw client skips the helpers' and patch's validation: a wrong targetType breaks the schema.
    const { response } = await ld.raw.PATCH('/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}', {
      params: { path: SEG_REF },
      body: { instructions: [{ kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'a', targetType: 'both' as 'included' }] },
    });
    expect(response.status).toBe(400);
    expect(seen[0]?.violations).toMatch(/targetType/);
  });
});

type Op = 'segments.get' | 'segments.patch' | 'flags.get' | 'flags.patch';
function call(ld: ExpiringTargetsClient, op: Op): Promise<unknown> {
  switch (op) {
    case 'segments.get':
      return ld.segments.get(SEG_REF);
    case 'segments.patch':
      return ld.segments.patch(SEG_REF, segmentBatch());
    case 'flags.get':
      return ld.flags.get(FLAG_REF);
    case 'flags.patch':
      return ld.flags.patch(FLAG_REF, flagBatch());
  }
}

const CLASSES = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  429: RateLimitError,
} as const;

// Only the statuses the bundled document defines for each operation.
const DEFINED: [Op, keyof typeof CLASSES][] = [
  ...([401, 404, 429] as const).map((s) => ['segments.get', s] as [Op, keyof typeof CLASSES]),
  ...([400, 401, 403, 404, 409, 429] as const).map((s) => ['segments.patch', s] as [Op, keyof typeof CLASSES]),
  ...([401, 403, 404, 429] as const).map((s) => ['flags.get', s] as [Op, keyof typeof CLASSES]),
  ...([400, 401, 403, 404, 429] as const).map((s) => ['flags.patch', s] as [Op, keyof typeof CLASSES]),
];

describe('error statuses forced with Prefer: code=NNN', () => {
  it.each(DEFINED)('%s answering %d', async (op, status) => {
    const { ld, seen } = client({ Prefer: `code=${status}` });
    const error = await call(ld, op).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CLASSES[status]);
    expect(error).toBeInstanceOf(LaunchDarklyApiError);
    const e = error as LaunchDarklyApiError;
    expect(e.status).toBe(status);
    expect(e.name).toBe(CLASSES[status].name);
    expect(e.method).toBe(op.endsWith('get') ? 'GET' : 'PATCH');
    // Prism's body follows the error schema: { code, message }, both strings.
    expect(typeof e.code).toBe('string');
    // maxRetries 0: one request, even for 409 and 429 which are otherwise retried.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ status, violations: null });
  });

  it('without maxRetries: 0 a 429 is retried (so the single requests above are the option at work)', async () => {
    const seen: number[] = [];
    const ld = createExpiringTargetsClient({
      apiKey: 'test-token',
      baseUrl: inject('prismUrl'),
      headers: { Prefer: 'code=429' },
      maxRetries: 1,
      maxRetryDelayMs: 1,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        seen.push(response.status);
        return response;
      },
    });
    await expect(ld.segments.get(SEG_REF)).rejects.toBeInstanceOf(RateLimitError);
    expect(seen).toEqual([429, 429]);
  });
});

describe('partial failure from Prefer: example=partialFailure', () => {
  it.each(['segments', 'flags'] as const)('%s.patch maps errors[0] to the very instruction passed at index 1', async (resource) => {
    const { ld, seen } = client({ Prefer: 'example=partialFailure' });
    const result: PatchResult<unknown> =
      resource === 'segments'
        ? await ld.segments.patch(SEG_REF, segmentBatch().slice(0, 2))
        : await ld.flags.patch(FLAG_REF, flagBatch().slice(0, 2));
    const sent = result.outcomes.map((o) => o.instruction);
    expect(result.ok).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]?.mapped).toBe(true);
    expect(result.errors[0]?.instructionIndex).toBe(1);
    expect(result.errors[0]?.message).toBe('context is not individually targeted');
    expect(result.errors[0]?.instruction).toBe(sent[1]);
    expect(result.counts).toEqual({ total: 2, applied: 1, failed: 1, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.items).toEqual([]);
    expect(seen[0]).toMatchObject({ status: 200, violations: null });
  });

  it('identity with the caller’s own array', async () => {
    const { ld } = client({ Prefer: 'example=partialFailure' });
    const instructions = segmentBatch().slice(0, 2);
    const result = await ld.segments.patch(SEG_REF, instructions);
    expect(result.errors[0]?.instruction).toBe(instructions[1]);
    expect(result.errors[0]?.instruction).not.toBe(instructions[0]);
    expect(result.counts).toEqual({ total: 2, applied: 1, failed: 1, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
  });

  it('throwOnPartialFailure turns it into PartialFailureError carrying the same result', async () => {
    const { ld } = client({ Prefer: 'example=partialFailure' });
    const instructions = segmentBatch().slice(0, 2);
    const error = await ld.segments.patch(SEG_REF, instructions, { throwOnPartialFailure: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PartialFailureError);
    const result = (error as PartialFailureError<PatchResult<SegmentInstruction>>).result;
    expect(result.errors[0]?.instruction).toBe(instructions[1]);
    expect(result.counts).toEqual({ total: 2, applied: 1, failed: 1, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
  });
});

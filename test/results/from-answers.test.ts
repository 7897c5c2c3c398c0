import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  createExpiringTargetsClient,
  ExpiringTargetsError,
  flagInstructions,
  InvalidResponseError,
  LaunchDarklyApiError,
  PartialFailureError,
  segmentInstructions,
  type PatchResult,
  type SegmentInstruction,
} from '../../src/index.js';
import { json, scriptedServer, type RecordedRequest } from '../support/http-server.js';

const SEG_REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const FLAG_REF = { projectKey: 'p', environmentKey: 'e', flagKey: 'f' };
const MS = 1_924_905_600_000;

/** What the server answers next; each test scripts it with `server.reply = …`. */
const server = scriptedServer();

const ld = () => createExpiringTargetsClient({ apiKey: 'api-results-test', baseUrl: server.url, maxRetries: 0 });

const item = (over: Record<string, unknown> = {}) => ({
  _id: 'id-1',
  _version: 1,
  expirationDate: MS,
  contextKind: 'user',
  contextKey: 'alice',
  targetType: 'included',
  _resourceId: { projectKey: 'p', environmentKey: 'e', key: 's', kind: 'segment' },
  ...over,
});

function threeInstructions(): SegmentInstruction[] {
  return [
    segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: MS }),
    segmentInstructions.update({ contextKind: 'user', contextKey: 'bob', targetType: 'excluded', expiresAt: MS, version: 2 }),
    segmentInstructions.remove({ contextKind: 'organization', contextKey: 'acme', targetType: 'included' }),
  ];
}

const twoFailures = {
  items: [item()],
  totalInstructions: 3,
  successfulInstructions: 1,
  failedInstructions: 2,
  errors: [
    { instructionIndex: 1, message: 'version mismatch' },
    { instructionIndex: 2, message: 'context is not individually targeted' },
  ],
};

describe('patch results', () => {
  it('all applied: ok, no errors, counts right, requestId read', async () => {
    server.reply = (_req, res) =>
      json(
        res,
        200,
        { items: [item()], totalInstructions: 3, successfulInstructions: 3, failedInstructions: 0, errors: [] },
        { 'X-Request-Id': 'req-ok' },
      );
    const result = await ld().segments.patch(SEG_REF, threeInstructions());
    expect(result.ok).toBe(true);
    expect(result.errors).toEqual([]);
    expect(result.counts).toEqual({ total: 3, applied: 3, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.outcomes.map((o) => o.fate)).toEqual(['applied', 'applied', 'applied']);
    expect(result.requestId).toBe('req-ok');
    expect(result.items).toHaveLength(1);
    expect(result.items[0]?.expiresAt).toEqual(new Date(MS));
  });

  it('a body without errors at all is ok', async () => {
    server.reply = (_req, res) => json(res, 200, { items: [] });
    const result = await ld().segments.patch(SEG_REF, threeInstructions().slice(0, 1));
    expect(result.ok).toBe(true);
    expect(result.counts).toEqual({ total: 1, applied: 1, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.requestId).toBeUndefined();
  });

  it('two entries in errors: ok false, both mapped to the very instructions passed, counts right', async () => {
    server.reply = (_req, res) => json(res, 200, twoFailures);
    const instructions = threeInstructions();
    const result = await ld().segments.patch(SEG_REF, instructions);
    expect(result.ok).toBe(false);
    expect(result.errors).toHaveLength(2);
    const [first, second] = result.errors;
    expect(first).toEqual({ mapped: true, instructionIndex: 1, message: 'version mismatch', instruction: instructions[1] });
    expect(first?.instruction).toBe(instructions[1]);
    expect(second).toEqual({
      mapped: true,
      instructionIndex: 2,
      message: 'context is not individually targeted',
      instruction: instructions[2],
    });
    expect(second?.instruction).toBe(instructions[2]);
    expect(result.counts).toEqual({ total: 3, applied: 1, failed: 2, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.outcomes.map((o) => [o.fate, o.message])).toEqual([
      ['applied', undefined],
      ['failed', 'version mismatch'],
      ['failed', 'context is not individually targeted'],
    ]);
    result.outcomes.forEach((o, i) => expect(o.instruction).toBe(instructions[i]));
    expect(result.raw).toEqual(twoFailures);
    // What was sent is what was mapped: the body carried the same instructions in the same order.
    expect((server.requests.at(-1)!.json as { instructions: unknown[] }).instructions).toEqual(instructions);
  });

  it('the same for flags', async () => {
    server.reply = (_req, res) => json(res, 200, { items: [], errors: [{ instructionIndex: 0, message: 'no such variation' }] });
    const instructions = [
      flagInstructions.add({ contextKind: 'user', contextKey: 'a', variationId: 'nope', expiresAt: MS }),
      flagInstructions.remove({ contextKind: 'user', contextKey: 'b', variationId: 'v' }),
    ];
    const result = await ld().flags.patch(FLAG_REF, instructions);
    expect(result.ok).toBe(false);
    expect(result.errors[0]?.instruction).toBe(instructions[0]);
    expect(result.counts).toEqual({ total: 2, applied: 1, failed: 1, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
  });

  it('throwOnPartialFailure rejects with PartialFailureError holding the same result', async () => {
    server.reply = (_req, res) => json(res, 200, twoFailures, { 'X-Request-Id': 'req-partial' });
    const instructions = threeInstructions();
    const error = await ld()
      .segments.patch(SEG_REF, instructions, { throwOnPartialFailure: true })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(PartialFailureError);
    expect(error).toBeInstanceOf(ExpiringTargetsError);
    expect(error).not.toBeInstanceOf(LaunchDarklyApiError);
    const e = error as PartialFailureError<PatchResult<SegmentInstruction>>;
    expect(e.name).toBe('PartialFailureError');
    expect(e.message).toBe('2 of 3 instructions failed');
    expect(e.result.ok).toBe(false);
    expect(e.result.counts).toEqual({ total: 3, applied: 1, failed: 2, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(e.result.requestId).toBe('req-partial');
    expect(e.result.errors.map((f) => f.instructionIndex)).toEqual([1, 2]);
    expect(e.result.errors[0]?.instruction).toBe(instructions[1]);
    expect(e.result.errors[1]?.instruction).toBe(instructions[2]);
    // Identical to what patch returns without the option.
    const plain = await ld().segments.patch(SEG_REF, instructions);
    expect(e.result).toEqual(plain);
  });

  it('throwOnPartialFailure does not throw when everything applied', async () => {
    server.reply = (_req, res) => json(res, 200, { items: [], errors: [] });
    const result = await ld().segments.patch(SEG_REF, threeInstructions(), { throwOnPartialFailure: true });
    expect(result.ok).toBe(true);
  });

  it.each([
    [7, 'far out of range'],
    [-1, 'negative'],
    [2, 'one past the end (a 1-based index would land here)'],
  ])('instructionIndex %d (%s) is reported unmapped, never pinned on another instruction', async (index) => {
    server.reply = (_req, res) => json(res, 200, { items: [], errors: [{ instructionIndex: index, message: 'boom' }] });
    const instructions = threeInstructions().slice(0, 2);
    const result = await ld().segments.patch(SEG_REF, instructions);
    expect(result.ok).toBe(false);
    expect(result.errors).toStrictEqual([{ mapped: false, instructionIndex: index, message: 'boom', instruction: undefined }]);
    expect(result.errors.some((f) => f.instruction !== undefined)).toBe(false);
    // An error pinned on no instruction of ours puts every instruction in doubt; none is called failed.
    expect(result.counts).toEqual({ total: 2, applied: 0, failed: 0, unknown: 2, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.outcomes.map((o) => o.fate)).toEqual(['unknown', 'unknown']);
  });

  it('7 and -1 together with a real failure: only the real one is mapped', async () => {
    server.reply = (_req, res) =>
      json(res, 200, {
        items: [],
        errors: [
          { instructionIndex: 7, message: 'far' },
          { instructionIndex: 0, message: 'real' },
          { instructionIndex: -1, message: 'negative' },
        ],
      });
    const instructions = threeInstructions().slice(0, 2);
    const result = await ld().segments.patch(SEG_REF, instructions);
    expect(result.errors).toStrictEqual([
      { mapped: false, instructionIndex: 7, message: 'far', instruction: undefined },
      { mapped: true, instructionIndex: 0, message: 'real', instruction: instructions[0] },
      { mapped: false, instructionIndex: -1, message: 'negative', instruction: undefined },
    ]);
    expect(result.errors[1]?.instruction).toBe(instructions[0]);
    // Only the pinned one is failed; the other is in doubt, not blamed.
    expect(result.counts).toEqual({ total: 2, applied: 0, failed: 1, unknown: 1, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.outcomes.map((o) => [o.fate, o.message])).toEqual([
      ['failed', 'real'],
      ['unknown', expect.stringMatching(/outside this request/)],
    ]);
  });

  it('two errors on the same instruction count it once', async () => {
    server.reply = (_req, res) =>
      json(res, 200, {
        items: [],
        errors: [
          { instructionIndex: 0, message: 'a' },
          { instructionIndex: 0, message: 'b' },
        ],
      });
    const result = await ld().segments.patch(SEG_REF, threeInstructions());
    expect(result.errors).toHaveLength(2);
    expect(result.counts).toEqual({ total: 3, applied: 2, failed: 1, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 });
    expect(result.outcomes[0]).toMatchObject({ fate: 'failed', message: 'a' });
  });
});

describe('get results', () => {
  it('reads items, numbers and Dates', async () => {
    server.reply = (_req, res) =>
      json(res, 200, { items: [item(), item({ contextKey: 'bob', expirationDate: 0 })] }, { 'X-Request-Id': 'req-get' });
    const result = await ld().segments.get(SEG_REF);
    expect(result.items.map((i) => i.contextKey)).toEqual(['alice', 'bob']);
    expect(result.items[0]).toEqual({ ...item(), expirationDate: MS, expiresAt: new Date(MS) });
    expect(result.items[1]?.expiresAt.getTime()).toBe(0);
    expect(result.requestId).toBe('req-get');
  });

  it('a numeric-string expirationDate "1672358400000" becomes a number and a Date', async () => {
    server.reply = (_req, res) => json(res, 200, { items: [item({ expirationDate: '1672358400000' })] });
    const result = await ld().flags.get(FLAG_REF);
    const target = result.items[0]!;
    expect(target.expirationDate).toBe(1_672_358_400_000);
    expect(typeof target.expirationDate).toBe('number');
    expect(target.expiresAt).toBeInstanceOf(Date);
    expect(target.expiresAt.toISOString()).toBe('2022-12-30T00:00:00.000Z');
    // raw keeps the body as received
    expect(result.raw.items[0]?.expirationDate).toBe('1672358400000');
  });

  it.each([['tomorrow'], ['2030-12-31T00:00:00Z'], [null], [''], [{}], [[MS]], [true]])(
    'an unreadable expirationDate %j gives InvalidResponseError',
    async (expirationDate) => {
      server.reply = (_req, res) => json(res, 200, { items: [item(), item({ expirationDate })] });
      const error = await ld()
        .segments.get(SEG_REF)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error).toBeInstanceOf(LaunchDarklyApiError);
      expect((error as InvalidResponseError).status).toBe(200);
      expect((error as Error).message).toMatch(/unreadable expirationDate/);
    },
  );

  it('a missing expirationDate gives InvalidResponseError', async () => {
    const { expirationDate: _drop, ...rest } = item();
    server.reply = (_req, res) => json(res, 200, { items: [rest] });
    await expect(ld().segments.get(SEG_REF)).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it('an unreadable expirationDate in a PATCH answer gives InvalidResponseError too', async () => {
    server.reply = (_req, res) => json(res, 200, { items: [item({ expirationDate: 'soon' })], errors: [] });
    await expect(ld().segments.patch(SEG_REF, threeInstructions())).rejects.toBeInstanceOf(InvalidResponseError);
  });
});

describe('unusable 200 bodies', () => {
  const html = (_req: RecordedRequest, res: http.ServerResponse) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html><body>Welcome to the captive portal</body></html>');
  };

  it('200 with a non-JSON body gives InvalidResponseError (GET and PATCH)', async () => {
    server.reply = html;
    for (const call of [() => ld().segments.get(SEG_REF), () => ld().segments.patch(SEG_REF, threeInstructions())]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect((error as InvalidResponseError).status).toBe(200);
      expect((error as Error).message).toMatch(/not JSON/);
    }
  });

  it('200 with JSON that says application/json but is truncated gives InvalidResponseError', async () => {
    server.reply = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"items": [');
    };
    await expect(ld().flags.get(FLAG_REF)).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it('200 with an empty body gives InvalidResponseError', async () => {
    server.reply = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '0' });
      res.end();
    };
    const error = await ld()
      .segments.get(SEG_REF)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/empty body/);
  });

  it.each([[{}], [{ items: 'none' }], [[]], [null]])('200 with JSON %j but no items list gives InvalidResponseError', async (body) => {
    server.reply = (_req, res) => json(res, 200, body);
    const error = await ld()
      .segments.get(SEG_REF)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toMatch(/items/);
  });
});

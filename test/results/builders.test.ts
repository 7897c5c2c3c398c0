// The one result vocabulary: counting fates, the ledger a bulk run keeps, the fate an error
// gives, and turning answers into results (targets, index mapping).
import { describe, expect, it } from 'vitest';
import { ApiConnectionError } from '../../src/core/connection-errors.js';
import { InvalidResponseError, PartialFailureError, ServerError } from '../../src/core/errors.js';
import { bulkResult, OutcomeTally, outcomeOfError } from '../../src/core/bulk-outcomes.js';
import { countOutcomes, type InstructionOutcome, patchResult, toGetResult, toPatchResult } from '../../src/core/results.js';

const o = (
  index: number,
  fate: InstructionOutcome<string>['fate'],
  extra: Partial<InstructionOutcome<string>> = {},
): InstructionOutcome<string> => ({
  index,
  instruction: `i${index}`,
  fate,
  ...extra,
});
const zero = { total: 0, applied: 0, failed: 0, unknown: 0, notAttempted: 0, reconciled: 0, resent: 0 };
const answer = (status = 200, headers: Record<string, string> = {}) => new Response(null, { status, headers });
const target = (expirationDate: unknown) => ({
  _id: '1',
  _version: 1,
  contextKind: 'user',
  contextKey: 'a',
  targetType: 'included',
  expirationDate,
  _resourceId: {},
});

describe('countOutcomes', () => {
  it('counts each fate, what reading back decided and what was resent', () => {
    expect(countOutcomes([])).toEqual(zero);
    expect(
      countOutcomes([
        o(0, 'applied'),
        o(1, 'applied', { decidedBy: 'read-back', resent: true }),
        o(2, 'failed', { decidedBy: 'read-back' }),
        o(3, 'failed', { decidedBy: 'response' }),
        o(4, 'unknown'),
        o(5, 'notAttempted', { resent: false }),
      ]),
    ).toEqual({ total: 6, applied: 2, failed: 2, unknown: 1, notAttempted: 1, reconciled: 2, resent: 1 });
  });
});

describe('OutcomeTally', () => {
  it('keeps counts equal to countOutcomes through every change', () => {
    const tally = new OutcomeTally();
    expect(tally.counts).toEqual(zero);
    tally.expect(2);
    const now = [o(0, 'notAttempted'), o(1, 'notAttempted')];
    expect(tally.counts).toEqual({ ...zero, total: 2, notAttempted: 2 });
    const move = (i: number, next: InstructionOutcome<string>) => {
      tally.change(now[i]!, next);
      now[i] = next;
      expect(tally.counts).toEqual(countOutcomes(now));
    };
    move(0, o(0, 'unknown'));
    move(1, o(1, 'failed', { decidedBy: 'response' }));
    expect(tally.counts).toEqual({ ...zero, total: 2, unknown: 1, failed: 1 });
    move(0, o(0, 'failed', { decidedBy: 'read-back' }));
    expect(tally.counts).toEqual({ ...zero, total: 2, failed: 2, reconciled: 1 });
    move(0, o(0, 'applied', { resent: true }));
    expect(tally.counts).toEqual({ ...zero, total: 2, failed: 1, applied: 1, resent: 1 });
    move(0, o(0, 'applied', { decidedBy: 'read-back', resent: true }));
    expect(tally.counts).toEqual({ ...zero, total: 2, failed: 1, applied: 1, resent: 1, reconciled: 1 });
    move(0, o(0, 'unknown'));
    expect(tally.counts).toEqual({ ...zero, total: 2, failed: 1, unknown: 1 });
  });

  it('hands out a copy of the counts', () => {
    const tally = new OutcomeTally();
    tally.expect();
    tally.change(o(0, 'notAttempted'), o(0, 'applied'));
    const snapshot = tally.counts;
    snapshot.applied = 99;
    expect(tally.counts.applied).toBe(1);
  });
});

describe('outcomeOfError', () => {
  it('takes the fate, message and status from one of our errors', () => {
    const error = new ServerError('PATCH /x failed with 502', { status: 502 });
    expect(outcomeOfError(3, 'i3', error)).toEqual({
      index: 3,
      instruction: 'i3',
      fate: 'unknown',
      message: 'PATCH /x failed with 502',
      status: 502,
      error,
    });
  });

  it('a refusal with a status is failed, decided by the response', () => {
    const error = new ServerError('x', { status: 400 });
    Object.defineProperty(error, 'instructionsFate', { value: 'failed' });
    expect(outcomeOfError(0, 'i0', error)).toMatchObject({ fate: 'failed', status: 400, decidedBy: 'response' });
  });

  it('a failed fate without a status was not decided by a response', () => {
    const error = new PartialFailureError('1 of 2 instructions failed', {});
    expect(outcomeOfError(0, 'i0', error)).toEqual({
      index: 0,
      instruction: 'i0',
      fate: 'failed',
      message: '1 of 2 instructions failed',
      status: undefined,
      error,
    });
  });

  it('a failure without a status has no decidedBy, even when failed', () => {
    const error = new ApiConnectionError('refused', { stage: 'before-send' });
    expect(outcomeOfError(0, 'i0', error)).toEqual({
      index: 0,
      instruction: 'i0',
      fate: 'notAttempted',
      message: 'refused',
      status: undefined,
      error,
    });
  });

  it('anything else thrown leaves the fate unknown, its text as the message', () => {
    expect(outcomeOfError(1, 'i1', new TypeError('boom'))).toEqual({
      index: 1,
      instruction: 'i1',
      fate: 'unknown',
      message: 'boom',
      status: undefined,
      error: undefined,
    });
    expect(outcomeOfError(1, 'i1', 'text')).toMatchObject({ fate: 'unknown', message: 'text' });
    expect(outcomeOfError(1, 'i1', { status: 'x' })).toMatchObject({ status: undefined });
    expect(outcomeOfError(1, 'i1', null)).toMatchObject({ fate: 'unknown', message: 'null', status: undefined });
  });
});

describe('patchResult and bulkResult', () => {
  const rest = { errors: [], items: [], requestId: 'r', raw: { items: [] } };

  it('ok only when every instruction applied', () => {
    expect(patchResult([o(0, 'applied'), o(1, 'applied')], rest)).toMatchObject({
      ok: true,
      counts: { total: 2, applied: 2 },
      requestId: 'r',
    });
    expect(patchResult([o(0, 'applied'), o(1, 'unknown')], rest).ok).toBe(false);
    expect(patchResult([], rest).ok).toBe(true);
  });

  it('bulkResult lists the outcomes of each fate', () => {
    const outcomes = [o(0, 'applied'), o(1, 'failed'), o(2, 'unknown'), o(3, 'notAttempted'), o(4, 'applied')];
    const stoppedBy = new ServerError('x', { status: 500 });
    const result = bulkResult(outcomes, countOutcomes(outcomes), stoppedBy);
    expect(result.applied.map((x) => x.index)).toEqual([0, 4]);
    expect(result.failed.map((x) => x.index)).toEqual([1]);
    expect(result.unknown.map((x) => x.index)).toEqual([2]);
    expect(result.notAttempted.map((x) => x.index)).toEqual([3]);
    expect(result).toMatchObject({ ok: false, stoppedBy, outcomes });
    expect(bulkResult([o(0, 'applied')], countOutcomes([o(0, 'applied')]), undefined).ok).toBe(true);
  });
});

describe('toGetResult', () => {
  it('reads expirationDate as a number or a string of digits, with a Date beside it', () => {
    const result = toGetResult({ items: [target(5), target(' 1672358400000 ')] }, answer(200, { 'X-Request-Id': 'req-1' }));
    expect(result.items.map((t) => [t.expirationDate, t.expiresAt.getTime()])).toEqual([
      [5, 5],
      [1_672_358_400_000, 1_672_358_400_000],
    ]);
    expect(result.requestId).toBe('req-1');
    expect(toGetResult({ items: [] }, answer()).requestId).toBeUndefined();
  });

  it.each<[unknown, string]>([
    ['12.5', '"12.5"'],
    ['-5', '"-5"'],
    ['', '""'],
    [Number.NaN, 'null'],
    [undefined, 'undefined'],
    ['x'.repeat(300), `"${'x'.repeat(99)}`],
  ])('refuses %j with what it got, cut to 100 characters', (expirationDate, shown) => {
    const error = (() => {
      try {
        toGetResult({ items: [target(expirationDate)] }, answer(200));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect((error as Error).message).toBe(`LaunchDarkly returned an unreadable expirationDate: ${shown}`);
    expect((error as InvalidResponseError).status).toBe(200);
  });

  it('refuses a body without an items list, with the status', () => {
    expect(() => toGetResult({ items: {} }, answer())).toThrow('LaunchDarkly returned a body without an items list');
    expect(() => toGetResult(null, answer(206))).toThrow(expect.objectContaining({ name: 'InvalidResponseError', status: 206 }));
  });
});

describe('toPatchResult', () => {
  const four = ['a', 'b', 'c', 'd'];

  it('maps each reported error to the instruction at that 0-based index, with the status', () => {
    const result = toPatchResult(
      { items: [], errors: [{ instructionIndex: 2, message: 'no' }] },
      answer(200, { 'X-Request-Id': 'req-2' }),
      four,
    );
    expect(result.outcomes).toEqual([
      { index: 0, instruction: 'a', fate: 'applied', decidedBy: 'response' },
      { index: 1, instruction: 'b', fate: 'applied', decidedBy: 'response' },
      { index: 2, instruction: 'c', fate: 'failed', message: 'no', status: 200, decidedBy: 'response' },
      { index: 3, instruction: 'd', fate: 'applied', decidedBy: 'response' },
    ]);
    expect(result.errors).toEqual([{ mapped: true, instructionIndex: 2, message: 'no', instruction: 'c' }]);
    expect(result.requestId).toBe('req-2');
  });

  it('the first and last index map, and a string of digits', () => {
    const mapped = toPatchResult(
      {
        items: [],
        errors: [
          { instructionIndex: 0, message: 'x' },
          { instructionIndex: 3, message: 'y' },
          { instructionIndex: ' 1 ', message: 'z' },
        ],
      },
      answer(),
      four,
    );
    expect(mapped.errors.map((e) => [e.mapped, e.instructionIndex, e.instruction])).toEqual([
      [true, 0, 'a'],
      [true, 3, 'd'],
      [true, 1, 'b'],
    ]);
  });

  // null, "", false and [] all convert to 0 with Number(): they must not pin an error on the first instruction.
  it.each<[unknown, number]>([
    [4, 4],
    [-1, -1],
    [1.5, 1.5],
    ['two', Number.NaN],
    ['1.5', Number.NaN],
    [null, Number.NaN],
    ['', Number.NaN],
    [false, Number.NaN],
    [[], Number.NaN],
    [undefined, Number.NaN],
  ])('instructionIndex %j names no instruction of the request', (instructionIndex, shown) => {
    const result = toPatchResult({ items: [], errors: [{ instructionIndex, message: 'z' }] }, answer(), four);
    expect(result.errors).toEqual([{ mapped: false, instructionIndex: shown, message: 'z', instruction: undefined }]);
    expect(result.outcomes.every((x) => x.fate === 'unknown')).toBe(true);
  });

  it('a string of several digits is read whole', () => {
    const result = toPatchResult({ items: [], errors: [{ instructionIndex: '10', message: 'z' }] }, answer(), four);
    expect(result.errors).toEqual([{ mapped: false, instructionIndex: 10, message: 'z', instruction: undefined }]);
  });

  it('an entry that is not an object names no instruction, and breaks nothing', () => {
    const result = toPatchResult({ items: [], errors: [null, 'oops'] }, answer(), four);
    expect(result.errors).toEqual([
      { mapped: false, instructionIndex: Number.NaN, message: 'instruction failed', instruction: undefined },
      { mapped: false, instructionIndex: Number.NaN, message: 'instruction failed', instruction: undefined },
    ]);
  });

  it('an error without a message still fails its instruction', () => {
    const result = toPatchResult({ items: [], errors: [{ instructionIndex: 1 }] }, answer(), four);
    expect(result.errors[0]).toMatchObject({ message: 'instruction failed' });
    expect(result.outcomes[1]).toMatchObject({ fate: 'failed', message: 'instruction failed' });
  });

  it('an errors field that is not a list reports nothing', () => {
    expect(toPatchResult({ items: [], errors: 'none' }, answer(), four).ok).toBe(true);
  });
});

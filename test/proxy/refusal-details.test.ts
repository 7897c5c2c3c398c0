/**
 * The details of the proxy's own answers and events, through the bare fetch handler in front of
 * the fake LaunchDarkly: the exact body of a refusal, what an event records for each kind of
 * refusal, how `authorize`'s failures are worded, the body-size cap at its boundary, and which
 * bodies pass the media-type check.
 */
import { describe, expect, it } from 'vitest';
import { ADD_ALICE, handlersBeforeFakeLaunchDarkly, SEGMENT_URL, SEMANTIC_PATCH } from '../support/proxy-handler.js';

const proxyWith = handlersBeforeFakeLaunchDarkly('api-refusal-details-0000-token');

describe('a refusal’s body', () => {
  it('one invalid instruction: the problem listed, no count of more', async () => {
    const { patch } = proxyWith();
    const response = await patch(JSON.stringify({ instructions: [{ ...ADD_ALICE, targetType: 'both' }] }));
    expect([response.status, response.body]).toEqual([
      400,
      {
        code: 'invalid_body',
        message: 'Invalid semantic patch, 1 problem; nothing was sent',
        issues: [{ index: 0, field: 'targetType', message: 'must be "included" or "excluded", got "both"' }],
      },
    ]);
  });

  it('a body that is not an object: one problem, about the body', async () => {
    const { patch } = proxyWith();
    for (const body of ['null', '"text"', '[]', '7']) {
      const answer = (await patch(body)).body as { message: string; issues: { field: string; message: string }[] };
      expect(answer.issues.map((issue) => [issue.field, issue.message.startsWith('must be an object, got ')])).toEqual([['body', true]]);
      expect(answer.message).toBe('Invalid semantic patch, 1 problem; nothing was sent');
    }
  });
});

describe('the bounds of a PATCH body', () => {
  it('an empty list, a long value quoted in a problem (cut at 200 characters), and a time in the past with allowPast', async () => {
    const { patch } = proxyWith();
    const empty = (await patch(JSON.stringify({ instructions: [] }))).body;
    expect(empty.issues).toEqual([{ field: 'instructions', message: 'must hold at least one instruction' }]);
    const long = (await patch(JSON.stringify({ instructions: [{ ...ADD_ALICE, targetType: 'k'.repeat(500) }] }))).body;
    expect(long.issues[0].message).toHaveLength(201);
    expect(long.issues[0].message.endsWith('k…')).toBe(true);
    const past = JSON.stringify({ instructions: [{ ...ADD_ALICE, value: Date.parse('2020-01-01') }] });
    expect((await patch(past)).status).toBe(400);
    expect((await proxyWith({ allowPast: true }).patch(past)).status).toBe(200);
  });

  it('nested arrays count towards maxInstructions before parsing', async () => {
    const { patch } = proxyWith({ maxInstructions: 2 });
    expect((await patch('{"instructions":[[[[1]]]]}')).body.message).toBe(
      'The body holds more than 2 instructions; at most 2 are accepted',
    );
  });
});

describe('what the event of a refusal records', () => {
  it('a method override names no operation; a refused query does', async () => {
    const { send, events } = proxyWith();
    await send({ headers: { 'X-HTTP-Method-Override': 'DELETE' } });
    await send({}, `${SEGMENT_URL}?limit=1`);
    expect(events.map((e) => [e.status, e.refusal, e.operation, e.operationId])).toEqual([
      [405, 'method-not-allowed', undefined, undefined],
      [400, 'query-not-allowed', 'get', 'getExpiringTargetsForSegment'],
    ]);
    expect('operation' in (events[0] as object)).toBe(false);
  });
});

describe('authorize’s failures, as the event words them', () => {
  it('a thrown Error with its cause, and a thrown string', async () => {
    const causes = [new Error('pool exhausted', { cause: new TypeError('socket closed') }), 'no session'];
    for (const thrown of causes) {
      const { send, events } = proxyWith({}, () => {
        throw thrown;
      });
      expect((await send()).status).toBe(500);
      expect(events[0]?.error).toBe(
        typeof thrown === 'string' ? 'authorize threw no session' : 'authorize threw Error: pool exhausted (TypeError: socket closed)',
      );
    }
  });
});

describe('the body-size cap at its boundary', () => {
  const sized = (bytes: number) => {
    const body = JSON.stringify({ instructions: [ADD_ALICE], comment: '' });
    return JSON.stringify({ instructions: [ADD_ALICE], comment: 'x'.repeat(bytes - body.length) });
  };

  it('a declared length of exactly maxBodyBytes is read and forwarded; one more is refused unread', async () => {
    const { patch, events } = proxyWith({ maxBodyBytes: 300 });
    expect((await patch(sized(300), { 'Content-Length': '300' })).status).toBe(200);
    const over = await patch(sized(301), { 'Content-Length': '301' });
    expect([over.status, over.body]).toEqual([413, { code: 'body_too_large', message: 'The body is larger than 300 bytes' }]);
    expect(events.map((e) => e.refusal)).toEqual([undefined, 'body-too-large']);
  });

  it('a stream past the cap without a declared length is refused while reading', async () => {
    const { send } = proxyWith({ maxBodyBytes: 300 });
    const body = new Blob([sized(301)]).stream();
    const response = await send({ method: 'PATCH', headers: { 'Content-Type': SEMANTIC_PATCH }, body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(413);
  });
});

describe('the media-type check', () => {
  it.each([
    ['Application/JSON; domain-model=launchdarkly.semanticpatch', {}, 200],
    [SEMANTIC_PATCH, { 'Content-Encoding': 'identity' }, 200],
    [SEMANTIC_PATCH, { 'Content-Encoding': ' Identity ' }, 200],
    [SEMANTIC_PATCH, { 'Content-Encoding': 'br' }, 415],
    ['application/json-patch+json', {}, 415],
  ])('%s %j: %i', async (type, extra, status) => {
    const { patch } = proxyWith();
    expect((await patch(JSON.stringify({ instructions: [ADD_ALICE] }), { 'Content-Type': type, ...extra })).status).toBe(status);
  });
});

describe('actorRateLimit', () => {
  it('applies only to requests whose authorize named an actor', async () => {
    const { send } = proxyWith({ actorRateLimit: { requests: 1, windowMs: 60_000 } });
    expect([(await send()).status, (await send()).status]).toEqual([200, 200]);
  });
});

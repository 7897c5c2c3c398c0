/**
 * An expiry time that has already passed makes LaunchDarkly remove the context at once, which is
 * rarely what was meant: the helpers, `patch` and `patchAll` refuse it unless `allowPast: true`,
 * and the command line unless `--allow-past`. Nothing is sent when it is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createExpiringTargetsClient,
  flagInstructions,
  InstructionValidationError,
  segmentInstructions,
  type SegmentInstruction,
} from '../../src/index.js';
import { type CliResult, ensureCliBuilt, runCli } from '../support/cli.js';
import { json, startServer, type TestServer } from '../support/http-server.js';

const SEG = { contextKind: 'user', contextKey: 'alice', targetType: 'included' } as const;
const REF = { projectKey: 'p', environmentKey: 'e', segmentKey: 's' };
const PAST = '2020-01-01T00:00:00Z';
const PAST_MS = Date.UTC(2020, 0, 1);

let server: TestServer;
beforeAll(async () => {
  await ensureCliBuilt();
  server = await startServer((_req, res) =>
    json(res, 200, { items: [], totalInstructions: 1, successfulInstructions: 1, failedInstructions: 0, errors: [] }),
  );
}, 120_000);
afterAll(() => server.close());

function thrown(fn: () => unknown): InstructionValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InstructionValidationError);
    return error as InstructionValidationError;
  }
  throw new Error('expected an InstructionValidationError');
}

describe('the helpers', () => {
  it('refuse a past expiresAt on add and update, naming the field and the time', () => {
    for (const build of [
      () => segmentInstructions.add({ ...SEG, expiresAt: PAST }),
      () => flagInstructions.update({ contextKind: 'user', contextKey: 'a', variationId: 'v', expiresAt: PAST_MS }),
    ]) {
      const error = thrown(build);
      expect(error.issues).toEqual([
        { field: 'expiresAt', message: expect.stringMatching(/in the past \(2020-01-01T00:00:00\.000Z\).*allowPast/) },
      ]);
    }
  });

  it('accept it with allowPast: true, and allowPast never reaches the wire', () => {
    const i = segmentInstructions.add({ ...SEG, expiresAt: PAST, allowPast: true });
    expect(i).toStrictEqual({ kind: 'addExpiringTarget', ...SEG, value: PAST_MS });
  });

  it('accept a time a minute ahead', () => {
    const soon = Date.now() + 60_000;
    expect(segmentInstructions.update({ ...SEG, expiresAt: soon }).value).toBe(soon);
  });

  it('refuse allowPast on remove, which takes no time', () => {
    const remove = segmentInstructions.remove as (input: Record<string, unknown>) => unknown;
    expect(thrown(() => remove({ ...SEG, allowPast: true })).issues.map((i) => i.field)).toEqual(['allowPast']);
  });
});

describe('patch and patchAll', () => {
  const past: SegmentInstruction = { kind: 'addExpiringTarget', ...SEG, value: PAST_MS };

  it('refuse a past value before sending anything', async () => {
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: server.url, maxRetries: 0 });
    const before = server.requests.length;
    await expect(ld.segments.patch(REF, [past])).rejects.toMatchObject({
      name: 'InstructionValidationError',
      issues: [{ index: 0, field: 'value', message: expect.stringMatching(/in the past/) }],
    });
    await expect(ld.segments.patchAll(REF, [past])).rejects.toBeInstanceOf(InstructionValidationError);
    expect(server.requests.length).toBe(before);
  });

  it('send it with allowPast: true', async () => {
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: server.url, maxRetries: 0 });
    const result = await ld.segments.patch(REF, [past], { allowPast: true });
    expect(result.ok).toBe(true);
    expect(server.requests.at(-1)?.json).toEqual({ instructions: [past] });
    const run = await ld.segments.patchAll(REF, [past], { allowPast: true });
    expect(run.counts.applied).toBe(1);
  });
});

describe('the command line', () => {
  const where = ['--project', 'p', '--env', 'e', '--segment', 's', '--context', 'user:alice', '--target-type', 'included'];
  const cli = (args: string[]): Promise<CliResult> => runCli(args, { env: {} });

  it('refuses --at in the past with exit 2 and sends nothing', async () => {
    const before = server.requests.length;
    const result = await cli(['segment', 'add', ...where, '--at', PAST, '--base-url', server.url, '--token', 'test-token']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--at is in the past \(2020-01-01T00:00:00\.000Z\)/);
    expect(server.requests.length).toBe(before);
  });

  it('sends it with --allow-past', async () => {
    const result = await cli(['segment', 'add', ...where, '--at', PAST, '--allow-past', '--base-url', server.url, '--token', 'test-token']);
    expect(result.code).toBe(0);
    expect(server.requests.at(-1)?.json).toEqual({ instructions: [{ kind: 'addExpiringTarget', ...SEG, value: PAST_MS }] });
  });
});

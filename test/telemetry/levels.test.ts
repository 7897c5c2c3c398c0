// What each level writes, where the level comes from, and that logging can never break a call.
import { SpanKind } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, createExpiringTargetsClient, type LogLevel, segmentInstructions } from '../../src/index.js';
import { json, scriptedServer } from '../support/http-server.js';
import { type CapturedTelemetry, captureLogger, captureTelemetry } from '../support/telemetry.js';

const server = scriptedServer();
const REF = { projectKey: 'default', environmentKey: 'production', segmentKey: 'beta-testers' };
const T = Date.UTC(2031, 0, 1);
const add = (key: string) => segmentInstructions.add({ contextKind: 'user', contextKey: key, targetType: 'included', expiresAt: T });
const TOKEN = 'api-levels-token-0003';

const partialFailure = () => {
  server.reply = (_req, res) => json(res, 200, { items: [], errors: [{ instructionIndex: 1, message: 'context not found' }] });
};

describe('levels', () => {
  const levelsOf = async (logLevel: LogLevel) => {
    partialFailure();
    const logger = captureLogger();
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logLevel, logger });
    await ld.segments.patch(REF, [add('a'), add('b')]);
    return logger.lines.map((l) => l.level);
  };

  it.each([
    ['debug', ['debug', 'debug', 'info', 'warn']],
    ['info', ['info', 'warn']],
    ['warn', ['warn']],
    ['error', []],
    ['off', []],
  ] as const)('%s writes %j for a PATCH that partly fails', async (level, expected) => {
    expect(await levelsOf(level)).toEqual(expected);
  });

  it('warns of a partial failure with its counts', async () => {
    partialFailure();
    const logger = captureLogger();
    await createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logger }).segments.patch(REF, [add('a'), add('b')]);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: 'patchExpiringTargetsForSegment default/production/beta-testers: 1 failed, 0 unknown, 0 not attempted of 2',
        data: expect.objectContaining({ status: 200, attempts: 1, counts: expect.objectContaining({ total: 2, applied: 1, failed: 1 }) }),
      },
    ]);
  });

  it('warns of an unknown outcome, and logs an error for what throws', async () => {
    server.reply = (_req, res) => json(res, 503, { code: 'unavailable', message: 'try later' });
    const logger = captureLogger();
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logger, maxRetries: 0 });
    await expect(ld.segments.patch(REF, [add('a')])).rejects.toThrow(/503/);
    server.reply = (_req, res) => json(res, 404, { code: 'not_found', message: 'no such segment' });
    await expect(ld.segments.get(REF)).rejects.toThrow(/404/);
    expect(logger.lines.map((l) => [l.level, l.data?.errorType, l.data?.status, l.data?.fate])).toEqual([
      ['warn', 'ServerError', 503, 'unknown'],
      ['error', 'NotFoundError', 404, 'failed'],
    ]);
    expect(logger.lines[1]!.message).toMatch(
      /^getExpiringTargetsForSegment default\/production\/beta-testers failed in \d+ ms: GET .* failed with 404 not_found: no such segment$/,
    );
  });

  it('counts every attempt in the line of a call that ends badly at the default level', async () => {
    server.reply = (_req, res) => json(res, 503, { code: 'unavailable', message: 'try later' });
    const logger = captureLogger();
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logger, maxRetries: 2, maxRetryDelayMs: 5 });
    await expect(ld.segments.get(REF)).rejects.toThrow(/503/);
    expect(logger.lines).toEqual([
      {
        level: 'warn',
        message: expect.stringMatching(
          /^getExpiringTargetsForSegment default\/production\/beta-testers outcome unknown after 3 attempts in \d+ ms: /,
        ),
        data: expect.objectContaining({ attempts: 3, status: 503, errorType: 'ServerError' }),
      },
    ]);
  });

  it('takes the level from LD_EXPIRING_TARGETS_LOG when the option is absent, and the option over it', async () => {
    vi.stubEnv('LD_EXPIRING_TARGETS_LOG', 'info');
    try {
      server.reply = (_req, res) => json(res, 200, { items: [] });
      const fromEnv = captureLogger();
      await createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logger: fromEnv }).segments.get(REF);
      expect(fromEnv.lines.map((l) => l.level)).toEqual(['info']);
      const fromOption = captureLogger();
      await createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logger: fromOption, logLevel: 'warn' }).segments.get(REF);
      expect(fromOption.lines).toEqual([]);
      // A mistyped variable means the default, so a deployed service still starts.
      vi.stubEnv('LD_EXPIRING_TARGETS_LOG', 'verbose');
      const mistyped = captureLogger();
      partialFailure();
      await createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logger: mistyped }).segments.patch(REF, [add('a'), add('b')]);
      expect(mistyped.lines.map((l) => l.level)).toEqual(['warn']);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses a level or logger that cannot work, before any request', () => {
    expect(() => createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logLevel: 'verbose' as LogLevel })).toThrow(
      ConfigurationError,
    );
    expect(() => createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logger: { info: () => {} } as never })).toThrow(
      /logger must have the methods error,warn,info,debug/,
    );
  });

  it('keeps the call working when the logger throws', async () => {
    server.reply = (_req, res) => json(res, 200, { items: [] });
    const boom = () => {
      throw new Error('disk full');
    };
    const ld = createExpiringTargetsClient({
      apiKey: TOKEN,
      baseUrl: server.url,
      logLevel: 'debug',
      logger: { error: boom, warn: boom, info: boom, debug: boom },
    });
    await expect(ld.segments.get(REF)).resolves.toMatchObject({ items: [] });
  });

  it('logs a raw call as a call of its own', async () => {
    server.reply = (_req, res) => json(res, 200, { items: [] }, { 'X-Request-Id': 'raw-1' });
    const logger = captureLogger();
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logLevel: 'info', logger });
    await ld.raw.GET('/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}', {
      params: { path: { projectKey: 'p', segmentKey: 's', environmentKey: 'e' } },
    });
    expect(logger.lines.map((l) => [l.level, l.data?.operation, l.data?.status, l.data?.requestId])).toEqual([
      ['info', 'GET', 200, 'raw-1'],
    ]);
  });
});

describe('patchAll', () => {
  let otel: CapturedTelemetry;
  beforeAll(() => {
    otel = captureTelemetry();
  });
  afterEach(() => otel.reset());
  afterAll(() => otel.stop());

  it('is one span whose batches are its children, its fates counted as attributes', async () => {
    partialFailure();
    const logger = captureLogger();
    const ld = createExpiringTargetsClient({ apiKey: TOKEN, baseUrl: server.url, logLevel: 'info', logger });
    const run = await ld.segments.patchAll(REF, [add('a'), add('b'), add('c'), add('d')], { batchSize: 2 });
    expect(run.counts).toMatchObject({ total: 4, applied: 2, failed: 2 });
    const spans = otel.spans();
    const runSpan = spans.find((s) => s.name === 'patchAll');
    const batches = spans.filter((s) => s.name === 'patchExpiringTargetsForSegment');
    expect(batches).toHaveLength(2);
    for (const batch of batches) expect(batch.parentSpanContext?.spanId).toBe(runSpan?.spanContext().spanId);
    expect(
      spans
        .filter((s) => s.kind === SpanKind.CLIENT)
        .every((s) => batches.some((b) => b.spanContext().spanId === s.parentSpanContext?.spanId)),
    ).toBe(true);
    expect(runSpan?.attributes).toMatchObject({
      'ld_expiring_targets.instructions': 4,
      'ld_expiring_targets.instructions.total': 4,
      'ld_expiring_targets.instructions.applied': 2,
      'ld_expiring_targets.instructions.failed': 2,
      'error.type': 'partial_failure',
    });
    const info = logger.lines.filter((l) => l.level === 'info').map((l) => l.message);
    expect(info).toEqual([
      expect.stringMatching(/^patchExpiringTargetsForSegment default\/production\/beta-testers 200: 1 of 2 applied in \d+ ms$/),
      expect.stringMatching(/^patchExpiringTargetsForSegment default\/production\/beta-testers 200: 1 of 2 applied in \d+ ms$/),
      expect.stringMatching(/^patchAll default\/production\/beta-testers: 2 of 4 applied in \d+ ms$/),
    ]);
  });
});

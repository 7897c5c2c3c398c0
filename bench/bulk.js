#!/usr/bin/env node
// @ts-check
/**
 * npm run bench:bulk: 10,000 instructions through `segments.patchAll` against a local server that
 * allows N requests per window and says so with LaunchDarkly's X-Ratelimit-* headers.
 *
 * The lower bound is what a perfect client could do under that limit: with R requests and a
 * fixed window of W ms admitting N requests, the last request cannot start before
 * floor((R - 1) / N) * W ms. We print the achieved time over that bound, and the lost and
 * duplicated instruction counts seen by the server.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startFakeLaunchDarkly } from '../test/support/fake-launchdarkly.js';

const { values } = parseArgs({
  options: {
    instructions: { type: 'string', default: '10000' },
    'batch-size': { type: 'string', default: '50' },
    limit: { type: 'string', default: '20' },
    'window-ms': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '1' },
  },
});
const total = Number(values.instructions);
const batchSize = Number(values['batch-size']);
const limit = Number(values.limit);
const windowMs = Number(values['window-ms']);
const concurrency = Number(values.concurrency);

const { createExpiringTargetsClient, segmentInstructions } = await import('../dist/index.js');
const server = await startFakeLaunchDarkly({ rateLimit: { limit, windowMs } });
try {
  const ld = createExpiringTargetsClient({ apiKey: 'bench-token', baseUrl: server.url });
  const instructions = Array.from({ length: total }, (_, i) =>
    segmentInstructions.add({ contextKind: 'user', contextKey: `user-${i}`, targetType: 'included', expiresAt: 1_798_675_200_000 + i }),
  );
  const started = performance.now();
  const result = await ld.segments.patchAll({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' }, instructions, {
    batchSize,
    concurrency,
  });
  const elapsedMs = performance.now() - started;
  const requests = Math.ceil(total / batchSize);
  const lowerBoundMs = Math.floor((requests - 1) / limit) * windowMs;
  const processed = [...server.received.values()];
  const lost = total - server.applied.size;
  const duplicated = processed.filter((n) => n > 1).length;
  const row = {
    instructions: total,
    batchSize,
    concurrency,
    rateLimit: `${limit} per ${windowMs} ms`,
    requests,
    rateLimited429s: server.stats.rateLimited,
    elapsedMs: Math.round(elapsedMs),
    lowerBoundMs,
    ratio: Number((elapsedMs / lowerBoundMs).toFixed(3)),
    lost,
    duplicated,
    clientCounts: result.counts,
  };
  console.log('bulk benchmark (goal: ratio <= 1.15, lost 0, duplicated 0)');
  const { clientCounts: _counts, ...columns } = row;
  console.table([columns]);
  console.log(
    `ratio ${row.ratio} over the rate-limit bound; lost ${lost}; duplicated ${duplicated}; client counts ${JSON.stringify(result.counts)}`,
  );
  await mkdir(new URL('../.bench/', import.meta.url), { recursive: true });
  await writeFile(new URL('../.bench/bulk.json', import.meta.url), JSON.stringify(row, null, 2) + '\n');
  if (lost !== 0 || duplicated !== 0 || result.counts.applied !== total) process.exitCode = 1;
} finally {
  await server.close();
}

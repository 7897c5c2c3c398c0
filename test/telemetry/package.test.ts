/**
 * The otel subpath of the packed package, installed outside the repository: without
 * `@opentelemetry/api` the main entry works and only the subpath asks for it; with it, ESM and CJS
 * consumers register the instrumentation and get spans from a client made by the main entry.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackedConsumer, PACKAGE_NAME, preparePackedConsumer, run } from '../support/packed.js';

// A local server in the same script, so the consumer needs nothing else.
const script = (load: string) => `
${load}
const http = await import('node:http');
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
registerInstrumentation({ tracerProvider });
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"items":[]}'); });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const ld = createExpiringTargetsClient({ apiKey: 'api-packed-otel', baseUrl: 'http://127.0.0.1:' + server.address().port, logLevel: 'off' });
await ld.segments.get({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' });
server.close();
console.log(JSON.stringify(exporter.getFinishedSpans().map((s) => s.name)));
`;
const ESM = script(`import { createExpiringTargetsClient } from '${PACKAGE_NAME}';
import { registerInstrumentation } from '${PACKAGE_NAME}/otel';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';`);
const CJS = `(async () => {${script(`const { createExpiringTargetsClient } = require('${PACKAGE_NAME}');
const { registerInstrumentation } = require('${PACKAGE_NAME}/otel');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');`)}})();`;
const WITHOUT_API = `import { createExpiringTargetsClient } from '${PACKAGE_NAME}';
createExpiringTargetsClient({ baseUrl: 'http://127.0.0.1:9' });
let otel = 'loaded';
try { await import('${PACKAGE_NAME}/otel'); } catch (error) { otel = String(error.message).includes('@opentelemetry/api') ? 'needs @opentelemetry/api' : String(error); }
console.log(JSON.stringify({ main: 'ok', otel }));`;
const EXPECTED = ['GET /api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}', 'getExpiringTargetsForSegment'];

let consumer: PackedConsumer;
beforeAll(async () => {
  consumer = await preparePackedConsumer();
  await writeFile(path.join(consumer.dir, 'without-api.mjs'), WITHOUT_API);
  await writeFile(path.join(consumer.dir, 'otel.mjs'), ESM);
  await writeFile(path.join(consumer.dir, 'otel.cjs'), CJS);
}, 600_000);
afterAll(() => consumer?.cleanup());

const node = async (file: string) => JSON.parse((await run(process.execPath, [file], { cwd: consumer.dir, timeout: 60_000 })).stdout);

describe('the otel subpath of the packed package', () => {
  it('declares @opentelemetry/api as an optional peer, not a dependency', () => {
    expect(consumer.manifest.dependencies?.['@opentelemetry/api']).toBeUndefined();
    expect(consumer.manifest.peerDependencies?.['@opentelemetry/api']).toBeDefined();
    expect(consumer.manifest.peerDependenciesMeta?.['@opentelemetry/api']?.optional).toBe(true);
  });

  it('leaves an app without @opentelemetry/api working: only the subpath needs it', async () => {
    expect(await node('without-api.mjs')).toEqual({ main: 'ok', otel: 'needs @opentelemetry/api' });
  });

  it('reports spans of a client from the main entry, in ESM and in CJS', async () => {
    await consumer.install({ '@opentelemetry/api': '1.9', '@opentelemetry/sdk-trace-base': '2.12' });
    expect(await node('otel.mjs')).toEqual(EXPECTED);
    expect(await node('otel.cjs')).toEqual(EXPECTED);
  });
});

/**
 * Memory under abuse, measured as the peak RSS of a process that runs only the proxy (a child
 * process, from a bundle of src/proxy): hostile bodies held to about the cap each, bodies sent a
 * byte at a time that do not keep the socket's buffers alive, and an answer of 200 MB from
 * upstream read no further than `maxResponseBytes`.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startServer } from '../support/http-server.js';
import { type ProxyProcess, bundleProxy, removeBundle, startProxyProcess } from '../support/proxy-process.js';
import { rawRequest } from '../support/proxy-server.js';
import { openRequest, writeOneByteChunks } from '../support/raw-socket.js';

const SEGMENT = '/ld-proxy/api/v2/segments/default/beta-testers/expiring-targets/production';
const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const MiB = 1024 * 1024;
const started: { stop?: () => Promise<void>; close?: () => Promise<void> }[] = [];

beforeAll(async () => {
  await bundleProxy();
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => (s.stop ? s.stop() : s.close?.())));
});
afterAll(async () => {
  await removeBundle();
});

async function child(upstream: string, options: Record<string, unknown> = {}): Promise<ProxyProcess> {
  const proxy = await startProxyProcess(upstream, options);
  started.push(proxy);
  return proxy;
}

async function upstreamServer(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const server = await startServer(handler);
  started.push(server);
  return server;
}

const ok = () => upstreamServer((_req, res) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"items":[]}'));

describe('peak RSS of the proxy process under abuse', () => {
  it('ten anonymous 1 MiB bodies of empty instructions at once: 400 each, RSS grows by less than 48 MiB', async () => {
    const proxy = await child((await ok()).url, { deny: true });
    expect((await rawRequest(proxy.url, SEGMENT)).status).toBe(403);
    const before = await proxy.peakRss();
    const body = `{"instructions":[${'{},'.repeat(349_000)}{}]}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => rawRequest(proxy.url, SEGMENT, { method: 'PATCH', headers: { 'Content-Type': SEMANTIC }, body })),
    );
    const grown = (await proxy.peakRss()) - before;
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(400));
    expect(Math.max(...answers.map((a) => a.body.length))).toBeLessThan(512);
    console.log(`ten 1 MiB hostile bodies: peak RSS +${(grown / MiB).toFixed(1)} MiB`);
    expect(grown).toBeLessThan(48 * MiB);
  });

  it('ten bodies of 32 KiB sent as one-byte chunks, then stalled: 408 each, RSS grows by less than 64 MiB (it was ~450 MiB per connection)', async () => {
    const proxy = await child((await ok()).url, { bodyTimeoutMs: 3000 });
    expect((await rawRequest(proxy.url, SEGMENT)).status).toBe(200);
    const before = await proxy.peakRss();
    const exchanges = Array.from({ length: 10 }, () =>
      openRequest(proxy.url, `PATCH ${SEGMENT} HTTP/1.1\nHost: x\nContent-Type: ${SEMANTIC}\nTransfer-Encoding: chunked\n\n`),
    );
    const text = `{"instructions":[],"comment":"${'x'.repeat(32 * 1024)}`;
    await Promise.all(exchanges.map((e) => writeOneByteChunks(e.socket, text, 16)));
    const answers = await Promise.all(exchanges.map((e) => e.answer));
    const grown = (await proxy.peakRss()) - before;
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(408));
    console.log(`ten 32 KiB bodies in one-byte chunks: peak RSS +${(grown / MiB).toFixed(1)} MiB`);
    expect(grown).toBeLessThan(64 * MiB);
  });

  // The buffer doubles up to the cap, so the peak holds the cap and half of it, plus what the
  // runtime's fetch buffers ahead: under four times the cap (this answer cost +771 MiB unbounded).
  it('a 200 MB answer from upstream: 502 at the default 32 MiB cap, RSS grows by less than four times the cap', async () => {
    const chunk = Buffer.alloc(MiB, 'a');
    const upstream = await upstreamServer((_req, res: http.ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      let sent = 0;
      res.on('error', () => undefined);
      const pump = () => {
        while (sent < 200 && !res.destroyed) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    const proxy = await child(upstream.url);
    const before = await proxy.peakRss();
    const response = await rawRequest(proxy.url, SEGMENT);
    const grown = (await proxy.peakRss()) - before;
    expect(response.status).toBe(502);
    console.log(`a 200 MB upstream answer: peak RSS +${(grown / MiB).toFixed(1)} MiB`);
    expect(grown).toBeLessThan(4 * 32 * MiB);
  });
});

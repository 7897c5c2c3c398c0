// The CLI's --verbose, --debug and --log-format: the library's lines on stderr, stdout untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli } from '../support/cli.js';
import { json, startServer, type TestServer } from '../support/http-server.js';

const TOKEN = 'api-cli-log-TOKEN-7f3c';
let server: TestServer;
let calls = 0;
beforeAll(async () => {
  await ensureCliBuilt();
  server = await startServer((_req, res) => {
    calls++;
    // Every other call is rate limited first, echoing the token where a server might.
    if (calls % 2 === 1) return json(res, 429, { message: `slow down ${TOKEN}` }, { 'Retry-After': '0.01', 'X-Request-Id': `r-${TOKEN}` });
    json(res, 200, { items: [] }, { 'X-Request-Id': 'r-ok' });
  });
}, 600_000);
afterAll(() => server.close());

const list = (...extra: string[]) =>
  runCli(['segment', 'list', '--project', 'default', '--env', 'production', '--segment', 'beta', '--base-url', server.url, ...extra], {
    env: { LD_API_KEY: TOKEN },
  });

describe('CLI logging', () => {
  it('says nothing extra by default', async () => {
    const plain = await list();
    expect(plain.code).toBe(0);
    expect(plain.stderr).not.toMatch(/^(info|debug|warn):/m);
  });

  it('--verbose writes one info line per call to stderr, with the request id', async () => {
    const r = await list('--verbose');
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^(info|debug|warn|error):/.test(l));
    expect(lines).toEqual([
      expect.stringMatching(
        /^info: getExpiringTargetsForSegment default\/production\/beta 200 after 2 attempts in \d+ ms \[request r-ok\]$/,
      ),
    ]);
  });

  it('--debug --log-format json --json: stderr has one JSON object per line, stdout stays one document, no token anywhere', async () => {
    const r = await list('--debug', '--log-format', 'json', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ items: [] });
    const logged = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; message: string; attempt?: number; source?: string; time: string });
    expect(logged.map((l) => l.level)).toEqual(['debug', 'debug', 'debug', 'debug', 'debug', 'info']);
    expect(logged.find((l) => l.message.startsWith('retrying'))).toMatchObject({ attempt: 1, source: 'retry-after' });
    expect(Number.isNaN(Date.parse(logged[0]!.time))).toBe(false);
    expect(r.stderr).toContain('[redacted]');
    expect(r.stderr.includes(TOKEN) || r.stdout.includes(TOKEN)).toBe(false);
  });

  it('refuses an unknown --log-format before sending anything', async () => {
    const before = server.requests.length;
    const r = await list('--log-format', 'xml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--log-format must be text or json, got "xml"/);
    expect(server.requests.length).toBe(before);
  });
});

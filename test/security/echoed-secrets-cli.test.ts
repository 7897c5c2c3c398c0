// The echo matrix, command-line side: the built CLI talks to a server that writes the token it
// received back into every place an answer has. Neither stdout nor stderr (text and --json), nor
// any file the CLI writes (retry and unknown files), may hold the token.
import type http from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCliBuilt, runCli } from '../support/cli.js';
import { json, type RecordedRequest, startServer, type TestServer } from '../support/http-server.js';

const TOKEN = 'api-cli-echo-TOKEN-0d15ea5e';
const where = ['--project', 'proj', '--env', 'prod', '--segment', 'beta'];
const ROWS = ['add,user,alice,included,2031-01-01T00:00:00Z', 'remove,user,bob,excluded,', 'update,user,carol,included,+30d'];

type Behaviour = (req: RecordedRequest, res: http.ServerResponse, echo: string) => void;

const target = (expirationDate: unknown, contextKey = 'alice') => ({
  _id: '1',
  _version: 1,
  contextKind: 'user',
  contextKey,
  targetType: 'included',
  expirationDate,
  _resourceId: {},
});

function errorAnswer(status: number): Behaviour {
  return (_req, res, echo) => {
    res.writeHead(status, `Echo ${echo}`, {
      'Content-Type': 'application/json',
      'X-Request-Id': echo,
      'Retry-After': echo,
      'X-Echo': echo,
    });
    res.end(JSON.stringify({ code: `code-${echo}`, message: `rejected ${echo}`, id: echo }));
  };
}

/** Where the server puts the echo, and which files `apply` must write for it. */
const scenarios: Record<string, { behaviour: Behaviour; files: string[] }> = {
  "(a) a 200's per-instruction errors": {
    behaviour: (req, res, echo) =>
      req.method === 'PATCH'
        ? json(res, 200, { items: [], errors: [0, 1, 2].map((instructionIndex) => ({ instructionIndex, message: `denied for ${echo}` })) })
        : json(res, 200, { items: [target(Date.UTC(2031, 0, 1), echo)] }),
    files: ['input.retry.csv'],
  },
  "(b) a 200's targets with a malformed expirationDate": {
    behaviour: (_req, res, echo) => json(res, 200, { items: [target(`at ${echo}`)], errors: [] }),
    files: ['input.unknown.csv'],
  },
  '(c) a 400 with the token in body, headers and status text': { behaviour: errorAnswer(400), files: ['input.retry.csv'] },
  '(c) a 401 with the token in body, headers and status text': { behaviour: errorAnswer(401), files: ['input.retry.csv'] },
  // Reading back after a lost PATCH answer is a GET, retried with backoff on a 5xx: a 404 with
  // the echo ends it at once.
  '(c) a 500 with the token in body, headers and status text': {
    behaviour: (req, res, echo) => errorAnswer(req.method === 'PATCH' ? 500 : 404)(req, res, echo),
    files: ['input.unknown.csv'],
  },
  '(c) a 429, then a 200 whose errors echo the token': {
    behaviour: (() => {
      const seen = new Set<string>();
      return (req: RecordedRequest, res: http.ServerResponse, echo: string) => {
        const key = `${req.method} ${req.body}`;
        if (!seen.has(key)) {
          seen.add(key);
          return errorAnswer(429)(req, res, echo);
        }
        return scenarios["(a) a 200's per-instruction errors"]!.behaviour(req, res, echo);
      };
    })(),
    files: ['input.retry.csv'],
  },
  '(d) an HTML 502': {
    behaviour: (req, res, echo) => {
      if (req.method === 'GET') return errorAnswer(404)(req, res, echo);
      res.writeHead(502, `Bad Gateway ${echo}`, { 'Content-Type': 'text/html', 'X-Echo': echo });
      res.end(`<html><body><h1>502 Bad Gateway</h1><pre>Authorization: ${echo}</pre></body></html>`);
    },
    files: ['input.unknown.csv'],
  },
};

let server: TestServer;
let behaviour: Behaviour = (_req, res) => json(res, 200, { items: [] });
let scratch: string;
beforeAll(async () => {
  await ensureCliBuilt();
  server = await startServer((req, res) => behaviour(req, res, String(req.headers.authorization)));
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ld-et-cli-echo-'));
}, 120_000);
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

interface Run {
  stdout: string;
  stderr: string;
  /** Every file the run left in its folder, besides the input. */
  written: Record<string, string>;
}

/** Runs the CLI in a fresh folder holding input.csv; collects its output and what it wrote. */
async function run(args: (input: string) => string[]): Promise<Run> {
  const dir = await mkdtemp(path.join(scratch, 'run-'));
  const input = path.join(dir, 'input.csv');
  await writeFile(input, `action,contextKind,contextKey,targetType,expiresAt\n${ROWS.join('\n')}\n`);
  const result = await runCli([...args(input), '--base-url', server.url], { env: { LD_API_KEY: TOKEN } });
  const written: Record<string, string> = {};
  for (const name of await readdir(dir)) if (name !== 'input.csv') written[name] = await readFile(path.join(dir, name), 'utf8');
  return { stdout: result.stdout, stderr: result.stderr, written };
}

const commands: Record<string, (input: string) => string[]> = {
  apply: (input) => ['segment', 'apply', input, ...where, '--batch-size', '2'],
  'apply --json': (input) => ['segment', 'apply', input, ...where, '--batch-size', '2', '--json'],
  list: () => ['segment', 'list', ...where],
  'list --json': () => ['segment', 'list', ...where, '--json'],
  add: () => ['segment', 'add', ...where, '--context', 'user:alice', '--target-type', 'included', '--at', '+30d'],
  'add --json': () => ['segment', 'add', ...where, '--context', 'user:alice', '--target-type', 'included', '--at', '+30d', '--json'],
};

// One scenario at a time (the server has one behaviour); its commands run side by side.
describe.each(Object.keys(scenarios))('the CLI against a server that echoes the token in %s', (scenario) => {
  beforeAll(() => {
    behaviour = scenarios[scenario]!.behaviour;
  });

  it.concurrent.each(Object.keys(commands))('%s: not in stdout, stderr or any file written', async (command) => {
    const { files } = scenarios[scenario]!;
    const before = server.requests.length;
    const { stdout, stderr, written } = await run(commands[command]!);
    expect(server.requests.length).toBeGreaterThan(before);
    expect(server.requests.slice(before).every((r) => r.headers.authorization === TOKEN)).toBe(true);

    const texts: Record<string, string> = { stdout, stderr, ...written };
    for (const [where, text] of Object.entries(texts)) expect(text.includes(TOKEN), `${where} holds the token:\n${text}`).toBe(false);
    if (command.startsWith('apply')) expect(Object.keys(written).sort()).toEqual(files);
    if (command.endsWith('--json')) expect(() => JSON.parse(stdout)).not.toThrow();
    // The echo did reach the output, redacted: the checks above looked at text that had it.
    const all = Object.values(texts).join('\n');
    expect(all).toContain('[redacted]');
  });
});

describe('a token that JSON escapes, also given by mistake as a key', () => {
  // --json output escapes `"` and `\`: the CLI's output filter must know the escaped spelling too.
  const QUOTED = 'api-cli-"quoted"\\back-5eed';
  it.each([
    ['list --json', ['segment', 'list', '--project', 'proj', '--env', QUOTED, '--segment', 'beta', '--json']],
    ['list', ['segment', 'list', '--project', 'proj', '--env', QUOTED, '--segment', 'beta']],
    [
      'add --json',
      [
        'segment',
        'add',
        '--project',
        'proj',
        '--env',
        QUOTED,
        '--segment',
        'beta',
        '--context',
        'user:a',
        '--target-type',
        'included',
        '--at',
        '+1d',
        '--json',
      ],
    ],
  ])('%s: neither spelling is printed', async (_name, args) => {
    behaviour = (req, res, echo) => json(res, 200, { items: [target(Date.UTC(2031, 0, 1), echo)], errors: [] });
    const result = await runCli([...args, '--base-url', server.url], { env: { LD_API_KEY: QUOTED } });
    expect(server.requests.at(-1)!.headers.authorization).toBe(QUOTED);
    const escaped = JSON.stringify(QUOTED).slice(1, -1);
    for (const [stream, text] of Object.entries({ stdout: result.stdout, stderr: result.stderr })) {
      expect(text.includes(QUOTED), `${stream}: ${text}`).toBe(false);
      expect(text.includes(escaped), `${stream}: ${text}`).toBe(false);
    }
    expect(result.stdout).toContain('[redacted]');
  });
});

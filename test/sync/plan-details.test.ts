// planSync's reading rules: which failures stop the other reads, what a target LaunchDarkly returns
// but that cannot be planned does, and the totals; against real HTTP servers.
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  LaunchDarklyApiError,
  NotFoundError,
  PermissionDeniedError,
  RequestAbortedError,
  createExpiringTargetsClient,
} from '../../src/index.js';
import { parseDesiredState, planSync } from '../../src/sync/index.js';
import { stopsEveryResource } from '../../src/sync/plan.js';
import { json, startServer } from '../support/http-server.js';

const T1 = Date.parse('2031-01-01T00:00:00Z');
const FILE = `projects:
  p:
    environments:
      e:
        segments:
          s403: [{ contextKind: user, contextKey: a, targetType: included, expiresAt: 2031-01-01T00:00:00Z }]
          s404: [{ contextKind: user, contextKey: b, targetType: included, expiresAt: 2031-01-01T00:00:00Z }]
          ok:
            - { contextKind: user, contextKey: c, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
            - { contextKind: user, contextKey: d, targetType: excluded, expiresAt: 2031-01-01T00:00:00Z }
            - { contextKind: user, contextKey: e, targetType: included, expiresAt: 2031-01-01T00:00:00Z }
`;

let closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

const details = (status: number) => ({ status, method: 'GET', url: 'http://127.0.0.1/x' });

describe('stopsEveryResource', () => {
  it('a 401 or an abort stops every read; a 403, a 404 or a 503 is about one resource', () => {
    expect(stopsEveryResource(new AuthenticationError('no', details(401)), undefined)).toBe(true);
    expect(stopsEveryResource(new RequestAbortedError(undefined), undefined)).toBe(true);
    expect(stopsEveryResource(new PermissionDeniedError('no', details(403)), undefined)).toBe(false);
    expect(stopsEveryResource(new NotFoundError('no', details(404)), undefined)).toBe(false);
    expect(stopsEveryResource(new LaunchDarklyApiError('later', details(503)), undefined)).toBe(false);
    const controller = new AbortController();
    expect(stopsEveryResource(new NotFoundError('no', details(404)), controller.signal)).toBe(false);
    controller.abort();
    expect(stopsEveryResource(new NotFoundError('no', details(404)), controller.signal)).toBe(true);
  });
});

describe('planSync reading', () => {
  it('a 403 and a 404 are reported on their resource; the others are still read and planned', async () => {
    const server = await startServer((req, res) => {
      if (req.rawUrl.includes('/s403/'))
        return json(res, 403, { code: 'forbidden', message: 'Access to the requested resource was denied' });
      if (req.rawUrl.includes('/s404/')) return json(res, 404, { code: 'not_found', message: 'Unknown resource' });
      return json(res, 200, {
        items: [
          { _id: '1', _version: 4, contextKind: 'user', contextKey: 'c', targetType: 'included', expirationDate: T1 },
          { _id: '2', _version: 6, contextKind: 'user', contextKey: 'd', targetType: 'excluded', expirationDate: T1 + 1000 },
          { _id: '3', _version: 2, contextKind: 'user', contextKey: 'z', targetType: 'included', expirationDate: T1 },
        ],
      });
    });
    closers.push(server.close);
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: server.url, maxRetries: 0, logLevel: 'off' });
    const plan = await planSync(ld, parseDesiredState(FILE), { concurrency: 1 });
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    expect(plan.resources.map((r) => r.error?.name)).toEqual(['PermissionDeniedError', 'NotFoundError', undefined]);
    expect(plan.resources.map((r) => r.changes.length)).toEqual([0, 0, 2]);
    expect(plan.counts).toEqual({ resources: 3, add: 1, update: 1, remove: 0, unchanged: 1, unmanaged: 1, unread: 2 });
    expect(plan).toMatchObject({ ok: false, hasChanges: true, prune: false, allowPast: false });
    const [update, add] = plan.resources[2]?.changes ?? [];
    expect(update).toMatchObject({ action: 'update', contextKey: 'd', from: T1 + 1000, to: T1, version: 6 });
    expect(add).toMatchObject({ action: 'add', contextKey: 'e', from: undefined, to: T1, version: undefined });
  });

  it('with prune, a target LaunchDarkly returns without a targetType makes its resource unplannable, saying which', async () => {
    const server = await startServer((req, res) =>
      json(res, 200, {
        items: req.rawUrl.includes('/ok/')
          ? [{ _id: '1', _version: 1, contextKind: 'user', contextKey: 'stray', expirationDate: T1 }]
          : [{ _id: '1', _version: 3, contextKind: 'user', contextKey: 'old', targetType: 'included', expirationDate: T1 }],
      }),
    );
    closers.push(server.close);
    const ld = createExpiringTargetsClient({ apiKey: 'test-token', baseUrl: server.url, maxRetries: 0, logLevel: 'off' });
    const plan = await planSync(ld, parseDesiredState(FILE), { concurrency: 2, prune: true, allowPast: true });
    expect(plan.resources[2]?.error?.name).toBe('InstructionValidationError');
    expect(plan.resources[2]?.error?.message).toContain('LaunchDarkly returned an expiring target of segment');
    expect(plan.resources[2]?.error?.message).toContain('ok');
    expect(plan.resources[2]?.changes).toEqual([]);
    expect(plan.resources[0]?.changes.map((c) => `${c.action} ${c.contextKey} v${c.version}`)).toEqual([
      'add a vundefined',
      'remove old v3',
    ]);
    expect(plan.counts).toMatchObject({ add: 2, remove: 2, unread: 1, unmanaged: 0 });
    expect(plan).toMatchObject({ ok: false, prune: true, allowPast: true });
  });
});

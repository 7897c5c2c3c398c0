import { describe, expect, inject, it } from 'vitest';

const SEMANTIC = 'application/json; domain-model=launchdarkly.semanticpatch';
const base = () => inject('prismUrl');

async function patch(path: string, body: unknown) {
  const response = await fetch(`${base()}${path}`, {
    method: 'PATCH',
    headers: { 'Content-Type': SEMANTIC, Authorization: 'test-token' },
    body: JSON.stringify(body),
  });
  return { status: response.status, violations: response.headers.get('sl-violations'), body: await response.json() };
}

const segmentPath = '/api/v2/segments/default/beta-testers/expiring-targets/production';
const flagPath = '/api/v2/flags/default/new-checkout/expiring-targets/production';

describe('Prism on the bundled document', () => {
  it('answers a valid segment semantic patch with 200 and no violations', async () => {
    const res = await patch(segmentPath, {
      comment: 'beta ends',
      instructions: [
        { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: 1924905600000 },
        { kind: 'updateExpiringTarget', contextKind: 'user', contextKey: 'bob', targetType: 'excluded', value: 1924905600000, version: 2 },
        { kind: 'removeExpiringTarget', contextKind: 'org', contextKey: 'acme', targetType: 'included' },
      ],
    });
    expect(res.violations).toBeNull();
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([]);
  });

  it('answers a valid flag semantic patch with 200 and no violations', async () => {
    const res = await patch(flagPath, {
      instructions: [
        { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', variationId: 'v-1', value: 1924905600000 },
        { kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'bob', variationId: 'v-1' },
      ],
    });
    expect(res.violations).toBeNull();
    expect(res.status).toBe(200);
  });

  it.each([
    [
      'segment add without value',
      segmentPath,
      { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', targetType: 'included' },
      'value',
    ],
    [
      'segment remove with value',
      segmentPath,
      { kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'a', targetType: 'included', value: 1 },
      'value',
    ],
    [
      'segment with a wrong targetType',
      segmentPath,
      { kind: 'removeExpiringTarget', contextKind: 'user', contextKey: 'a', targetType: 'both' },
      'targetType',
    ],
    [
      'flag add without variationId',
      flagPath,
      { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', value: 1 },
      'variationId',
    ],
    ['flag with the deprecated kind', flagPath, { kind: 'addExpireUserTargetDate', userKey: 'sandy', value: 1, variationId: 'v' }, 'kind'],
    [
      'string expirationDate',
      flagPath,
      { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'a', variationId: 'v', value: '1924905600000' },
      'value',
    ],
  ])('rejects %s with 4xx and sl-violations', async (_name, path, instruction, field) => {
    const res = await patch(path, { instructions: [instruction] });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.violations).not.toBeNull();
    const violations = JSON.parse(res.violations ?? '[]') as { message: string; location: string[] }[];
    expect(violations.length).toBeGreaterThan(0);
    expect(JSON.stringify(violations)).toContain(field);
  });

  it('rejects an empty instruction list', async () => {
    const res = await patch(segmentPath, { instructions: [] });
    expect(res.status).toBe(400);
    expect(res.violations).toContain('instructions');
  });

  it('answers the GETs with the scheduled targets example', async () => {
    for (const path of [segmentPath, flagPath]) {
      const response = await fetch(`${base()}${path}`, { headers: { Authorization: 'test-token' } });
      expect(response.status).toBe(200);
      expect(response.headers.get('sl-violations')).toBeNull();
      const body = (await response.json()) as { items: { contextKey: string; expirationDate: number }[] };
      expect(body.items.map((i) => i.contextKey)).toEqual(['alice', 'acme']);
      expect(typeof body.items[0]?.expirationDate).toBe('number');
    }
  });
});

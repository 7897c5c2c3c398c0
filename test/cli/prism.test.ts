import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type CliResult, ensureCliBuilt, runCli } from '../support/cli.js';

// Prism checks every request against the bundled document: a wrong body or header is a 4xx here.
const TOKEN = 'api-prism-SECRET-0a1b2c3d4e';
const outputs: CliResult[] = [];
const cli = async (args: string[]) => {
  const result = await runCli([...args, '--base-url', inject('prismUrl')], { env: { LD_API_KEY: TOKEN } });
  outputs.push(result);
  return result;
};
const segment = ['--project', 'default', '--env', 'production', '--segment', 'beta-testers'];
const flag = ['--project', 'default', '--env', 'production', '--flag', 'new-checkout'];
const VARIATION = '4254742c-71ae-411f-a992-43b18a51afe0';

beforeAll(() => ensureCliBuilt(), 120_000);

describe('the CLI against Prism', () => {
  it.each([
    ['segment', segment],
    ['flag', flag],
  ])('%s list prints the scheduled targets; --json gives them parsed', async (resource, where) => {
    const table = await cli([resource, 'list', ...where]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^user:alice\s+\S+\s+2030-12-31T00:00:00.000Z\s+1$/m);
    const json = await cli([resource, 'list', ...where, '--json']);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout) as {
      ok: boolean;
      items: { contextKey: string; expiresAt: string; expirationDate: number; version: number }[];
    };
    expect(body.ok).toBe(true);
    expect(body.items.map((i) => i.contextKey)).toEqual(['alice', 'acme']);
    expect(body.items[0]).toMatchObject({ expiresAt: '2030-12-31T00:00:00.000Z', expirationDate: 1924905600000, version: 1 });
  });

  it.each([
    ['segment', 'add', [...segment, '--target-type', 'included', '--at', '+30d']],
    ['segment', 'update', [...segment, '--target-type', 'excluded', '--at', '2027-03-01T09:00:00+01:00']],
    ['segment', 'remove', [...segment, '--target-type', 'included']],
    ['flag', 'add', [...flag, '--variation', VARIATION, '--at', '1924905600000']],
    ['flag', 'update', [...flag, '--variation', VARIATION, '--at', '+12h']],
    ['flag', 'remove', [...flag, '--variation', VARIATION]],
  ])('%s %s applies', async (resource, action, args) => {
    const result = await cli([
      resource,
      action,
      ...args,
      '--context',
      'user:alice',
      '--context',
      'organization:acme',
      '--comment',
      'from the CLI test',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^${action}\\s+user:alice\\s+.*applied$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^${action}\\s+organization:acme\\s+.*applied$`, 'm'));
  });

  it('--json for a change gives each fate', async () => {
    const result = await cli([
      'segment',
      'add',
      ...segment,
      '--context',
      'user:alice',
      '--target-type',
      'included',
      '--at',
      '2027-01-01',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      exitCode: 0,
      segment: 'beta-testers',
      results: [
        {
          action: 'add',
          contextKind: 'user',
          contextKey: 'alice',
          targetType: 'included',
          expiresAt: '2027-01-01T00:00:00.000Z',
          fate: 'applied',
        },
      ],
      counts: { applied: 1, failed: 0, unknown: 0, notAttempted: 0 },
    });
  });
});

it('never prints the token', () => {
  expect(outputs.length).toBeGreaterThanOrEqual(11);
  for (const { stdout, stderr } of outputs) {
    expect(stdout).not.toContain(TOKEN);
    expect(stderr).not.toContain(TOKEN);
  }
});

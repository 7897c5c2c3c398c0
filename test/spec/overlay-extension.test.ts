// A field and a kind added through the overlay reach the types and run-time validation alike,
// without editing src/: a scratch copy of openapi/ gets two more overlay actions (an optional
// `note` on segment add instructions, a `snoozeExpiringTarget` kind for flags), is regenerated
// into the scratch folder, and then (1) tsc checks a file using both against the scratch
// schema.ts, and (2) the client's validation, its helpers, patch and patchAll run on the scratch rules.
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse, stringify } from 'yaml';
import { generate } from '../../scripts/generate.js';
import { compileRules, instructionIssues, issuesAgainst, type ResourceRules } from '../../src/core/validation.js';
import { json, scriptedServer } from '../support/http-server.js';
import { copySpecTree, projectRoot } from '../support/project.js';

const T = Date.UTC(2031, 0, 1);
const segmentAdd = { kind: 'addExpiringTarget', contextKind: 'user', contextKey: 'alice', targetType: 'included', value: T };
const snooze = { kind: 'snoozeExpiringTarget', contextKind: 'user', contextKey: 'alice', variationId: 'v1', days: 3 };

const EXTRA_ACTIONS = [
  {
    description: 'test: an optional free-text note on segment add instructions',
    target: '$.components.schemas.SegmentAddExpiringTargetInstruction.properties',
    update: { note: { type: 'string', maxLength: 40, description: 'A note for the audit log.' } },
  },
  {
    description: 'test: a new flag instruction kind',
    target: '$.components.schemas',
    update: {
      FlagSnoozeExpiringTargetInstruction: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'contextKey', 'contextKind', 'variationId', 'days'],
        properties: {
          kind: { type: 'string', const: 'snoozeExpiringTarget' },
          contextKey: { type: 'string', minLength: 1 },
          contextKind: { type: 'string', minLength: 1 },
          variationId: { type: 'string', minLength: 1 },
          days: { type: 'integer', minimum: 1, maximum: 30 },
        },
      },
    },
  },
  {
    target: '$.components.schemas.patchFlagExpiringTargetInstruction',
    update: {
      oneOf: [{ $ref: '#/components/schemas/FlagSnoozeExpiringTargetInstruction' }],
      discriminator: { mapping: { snoozeExpiringTarget: '#/components/schemas/FlagSnoozeExpiringTargetInstruction' } },
    },
  },
];

// What a TypeScript user writes with the regenerated types. Each @ts-expect-error fails the
// check if its line compiles, so the check cannot pass by typing everything loosely.
const USES = `import type { components } from '../generated/schema.js';
type SegmentInstruction = components['schemas']['patchSegmentExpiringTargetInstruction'];
type FlagInstruction = components['schemas']['patchFlagExpiringTargetInstruction'];

export const withNote: SegmentInstruction = ${JSON.stringify({ ...segmentAdd, note: 'moved to GA' })};
export const snoozed: FlagInstruction = ${JSON.stringify(snooze)};
export const kinds: FlagInstruction['kind'][] = ['addExpiringTarget', 'snoozeExpiringTarget'];

// @ts-expect-error note is a string
export const numericNote: SegmentInstruction = ${JSON.stringify({ ...segmentAdd, note: 42 })};
// @ts-expect-error a snooze needs days
export const snoozeWithoutDays: FlagInstruction = ${JSON.stringify({ ...snooze, days: undefined })};
// @ts-expect-error a snooze has no value
export const snoozeWithValue: FlagInstruction = ${JSON.stringify({ ...snooze, value: T })};
`;

const TSC = path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const tscFlags = [
  '--noEmit',
  '--strict',
  '--exactOptionalPropertyTypes',
  '--target',
  'es2022',
  '--module',
  'nodenext',
  '--moduleResolution',
  'nodenext',
  '--skipLibCheck',
];
const tsc = (file: string) => spawnSync(process.execPath, [TSC, ...tscFlags, file], { encoding: 'utf8' });

interface ScratchRules {
  RESOURCE_RULES: Record<'segment' | 'flag', ResourceRules>;
}

let root: string;
let rulesPath: string;
let rules: ScratchRules;

beforeAll(async () => {
  root = await copySpecTree();
  const overlayFile = path.join(root, 'openapi', 'corrections.overlay.yaml');
  const overlay = parse(await readFile(overlayFile, 'utf8')) as { actions: unknown[] };
  overlay.actions.push(...EXTRA_ACTIONS);
  await writeFile(overlayFile, stringify(overlay));
  ({ rulesPath } = await generate({ root }));
  rules = (await import(pathToFileURL(rulesPath).href)) as ScratchRules;
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a field and a kind added through the overlay', () => {
  it('regenerates into the scratch folder only', async () => {
    expect(rulesPath).toBe(path.join(root, 'generated', 'instruction-rules.ts'));
    expect(await readFile(path.join(root, 'generated', 'schema.ts'), 'utf8')).toContain('snoozeExpiringTarget');
    expect(await readFile(path.join(projectRoot, 'generated', 'schema.ts'), 'utf8')).not.toContain('snoozeExpiringTarget');
  });

  it('reaches the types: tsc accepts both and still refuses what the schema forbids', async () => {
    const dir = path.join(root, 'uses');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(root, 'package.json'), '{ "type": "module" }\n');
    await writeFile(path.join(dir, 'uses.ts'), USES);
    const scratch = tsc(path.join(dir, 'uses.ts'));
    expect(scratch.stdout + scratch.stderr).toBe('');
    expect(scratch.status).toBe(0);

    // The same file against the committed schema fails on exactly the additions.
    const committed = path.join(projectRoot, 'node_modules', '.cache', 'ld-expiring-targets', `overlay-uses-${process.pid}`);
    await mkdir(committed, { recursive: true });
    const file = path.join(committed, 'uses.ts');
    await writeFile(
      file,
      USES.replace(
        "'../generated/schema.js'",
        `'${path
          .relative(committed, path.join(projectRoot, 'generated', 'schema.js'))
          .split(path.sep)
          .join('/')}'`,
      ),
    );
    try {
      const baseline = tsc(file);
      expect(baseline.status).not.toBe(0);
      expect(baseline.stdout).toMatch(/'"?note"?' does not exist/);
      expect(baseline.stdout).toMatch(/"snoozeExpiringTarget"/);
    } finally {
      await rm(committed, { recursive: true, force: true });
    }
  }, 120_000);

  it('reaches run-time validation: compileRules and issuesAgainst accept the field and know the kind', () => {
    const segment = compileRules(rules.RESOURCE_RULES.segment);
    const flag = compileRules(rules.RESOURCE_RULES.flag);
    expect([...flag.kinds.keys()]).toEqual(['addExpiringTarget', 'updateExpiringTarget', 'removeExpiringTarget', 'snoozeExpiringTarget']);

    expect(issuesAgainst(segment, 'segment', { ...segmentAdd, note: 'moved to GA' })).toEqual([]);
    // A length bound is named: "must be a string, got <a string>" would leave the reader guessing.
    expect(issuesAgainst(segment, 'segment', { ...segmentAdd, note: 'x'.repeat(41) })).toEqual([
      { field: 'note', message: `must be a string of at most 40 characters, got "${'x'.repeat(41)}"` },
    ]);
    expect(issuesAgainst(segment, 'segment', { ...segmentAdd, kind: 'removeExpiringTarget', value: undefined, note: 'n' })).toEqual([
      { field: 'note', message: 'is allowed only on addExpiringTarget' },
    ]);

    expect(issuesAgainst(flag, 'flag', snooze)).toEqual([]);
    expect(issuesAgainst(flag, 'flag', { ...snooze, days: 0 }, 4)).toEqual([
      { index: 4, field: 'days', message: 'must be an integer ≥ 1 and ≤ 30, got 0' },
    ]);
    expect(issuesAgainst(flag, 'flag', { ...snooze, days: undefined })).toEqual([
      { field: 'days', message: 'is required: an integer ≥ 1 and ≤ 30' },
    ]);
    expect(issuesAgainst(flag, 'flag', { ...snooze, kind: 'nap' })).toContainEqual({
      field: 'kind',
      message: 'must be one of addExpiringTarget, updateExpiringTarget, removeExpiringTarget, snoozeExpiringTarget, got "nap"',
    });
  });

  it('the committed rules refuse both (so the checks above can fail)', () => {
    expect(instructionIssues('segment', { ...segmentAdd, note: 'moved to GA' })).toEqual([
      { field: 'note', message: 'is not a field of a segment instruction' },
    ]);
    expect(instructionIssues('flag', snooze).map((i) => i.field)).toContain('kind');
  });
});

describe('the client built on the scratch rules', () => {
  const server = scriptedServer();

  it('sends the new field through segmentInstructions and patch, and the new kind through its generated helper, patch and patchAll', async () => {
    vi.resetModules();
    vi.doMock('../../generated/instruction-rules.js', () => import(pathToFileURL(rulesPath).href));
    try {
      const lib = (await import('../../src/index.js')) as typeof import('../../src/index.js');
      server.reply = (_req, res) => json(res, 200, { items: [], errors: [] });
      const ld = lib.createExpiringTargetsClient({ apiKey: 'api-overlay-test-token', baseUrl: server.url });
      const built = lib.segmentInstructions.add({
        contextKind: 'user',
        contextKey: 'alice',
        targetType: 'included',
        expiresAt: T,
        note: 'moved to GA',
      } as never);
      expect(built).toEqual({ ...segmentAdd, note: 'moved to GA' });
      expect((await ld.segments.patch({ projectKey: 'p', environmentKey: 'e', segmentKey: 's' }, [built])).ok).toBe(true);
      expect(server.requests.at(-1)!.json).toEqual({ instructions: [{ ...segmentAdd, note: 'moved to GA' }] });

      const flagRef = { projectKey: 'p', environmentKey: 'e', flagKey: 'f' };
      expect((await ld.flags.patch(flagRef, [snooze as never])).ok).toBe(true);
      expect(server.requests.at(-1)!.json).toEqual({ instructions: [snooze] });
      await expect(ld.flags.patch(flagRef, [{ ...snooze, days: 31 } as never])).rejects.toMatchObject({
        name: 'InstructionValidationError',
        issues: [{ index: 0, field: 'days', message: 'must be an integer ≥ 1 and ≤ 30, got 31' }],
      });

      // The helpers are made from the rules: the new kind is flagInstructions.snooze, checked as patch checks it.
      const helpers = lib.flagInstructions as unknown as Record<string, (input: object) => unknown>;
      expect(Object.keys(helpers)).toEqual(['add', 'update', 'remove', 'snooze']);
      const { kind: _, ...snoozeInput } = snooze;
      expect(helpers.snooze?.(snoozeInput)).toEqual(snooze);
      expect(() => helpers.snooze?.({ ...snoozeInput, days: 0 })).toThrow(/days must be an integer ≥ 1 and ≤ 30, got 0/);
      expect(() => helpers.snooze?.({ ...snoozeInput, expiresAt: T })).toThrow(/expiresAt is not taken by flagInstructions\.snooze/);

      // patchAll sends it; reading back after a lost answer says it cannot decide a kind the
      // resource table has no read-back decision for (and that carries no time), so it stays unknown.
      const all = await ld.flags.patchAll(flagRef, [helpers.snooze?.(snoozeInput) as never, snooze as never]);
      expect(all.counts).toMatchObject({ total: 2, applied: 2 });
      expect(server.requests.at(-1)!.json).toEqual({ instructions: [snooze, snooze] });
      server.reply = (req, res) =>
        req.method === 'PATCH' ? json(res, 502, { code: 'bad_gateway', message: 'lost' }) : json(res, 200, { items: [] });
      const lost = await ld.flags.patchAll(flagRef, [snooze as never]);
      expect(lost.counts).toMatchObject({ total: 1, unknown: 1 });
      expect(lost.unknown[0]?.message).toMatch(/reading back cannot decide a snoozeExpiringTarget/);
    } finally {
      vi.doUnmock('../../generated/instruction-rules.js');
      vi.resetModules();
    }
  });
});

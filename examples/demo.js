// @ts-check
/**
 * `npm start`: a short scripted session through the public client, printed as a
 * table. With no configuration it runs against Prism on the bundled API description, on a free
 * 127.0.0.1 port, and stops it afterwards (also on error or Ctrl-C).
 *
 * Against LaunchDarkly only with LD_API_KEY set AND --live, plus where to work:
 *   LD_API_KEY=api-… npm start -- --live --project default --env test --segment beta --flag new-checkout --variation <id>
 * (or LD_PROJECT, LD_ENV, LD_SEGMENT, LD_FLAG, LD_VARIATION; --instance or LD_INSTANCE for federal or eu).
 * Live mode schedules, reschedules and cancels real expiring targets for two demo contexts
 * (--context KIND:KEY twice to choose them); the contexts must already be targeted.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createExpiringTargetsClient, flagInstructions, segmentInstructions } from '../src/index.js';
import { startPrism } from '../src/cli/prism.js';

// npm start bundles this file (with the client's source) into node_modules/.cache; the document sits at the project root.
const DOCUMENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'generated', 'expiring-targets.openapi.yaml');

const MOCK_TOKEN = 'mock-token';
// The variation in the bundled document's examples.
const MOCK_VARIATION = '4254742c-71ae-411f-a992-43b18a51afe0';
const DAY = 86_400_000;

const USAGE = `Usage: npm start [-- --live --project KEY --env KEY --segment KEY --flag KEY --variation ID [--context KIND:KEY --context KIND:KEY] [--instance NAME]]`;

/** @param {string[]} headers @param {string[][]} rows */
function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  /** @param {string[]} cells */
  const line = (cells) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** @param {string} text */
function parseContext(text) {
  const at = text.indexOf(':');
  if (at <= 0 || at === text.length - 1) throw new Error(`--context must be KIND:KEY, got ${JSON.stringify(text)}`);
  return { contextKind: text.slice(0, at), contextKey: text.slice(at + 1) };
}

/** @param {import('../src/index.js').PatchResult<unknown>} result */
function patchOutcome(result) {
  if (result.ok) return 'applied';
  return result.outcomes.map((o) => (o.fate === 'applied' ? 'applied' : `${o.fate}: ${o.message ?? ''}`)).join('; ');
}

/** @param {unknown} error */
const errorText = (error) => `error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;

async function main() {
  const { values } = parseArgs({
    options: {
      live: { type: 'boolean' },
      project: { type: 'string' },
      env: { type: 'string' },
      segment: { type: 'string' },
      flag: { type: 'string' },
      variation: { type: 'string' },
      context: { type: 'string', multiple: true },
      instance: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const token = process.env.LD_API_KEY;
  const live = values.live === true;
  if (live && !token) {
    console.error('--live needs LD_API_KEY in the environment; without --live the demo runs against the embedded mock.');
    return 2;
  }
  const setting = (/** @type {string | undefined} */ flag, /** @type {string} */ env, /** @type {string} */ fallback) =>
    flag ?? process.env[env] ?? (live ? undefined : fallback);
  const where = {
    projectKey: setting(values.project, 'LD_PROJECT', 'default'),
    environmentKey: setting(values.env, 'LD_ENV', 'production'),
    segmentKey: setting(values.segment, 'LD_SEGMENT', 'beta-testers'),
    flagKey: setting(values.flag, 'LD_FLAG', 'new-checkout'),
    variationId: setting(values.variation, 'LD_VARIATION', MOCK_VARIATION),
  };
  const missing = Object.entries(where)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0) {
    console.error(`--live needs ${missing.join(', ')} (flags --project --env --segment --flag --variation, or LD_PROJECT …)`);
    return 2;
  }
  const [first, second] = (values.context ?? ['user:demo-ada', 'user:demo-grace']).map(parseContext);
  if (!first || !second || first.contextKey === second.contextKey) {
    console.error('give --context twice, with two different contexts');
    return 2;
  }
  if (!live && token) console.log('(LD_API_KEY is set, but without --live the demo uses the embedded mock.)');

  /** @type {{ url: string, stop: () => Promise<void> } | undefined} */
  let prism;
  const stop = async () => {
    const p = prism;
    prism = undefined;
    await p?.stop();
  };
  process.once('SIGINT', () => {
    void stop().finally(() => process.exit(130));
  });
  try {
    if (!live) prism = await startPrism({ document: DOCUMENT });
    const ld = createExpiringTargetsClient(
      live
        ? { apiKey: token, instance: /** @type {any} */ (process.env.LD_INSTANCE ?? values.instance) }
        : { apiKey: MOCK_TOKEN, baseUrl: prism?.url },
    );
    console.log(
      live
        ? `Live session against LaunchDarkly (${values.instance ?? process.env.LD_INSTANCE ?? 'commercial'})`
        : `Mock session against Prism at ${prism?.url}`,
    );
    console.log(`project ${where.projectKey}, environment ${where.environmentKey}\n`);

    /** @type {string[][]} */
    const rows = [];
    let failures = 0;
    /**
     * @param {string} resource @param {string} operation @param {string} context @param {string} time
     * @param {() => Promise<string>} step
     */
    const record = async (resource, operation, context, time, step) => {
      let result;
      try {
        result = await step();
      } catch (error) {
        result = errorText(error);
      }
      if (result.startsWith('error') || result.includes('failed') || result.includes('unknown')) failures++;
      rows.push([resource, operation, context, time, result]);
    };
    const now = Date.now();
    const at = (/** @type {number} */ days) => new Date(now + days * DAY);
    const ctx = (/** @type {{ contextKind: string, contextKey: string }} */ c) => `${c.contextKind}:${c.contextKey}`;
    const list = async (/** @type {() => Promise<import('../src/index.js').GetResult>} */ get) => {
      const { items } = await get();
      return items.length === 0
        ? 'none scheduled'
        : `${items.length} scheduled: ${items.map((t) => `${t.contextKind}:${t.contextKey} at ${t.expiresAt.toISOString()}`).join(', ')}`;
    };

    const segment = {
      projectKey: String(where.projectKey),
      environmentKey: String(where.environmentKey),
      segmentKey: String(where.segmentKey),
    };
    const seg = `segment ${segment.segmentKey}`;
    await record(seg, 'list', '-', '-', () => list(() => ld.segments.get(segment)));
    for (const [c, days] of /** @type {const} */ ([
      [first, 30],
      [second, 60],
    ])) {
      await record(seg, 'schedule', ctx(c), at(days).toISOString(), async () =>
        patchOutcome(
          await ld.segments.patch(segment, [segmentInstructions.add({ ...c, targetType: 'included', expiresAt: at(days) })], {
            comment: 'npm start demo',
          }),
        ),
      );
    }
    await record(seg, 'reschedule', ctx(first), at(45).toISOString(), async () =>
      patchOutcome(
        await ld.segments.patch(segment, [segmentInstructions.update({ ...first, targetType: 'included', expiresAt: at(45) })], {
          comment: 'npm start demo',
        }),
      ),
    );
    await record(seg, 'cancel', ctx(second), '-', async () =>
      patchOutcome(
        await ld.segments.patch(segment, [segmentInstructions.remove({ ...second, targetType: 'included' })], {
          comment: 'npm start demo',
        }),
      ),
    );

    const flag = { projectKey: String(where.projectKey), environmentKey: String(where.environmentKey), flagKey: String(where.flagKey) };
    const variationId = String(where.variationId);
    const fl = `flag ${flag.flagKey}`;
    await record(fl, 'list', '-', '-', () => list(() => ld.flags.get(flag)));
    for (const [c, days] of /** @type {const} */ ([
      [first, 30],
      [second, 60],
    ])) {
      await record(fl, 'schedule', ctx(c), at(days).toISOString(), async () =>
        patchOutcome(
          await ld.flags.patch(flag, [flagInstructions.add({ ...c, variationId, expiresAt: at(days) })], { comment: 'npm start demo' }),
        ),
      );
    }
    await record(fl, 'reschedule', ctx(first), at(45).toISOString(), async () =>
      patchOutcome(
        await ld.flags.patch(flag, [flagInstructions.update({ ...first, variationId, expiresAt: at(45) })], { comment: 'npm start demo' }),
      ),
    );
    await record(fl, 'cancel', ctx(second), '-', async () =>
      patchOutcome(await ld.flags.patch(flag, [flagInstructions.remove({ ...second, variationId })], { comment: 'npm start demo' })),
    );

    console.log(table(['resource', 'operation', 'context', 'time', 'result'], rows));
    console.log(
      `\n${rows.length - failures} of ${rows.length} steps succeeded.${live ? '' : ' (Prism answers with the examples of generated/expiring-targets.openapi.yaml: it keeps no state.)'}`,
    );
    // In a clone the command line exists only once built (dist/cli.js), so the next step builds it.
    console.log(
      "Next: 'npm run build && npx ld-expiring-targets --help' for the command line (built into dist/), or the guides in README.md.",
    );
    return failures === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(errorText(error));
    process.exitCode = 1;
  },
);

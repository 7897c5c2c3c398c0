#!/usr/bin/env node
// @ts-check
/**
 * `node bench/sync.js` (part of `npm run bench`): expiring targets as code at scale. A desired
 * state of R resources × C contexts (default 100 × 1,000) against the stateful fake LaunchDarkly
 * with no rate limit, running in a child process so that it does not share the client's thread.
 *
 *   parse        parseDesiredState of the same state written as YAML (reported, no goal)
 *   plan         planSync against a state where every target exists and 10% are at another time
 *                (one GET of C targets per resource, C/10 updates each); goal ≤ 2 s, R GETs
 *   plan command what `plan` does with the file: read it, parse and check it (compiling each entry
 *                once), plan what was compiled (the command line's internal route); against
 *                planSync alone on the same state held in memory, both from one bundle of src/
 *                (.bench/plan-command.mjs, built with esbuild as bench/proxy.js does), each in a child
 *                process of its own (alternating, medians), with each child's peak RSS
 *                (bench/report-rss.js); goals: ≤ ×2 planSync alone, peak RSS ≤ 300 MB
 *   sync         planSync + applyPlan from empty (adds, then planning again) against the same
 *                instructions sent with patchAll directly, resource after resource, same batch
 *                size; alternating rounds on fresh fakes, medians; goal ≤ ×1.2. Sync also makes
 *                requests patchAll does not (a GET per resource to plan, and one after writing to
 *                verify), so it is also timed against patchAll with those same GETs around it.
 *
 * Runs against the built dist/ (`npm run bench` builds first), the plan command's children apart.
 * Writes .bench/sync.json.
 */
import { fork, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(import.meta.url);
const RSS_HOOK = pathToFileURL(path.join(path.dirname(here), 'report-rss.js')).href;
const ROOT = path.dirname(path.dirname(here));
/** The plan command's internal route, planSync and a client, bundled from src/ as the CLI's build bundles it. */
const PLAN_COMMAND_BUNDLE = path.join(ROOT, '.bench', 'plan-command.mjs');

async function bundlePlanCommand() {
  const { build } = await import('esbuild');
  await build({
    stdin: {
      contents: [
        "export { createExpiringTargetsClient } from './src/index.ts';",
        "export { readCompiledFile } from './src/sync/read-file.ts';",
        "export { planCompiled, planSync } from './src/sync/plan.ts';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile: PLAN_COMMAND_BUNDLE,
    logLevel: 'silent',
  });
}

/** The desired state of R resources × C contexts, every expiry one second after the last. */
function desiredStateOf(/** @type {number} */ R, /** @type {number} */ C) {
  const T0 = Date.parse('2031-01-01T00:00:00Z');
  return {
    resources: Array.from({ length: R }, (_, r) => ({
      resource: /** @type {const} */ ('segment'),
      ref: { projectKey: 'bench', environmentKey: 'production', segmentKey: `segment-${String(r).padStart(3, '0')}` },
      targets: Array.from({ length: C }, (_, i) => ({
        contextKind: 'user',
        contextKey: `user-${i}`,
        targetType: /** @type {const} */ ('included'),
        expiresAt: new Date(T0 + (r * C + i) * 1000).toISOString(),
      })),
    })),
  };
}

// ---- The children that time planning: planSync alone, or the plan command's read + parse + plan
if (process.argv[2] === '--time-plan') {
  const [, , , mode, url, file, R, C] = process.argv;
  // Both from one bundle of src/ (built below): the plan command's route is internal.
  /** @type {any} */
  const code = await import(pathToFileURL(PLAN_COMMAND_BUNDLE).href);
  const ld = code.createExpiringTargetsClient({ apiKey: 'bench-token', baseUrl: url });
  // planSync alone is handed the state built in memory (not timed).
  const inMemory = mode === 'plan-sync' ? desiredStateOf(Number(R), Number(C)) : undefined;
  const started = performance.now();
  let plan;
  if (inMemory !== undefined) plan = await code.planSync(ld, inMemory);
  else {
    // What src/cli/desired-file.ts does: the file read, checked and compiled once, then planned as compiled.
    const { desired, compiled } = await code.readCompiledFile(file, {}, true);
    plan = await code.planCompiled(ld, desired, compiled, {});
  }
  const ms = performance.now() - started;
  const { counts } = plan;
  process.stdout.write(JSON.stringify({ ms, counts }));
  process.exit(0);
}

// ---- The child: one fake LaunchDarkly, driven over IPC ----------------------------------------
if (process.argv[2] === '--serve-fake') {
  const { startFakeLaunchDarkly } = await import('../test/support/fake-launchdarkly.js');
  /** @type {Awaited<ReturnType<typeof startFakeLaunchDarkly>>} */
  let fake = await startFakeLaunchDarkly();
  process.on('message', async (/** @type {{ op: string, id?: number, seed?: [string, any[], 'segment' | 'flag'][] }} */ m) => {
    if (m.op === 'reset') {
      await fake.close();
      fake = await startFakeLaunchDarkly();
    } else if (m.op === 'seed') {
      for (const [id, targets, resource] of m.seed ?? []) fake.seed(id, targets, resource);
    }
    const duplicated = [...fake.received.values()].filter((n) => n > 1).length;
    process.send?.({ id: m.id, url: fake.url, stats: fake.stats, applied: fake.applied.size, duplicated });
  });
  process.send?.({ id: 0, url: fake.url });
} else if (process.argv[2] !== '--time-plan') {
  await main();
}

/** Runs a --time-plan child; its time as it measured it, and its peak RSS in MB. */
async function timePlanChild(/** @type {string[]} */ args) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-sync-'));
  const rssFile = path.join(dir, 'rss');
  try {
    const child = spawn(process.execPath, ['--import', RSS_HOOK, here, '--time-plan', ...args], {
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`the planning child exited ${code}`);
    const { ms, counts } = JSON.parse(out);
    return { ms, counts, rssMB: Number(await readFile(rssFile, 'utf8')) / 1024 / 1024 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      resources: { type: 'string', default: '100' },
      contexts: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '3' },
      'batch-size': { type: 'string', default: '50' },
      quick: { type: 'boolean', default: false },
      // Only planning and the plan command (reading files), not sync against patchAll.
      'plan-only': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true;
  const planOnly = values['plan-only'] === true;
  const R = quick ? 10 : Number(values.resources);
  const C = quick ? 200 : Number(values.contexts);
  const rounds = quick ? 1 : Number(values.rounds);
  const batchSize = Number(values['batch-size']);
  const GOALS = { planMs: 2000, syncRatio: 1.2, planCommandRatio: 2, planCommandRssMB: 300 };

  const { createExpiringTargetsClient, segmentInstructions } = await import('../dist/index.js');
  const { applyPlan, parseDesiredState, planSync } = await import('../dist/sync.js');

  // The fake, in its own process.
  const child = fork(here, ['--serve-fake'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  /** @type {Map<number, (m: any) => void>} */
  const waiting = new Map();
  let nextId = 1;
  child.on('message', (/** @type {any} */ m) => {
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const ready = await new Promise((resolve) => waiting.set(0, resolve));
  /** @param {Record<string, unknown>} message @returns {Promise<any>} */
  const ask = (message) => {
    const id = nextId++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      child.send({ ...message, id });
    });
  };

  try {
    const T0 = Date.parse('2031-01-01T00:00:00Z');
    const resourceKey = (/** @type {number} */ r) => `segment-${String(r).padStart(3, '0')}`;
    const time = (/** @type {number} */ r, /** @type {number} */ i) => T0 + (r * C + i) * 1000;
    /** @type {import('../dist/sync.js').DesiredState} */
    const desired = {
      resources: Array.from({ length: R }, (_, r) => ({
        resource: /** @type {const} */ ('segment'),
        ref: { projectKey: 'bench', environmentKey: 'production', segmentKey: resourceKey(r) },
        targets: Array.from({ length: C }, (_, i) => ({
          contextKind: 'user',
          contextKey: `user-${i}`,
          targetType: /** @type {const} */ ('included'),
          expiresAt: new Date(time(r, i)).toISOString(),
        })),
      })),
    };

    // parse: the same state as a YAML file (in a function, so neither text nor result stays in
    // memory for the timings below). The file is written for the plan command's timing.
    const yamlFile = new URL('../.bench/sync-desired-state.yaml', import.meta.url);
    await mkdir(new URL('../.bench/', import.meta.url), { recursive: true });
    const parse = async () => {
      let yaml = 'projects:\n  bench:\n    environments:\n      production:\n        segments:\n';
      for (const r of desired.resources) {
        yaml += `          ${/** @type {any} */ (r.ref).segmentKey}:\n`;
        for (const t of r.targets)
          yaml += `            - { contextKind: user, contextKey: ${t.contextKey}, targetType: included, expiresAt: ${t.expiresAt} }\n`;
      }
      await writeFile(yamlFile, yaml);
      const t = performance.now();
      const parsed = parseDesiredState(yaml);
      const ms = performance.now() - t;
      if (parsed.resources.length !== R) throw new Error('parse lost resources');
      return { ms, bytes: yaml.length };
    };
    const { ms: parseMs, bytes: yamlBytes } = await parse();
    await bundlePlanCommand();
    let started = performance.now();

    // plan: every target exists, one in ten at another time.
    const seed = desired.resources.map((r, ri) => [
      `segments/bench/${/** @type {any} */ (r.ref).segmentKey}/production`,
      r.targets.map((t, i) => ({
        contextKind: 'user',
        contextKey: t.contextKey,
        targetType: 'included',
        expirationDate: time(ri, i) + (i % 10 === 0 ? 60_000 : 0),
        _version: 1,
      })),
      'segment',
    ]);
    const fake = await ask({ op: 'reset' });
    await ask({ op: 'seed', seed });
    const ld = createExpiringTargetsClient({ apiKey: 'bench-token', baseUrl: fake.url });
    const planTimes = [];
    let gets = 0;
    /** @type {import('../dist/sync.js').PlanCounts | undefined} */
    let planCounts;
    for (let i = 0; i < Math.max(rounds, 1); i++) {
      const before = (await ask({ op: 'stats' })).stats.gets;
      started = performance.now();
      planCounts = (await planSync(ld, desired)).counts;
      planTimes.push(performance.now() - started);
      gets = (await ask({ op: 'stats' })).stats.gets - before;
    }
    if (!planCounts || planCounts.update !== R * Math.ceil(C / 10) || planCounts.unchanged !== R * C - planCounts.update) {
      throw new Error(`unexpected plan: ${JSON.stringify(planCounts)}`);
    }

    // The plan command (read the file as the CLI does, as data, checked; parse it; plan) against
    // planSync alone, each in a child of its own so that each has its own peak RSS; alternating.
    const planSyncChild = [];
    const planCommandChild = [];
    for (let round = 0; round < Math.max(rounds, 1); round++) {
      const pair = [
        async () => planSyncChild.push(await timePlanChild(['plan-sync', fake.url, '-', String(R), String(C)])),
        async () => planCommandChild.push(await timePlanChild(['plan-command', fake.url, fileURLToPath(yamlFile)])),
      ];
      for (const run of round % 2 === 0 ? pair : pair.reverse()) await run();
    }
    for (const { counts } of [...planSyncChild, ...planCommandChild])
      if (counts.update !== planCounts.update || counts.unchanged !== planCounts.unchanged)
        throw new Error(`a planning child planned differently: ${JSON.stringify(counts)}`);

    // sync from empty against patchAll directly, on fresh fakes, in alternating order, after a
    // round of each to warm up (not counted).
    const syncTimes = [];
    const directTimes = [];
    const directReadsTimes = [];
    /** @type {number[]} */
    const syncCpu = [];
    /** @type {number[]} */
    const directCpu = [];
    const cpuMs = (/** @type {NodeJS.CpuUsage} */ u) => (u.user + u.system) / 1000;
    /** @type {any} */
    let syncStats;
    let converged = true;
    const timeSync = async () => {
      const fresh = await ask({ op: 'reset' });
      const client = createExpiringTargetsClient({ apiKey: 'bench-token', baseUrl: fresh.url });
      const t = performance.now();
      const cpu = process.cpuUsage();
      const result = await applyPlan(client, await planSync(client, desired), { batchSize });
      const ms = performance.now() - t;
      syncCpu.push(cpuMs(process.cpuUsage(cpu)));
      converged &&= result.ok && result.counts.applied === R * C;
      syncStats = await ask({ op: 'stats' });
      return ms;
    };
    // The same instructions sync sends from empty: one add per entry, in file order.
    const instructions = desired.resources.map((r) =>
      r.targets.map((t) =>
        segmentInstructions.add({
          contextKind: t.contextKind,
          contextKey: t.contextKey,
          targetType: /** @type {any} */ (t).targetType,
          expiresAt: t.expiresAt,
        }),
      ),
    );
    const timeDirect = async () => {
      const fresh = await ask({ op: 'reset' });
      const client = createExpiringTargetsClient({ apiKey: 'bench-token', baseUrl: fresh.url });
      const t = performance.now();
      const cpu = process.cpuUsage();
      for (const [r, list] of instructions.entries()) {
        const run = await client.segments.patchAll(/** @type {any} */ (desired.resources[r]).ref, list, { batchSize });
        converged &&= run.ok;
      }
      const ms = performance.now() - t;
      directCpu.push(cpuMs(process.cpuUsage(cpu)));
      return ms;
    };
    // The same requests sync makes: a GET of each resource before its patchAll and one after.
    const timeDirectWithReads = async () => {
      const fresh = await ask({ op: 'reset' });
      const client = createExpiringTargetsClient({ apiKey: 'bench-token', baseUrl: fresh.url });
      const t = performance.now();
      for (const [r, list] of instructions.entries()) {
        const ref = /** @type {any} */ (desired.resources[r]).ref;
        await client.segments.get(ref);
        const run = await client.segments.patchAll(ref, list, { batchSize });
        converged &&= run.ok && (await client.segments.get(ref)).items.length === list.length;
      }
      return performance.now() - t;
    };
    if (planOnly) syncStats = { stats: { gets: 0, patches: 0 }, duplicated: 0 };
    else {
      await timeSync();
      await timeDirect();
      await timeDirectWithReads();
    }
    syncCpu.length = 0;
    directCpu.length = 0;
    const order = [
      async () => syncTimes.push(await timeSync()),
      async () => directTimes.push(await timeDirect()),
      async () => directReadsTimes.push(await timeDirectWithReads()),
    ];
    for (let round = 0; round < (planOnly ? 0 : rounds); round++) {
      // Each round starts with another of the three.
      for (let k = 0; k < order.length; k++) await /** @type {() => Promise<unknown>} */ (order[(round + k) % order.length])();
    }

    const median = (/** @type {number[]} */ xs) => {
      const s = [...xs].sort((a, b) => a - b);
      const m = s.length >> 1;
      return s.length % 2 ? /** @type {number} */ (s[m]) : /** @type {number} */ (s[m - 1] + /** @type {number} */ (s[m])) / 2;
    };
    const planMs = median(planTimes);
    const syncMs = median(syncTimes);
    const directMs = median(directTimes);
    const ratio = syncMs / directMs;
    const directReadsMs = median(directReadsTimes);
    const ratioSameRequests = syncMs / directReadsMs;
    const row = {
      resources: R,
      contextsEach: C,
      batchSize,
      rounds,
      parseYamlMs: Math.round(parseMs),
      yamlBytes,
      planMs: Math.round(planMs),
      planGets: gets,
      planUpdates: planCounts.update,
      planSyncChildMs: Math.round(median(planSyncChild.map((c) => c.ms))),
      planCommandMs: Math.round(median(planCommandChild.map((c) => c.ms))),
      planCommandOverPlanSync: Number((median(planCommandChild.map((c) => c.ms)) / median(planSyncChild.map((c) => c.ms))).toFixed(2)),
      planSyncPeakRssMB: Math.round(Math.max(...planSyncChild.map((c) => c.rssMB))),
      planCommandPeakRssMB: Math.round(Math.max(...planCommandChild.map((c) => c.rssMB))),
      syncMs: Math.round(syncMs),
      patchAllMs: Math.round(directMs),
      syncOverPatchAll: Number(ratio.toFixed(3)),
      patchAllWithReadsMs: Math.round(directReadsMs),
      syncOverPatchAllWithReads: Number(ratioSameRequests.toFixed(3)),
      syncRoundsMs: syncTimes.map(Math.round),
      patchAllRoundsMs: directTimes.map(Math.round),
      patchAllWithReadsRoundsMs: directReadsTimes.map(Math.round),
      syncCpuMs: Math.round(median(syncCpu)),
      patchAllCpuMs: Math.round(median(directCpu)),
      syncRequests: { gets: syncStats.stats.gets, patches: syncStats.stats.patches },
      duplicated: syncStats.duplicated,
      converged,
      loadAverage1m: Number(os.loadavg()[0]?.toFixed(2)),
    };
    const pass = {
      plan: planMs <= GOALS.planMs && gets === R,
      sync: planOnly ? undefined : ratio <= GOALS.syncRatio,
      planCommand: row.planCommandOverPlanSync <= GOALS.planCommandRatio,
      planCommandRss: row.planCommandPeakRssMB <= GOALS.planCommandRssMB,
    };
    console.log(
      `sync benchmark: ${R} resources × ${C} contexts, no rate limit (goals: plan ≤ ${GOALS.planMs} ms with ${R} GETs; sync ≤ ×${GOALS.syncRatio} patchAll)`,
    );
    console.table([row]);
    console.log(`plan ${row.planMs} ms, ${gets} GETs: ${pass.plan ? 'met' : 'MISSED'}`);
    console.log(
      `plan command (read + parse ${(yamlBytes / 1e6).toFixed(1)} MB of YAML + plan): ${row.planCommandMs} ms vs planSync alone ${row.planSyncChildMs} ms (×${row.planCommandOverPlanSync}, goal ≤ ×${GOALS.planCommandRatio}): ${pass.planCommand ? 'met' : 'MISSED'}; the parse alone: ${row.parseYamlMs} ms`,
    );
    console.log(
      `peak RSS of the child: plan command ${row.planCommandPeakRssMB} MB (goal ≤ ${GOALS.planCommandRssMB} MB): ${pass.planCommandRss ? 'met' : 'MISSED'}; planSync alone ${row.planSyncPeakRssMB} MB`,
    );
    if (planOnly) console.log('sync vs patchAll: not run (--plan-only)');
    else {
      console.log(`sync ${row.syncMs} ms vs patchAll ${row.patchAllMs} ms (×${row.syncOverPatchAll}): ${pass.sync ? 'met' : 'MISSED'}`);
      console.log(
        `  sync also GETs each resource before (to plan) and after (to verify); patchAll with those same ${2 * R} GETs: ${row.patchAllWithReadsMs} ms (sync ×${row.syncOverPatchAllWithReads})`,
      );
    }
    console.log(`load average (1 min): ${row.loadAverage1m}`);
    await writeFile(
      new URL('../.bench/sync.json', import.meta.url),
      JSON.stringify({ date: new Date().toISOString(), goals: GOALS, pass, ...row }, null, 2) + '\n',
    );
    // Wrong answers fail the run; a missed time is reported (a loaded machine is not a bug).
    if (!converged || gets !== R || syncStats.duplicated !== 0) process.exitCode = 1;
    void ready;
  } finally {
    child.kill();
  }
}

#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench`: the client, proxy and sync benchmarks one after another, each in its own
 * process, with the arguments given (`npm run bench -- --quick`). Each prints its figures and
 * keeps them in .bench/ (ignored by git). Only with `--write` do they update the tracked files:
 * bench/results.json, bench/proxy-results.json, and the figures page bench/README.md, made from
 * those two and .bench/sync.json. `--page-only` rewrites that page from the tracked figures alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const write = args.includes('--write');
// `--page-only`: rewrite the figures page from the tracked results without measuring again.
const pageOnly = args.includes('--page-only');

for (const script of pageOnly ? [] : ['client.js', 'proxy.js', 'sync.js']) {
  const run = spawnSync(process.execPath, [path.join(root, 'bench', script), ...args], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
if (write || pageOnly) {
  writeFileSync(path.join(root, 'bench', 'README.md'), figuresPage());
  console.log('wrote bench/README.md');
}

/** @param {string} file @returns {any} */
function readJson(file) {
  const full = path.join(root, file);
  return existsSync(full) ? JSON.parse(readFileSync(full, 'utf8')) : undefined;
}

/** The figures page: every figure from the last `--write` run, with where it came from. */
function figuresPage() {
  const client = readJson('bench/results.json');
  const proxy = readJson('bench/proxy-results.json');
  const sync = readJson('.bench/sync.json');
  const lines = [
    '# Benchmark figures',
    '',
    'Written by `npm run bench -- --write`; do not edit by hand. Each benchmark prints the same figures when run alone (`node bench/client.js`, `node bench/proxy.js`, `node bench/sync.js`).',
    '',
  ];
  if (client) {
    const ours = client.bundle.sizes['ld-expiring-targets'];
    lines.push(
      `## Client (commit ${client.commit}, ${client.date.slice(0, 10)}, node ${client.node}, load ${client.loadAverage1m.before} → ${client.loadAverage1m.after})`,
      '',
      '| measure | figure | goal |',
      '| --- | --- | --- |',
      `| one \`segments.patch\` in a page, min+gzip | ${(ours.gzipBytes / 1000).toFixed(1)} kB (+${(ours.lazyGzipBytes / 1000).toFixed(1)} kB on demand) | ≤ ${client.goals.gzipKbBudget} kB, goal ${client.goals.gzipKb} kB |`,
      `| per request, ours / bare openapi-fetch | ×${client.overhead.ratios.oursOverBare} | ≤ ×${client.goals.overheadRatio} |`,
      `| cold process with import, ours / bare | ×${client.coldImport.processRatio} | ≤ ×${client.goals.importRatio} |`,
      '',
      'Minified bytes by source file, in what the page loads for one patch:',
      '',
      '| file | bytes |',
      '| --- | --- |',
      ...Object.entries(/** @type {Record<string, number>} */ (client.bundle.oursBreakdownMinBytes))
        .sort((a, b) => b[1] - a[1])
        .map(([file, bytes]) => `| ${file.replace(/^.*node_modules\//, 'node_modules/')} | ${bytes} |`),
      '',
    );
  }
  if (proxy) {
    lines.push(
      `## Proxy (commit ${proxy.commit}, ${proxy.date.slice(0, 10)})`,
      '',
      '```json',
      JSON.stringify({ goals: proxy.goals, pass: proxy.pass }, null, 2),
      '```',
      '',
    );
  }
  if (sync) {
    const { date, goals, pass, ...row } = sync;
    lines.push(`## Sync (${String(date).slice(0, 10)})`, '', '```json', JSON.stringify({ goals, pass, ...row }, null, 2), '```', '');
  }
  return `${lines.join('\n')}\n`;
}

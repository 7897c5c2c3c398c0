#!/usr/bin/env node
// @ts-check
/**
 * npm run spec:pull [-- --root DIR]
 * Downloads every source named in openapi/sources.yaml over its vendored copy, regenerates, and
 * prints what changed in the bundled document. All or nothing: if any download fails, no copy is
 * replaced; if the new copies do not regenerate, the previous ones are put back.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { generate } from './generate.js';
import { buildSpec, readConfig } from './lib/pipeline.js';
import { diffSpecs, formatReport } from './lib/spec-report.js';

const TIMEOUT_MS = 30_000;

/** @param {unknown} error */
const message = (error) => (error instanceof Error ? error.message : String(error));

/** @param {import('./lib/pipeline.js').SourceConfig} source @returns {Promise<Uint8Array>} */
async function download(source) {
  let response;
  try {
    response = await fetch(source.url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    // fetch's own message is only "fetch failed"; the cause says DNS, refused, timeout...
    const cause = error instanceof Error && error.cause ? ` (${message(error.cause)})` : '';
    throw new Error(`${source.id}: could not download ${source.url}: ${message(error)}${cause}`);
  }
  if (!response.ok) throw new Error(`${source.id}: ${source.url} answered HTTP ${response.status} ${response.statusText}`.trim());
  // Bytes, not text: the vendored copy must be exactly what upstream served.
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * The document to compare against. Normally what the current inputs build; when they do not
 * (say the overlay was already edited for the incoming upstream), the committed bundle.
 * @param {string} root @param {import('./lib/pipeline.js').PipelineConfig} config @param {(line: string) => void} log
 * @returns {Promise<Record<string, any>>}
 */
async function currentDocument(root, config, log) {
  try {
    return (await buildSpec(root)).document;
  } catch (error) {
    const committed = path.join(root, 'openapi', config.output.document);
    log(`note: the current inputs do not build (${message(error).split('\n')[0]}); comparing with ${path.relative(root, committed)}`);
    return parse(await readFile(committed, 'utf8'));
  }
}

/**
 * @param {{ root: string, log?: (line: string) => void }} options
 * @returns {Promise<import('./lib/spec-report.js').SpecReport>}
 */
export async function specPull({ root, log = console.log }) {
  const openapiDir = path.join(root, 'openapi');
  const config = await readConfig(openapiDir);

  const results = await Promise.allSettled(config.sources.map(async (source) => ({ source, bytes: await download(source) })));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [message(r.reason)] : []));
  if (failures.length > 0) throw new Error(`download failed, no vendored copy was replaced:\n  ${failures.join('\n  ')}`);
  const downloads = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));

  const before = await currentDocument(root, config, log);
  /** @type {Map<string, Buffer | undefined>} */
  const previous = new Map();
  for (const { source } of downloads) {
    const file = path.join(openapiDir, source.file);
    previous.set(file, await readFile(file).catch(() => undefined));
  }

  let written;
  try {
    for (const { source, bytes } of downloads) {
      await writeFile(path.join(openapiDir, source.file), bytes);
      log(`pulled ${source.id} (${bytes.length} bytes) into openapi/${source.file}`);
    }
    written = await generate({ root });
  } catch (error) {
    for (const [file, bytes] of previous) {
      if (bytes === undefined) await rm(file, { force: true });
      else await writeFile(file, bytes);
    }
    throw new Error(`the downloaded sources do not regenerate, so the previous copies were restored:\n${message(error)}`);
  }
  log(`regenerated ${written.written.map((file) => path.relative(root, file)).join(', ')}`);

  const after = parse(await readFile(written.documentPath, 'utf8'));
  return diffSpecs(before, after);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({ options: { root: { type: 'string' } } });
  const root = path.resolve(values.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  specPull({ root }).then(
    (report) => console.log(`\nChanges to the bundled document:\n${formatReport(report)}`),
    (error) => {
      console.error(`spec:pull failed: ${message(error)}`);
      process.exitCode = 1;
    },
  );
}

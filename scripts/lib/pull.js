// @ts-check
/**
 * The work of `npm run spec:pull` (scripts/spec-pull.js, which starts the validation worker
 * first and then loads this): download, vendor, regenerate, compare.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { generate } from '../generate.js';
import { correctStage, mergeStage, readConfig, readCorrections } from './pipeline.js';
import { selectOperations } from './select.js';
import { documentOf, parseOpenApiText, recordedHash, sha256, vendoredCopy } from './sources.js';
import { buildReport } from './spec-report.js';

const TIMEOUT_MS = 30_000;

/** @param {unknown} error */
const message = (error) => (error instanceof Error ? error.message : String(error));

/** @param {import('./sources.js').SourceConfig} source @returns {Promise<Uint8Array>} */
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
  // Bytes, not text: a markdown page is vendored exactly as served, and the hash is of the bytes.
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * @typedef {{ source: import('./sources.js').SourceConfig, document: Record<string, any>, vendored: Uint8Array | string,
 *   figures: import('./spec-report.js').Figures['downloads'][number] }} Incoming
 */

/**
 * What a download becomes: the document the pipeline reads and the text to vendor.
 * @param {import('./sources.js').SourceConfig} source @param {Uint8Array} bytes @param {string | undefined} previous
 * @param {readonly string[]} operationIds @param {Date} retrievedAt
 * @returns {Promise<Incoming>}
 */
async function incoming(source, bytes, previous, operationIds, retrievedAt) {
  // A view of the downloaded bytes, not a copy: the full document can be tens of megabytes.
  const text = () => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (source.format === 'markdown') {
    const document = documentOf(source, text());
    return { source, document, vendored: bytes, figures: { id: source.id, bytes: bytes.length } };
  }
  let started = performance.now();
  const full = parseOpenApiText(text(), `${source.id} (${source.url})`);
  const parseMs = Math.round(performance.now() - started);
  started = performance.now();
  const subset = await selectOperations(full, operationIds);
  const selectMs = Math.round(performance.now() - started);
  const hash = sha256(bytes);
  // Unchanged upstream keeps the vendored file byte for byte, retrieval date included.
  const vendored =
    previous !== undefined && recordedHash(previous) === hash
      ? previous
      : vendoredCopy(source, { subset, bytes: bytes.length, hash, retrievedAt, operationIds });
  return { source, document: subset, vendored, figures: { id: source.id, bytes: bytes.length, parseMs, selectMs } };
}

/**
 * @param {import('./outputs.js').OutputChecker} checker
 * @param {{ root: string, log: (line: string) => void, now: () => Date, startedAt: number }} options
 */
export async function pullWith(checker, { root, log, now, startedAt }) {
  const openapiDir = path.join(root, 'openapi');
  const config = await readConfig(openapiDir);
  const overlay = await readCorrections(openapiDir, config);

  const results = await Promise.allSettled(config.sources.map(async (source) => ({ source, bytes: await download(source) })));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [message(r.reason)] : []));
  if (failures.length > 0) throw new Error(`download failed, no vendored copy was replaced:\n  ${failures.join('\n  ')}`);
  const downloads = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));

  /** @type {Map<string, Buffer | undefined>} */
  const previous = new Map();
  for (const { source } of downloads) {
    const file = path.join(openapiDir, source.file);
    previous.set(file, await readFile(file).catch(() => undefined));
  }

  const retrievedAt = now();
  /** @type {Incoming[]} */
  const arrived = [];
  try {
    for (const { source, bytes } of downloads) {
      arrived.push(
        await incoming(source, bytes, previous.get(path.join(openapiDir, source.file))?.toString('utf8'), config.operations, retrievedAt),
      );
    }
  } catch (error) {
    throw new Error(`the downloaded sources do not build, no vendored copy was replaced:\n${message(error)}`);
  }
  // The full downloads are hashed and selected: let them go before the rest of the work.
  results.length = 0;
  downloads.length = 0;

  const before = await previousState(config, overlay, previous, openapiDir, log);

  let generated;
  try {
    for (const { source, vendored, figures } of arrived) {
      await writeFile(path.join(openapiDir, source.file), vendored);
      log(`pulled ${source.id} (${figures.bytes} bytes) into openapi/${source.file}`);
    }
    generated = await generate({ root, checker, raw: arrived.map(({ source, document }) => ({ source, document })) });
  } catch (error) {
    for (const [file, bytes] of previous) {
      if (bytes === undefined) await rm(file, { force: true });
      else await writeFile(file, bytes);
    }
    throw new Error(`the downloaded sources do not regenerate, so the previous copies were restored:\n${message(error)}`);
  }
  log(`regenerated ${generated.written.map((file) => path.relative(root, file)).join(', ')}`);

  const { built } = generated;
  const report = buildReport({
    sources: config.sources.map((source, i) => ({
      id: source.id,
      ignore: source.ignore,
      before: before.prepared.find((p) => p.id === source.id)?.document,
      after: /** @type {Record<string, any>} */ (built.prepared[i]?.document),
    })),
    merged: { before: before.merged, after: built.merged },
    corrected: { before: before.corrected, after: built.document, applied: built.applied, skippedBefore: before.skipped },
    outputs: {
      before: before.outputs,
      after: { bundle: built.document, types: built.types, rules: built.rules },
      names: outputNames(config),
    },
  });
  const figures = {
    seconds: (performance.now() - startedAt) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    downloads: arrived.map((a) => a.figures),
  };
  return { report, figures };
}

/** @param {import('./pipeline.js').PipelineConfig} config */
function outputNames(config) {
  return {
    bundle: path.basename(config.output.document),
    types: path.basename(config.output.types),
    rules: path.basename(config.output.rules),
  };
}

/**
 * The state the report compares with: the previous vendored copies through the same stages (the
 * current corrections applied leniently, as they may target what only the new upstream has),
 * and the committed generated files.
 * @param {import('./pipeline.js').PipelineConfig} config @param {import('./overlay.js').Overlay} overlay
 * @param {Map<string, Buffer | undefined>} previous @param {string} openapiDir @param {(line: string) => void} log
 */
async function previousState(config, overlay, previous, openapiDir, log) {
  /** @type {import('./pipeline.js').RawSource[]} */
  const raw = [];
  for (const source of config.sources) {
    const bytes = previous.get(path.join(openapiDir, source.file));
    if (bytes === undefined) continue;
    try {
      raw.push({ source, document: documentOf(source, bytes.toString('utf8')) });
    } catch (error) {
      log(`note: the previous copy of ${source.id} does not read (${message(error).split('\n')[0]}); it is compared as empty`);
    }
  }
  /** @param {string} file */
  const committed = (file) => readFile(path.join(openapiDir, file), 'utf8').catch(() => undefined);
  const bundleText = await committed(config.output.document);
  const outputs = {
    bundle: bundleText === undefined ? undefined : parse(bundleText),
    types: await committed(config.output.types),
    rules: await committed(config.output.rules),
  };
  if (raw.length === 0) return { prepared: [], merged: {}, corrected: {}, skipped: [], outputs };
  const { prepared, merged } = await mergeStage(config, raw);
  const corrected = await correctStage(merged, overlay, { lenient: true });
  return { prepared, merged, corrected: corrected.document, skipped: corrected.skipped, outputs };
}

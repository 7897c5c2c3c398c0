// @ts-check
/**
 * Reading the upstream sources, and writing the vendored copy of a downloaded OpenAPI document:
 * only the selected subset, under a header that says where and when it came from and the hash
 * of the whole download, so a reader can check the copy against upstream.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { extractOpenApiFromMarkdown } from './markdown.js';
import { toOpenApi31 } from './convert.js';
import { camelCaseOperationId, listOperations, selectOperations } from './select.js';
import { redact } from './redact.js';

export class SourceError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'SourceError';
  }
}

/**
 * @typedef {{ id: string, format: 'markdown' | 'openapi', file: string, url: string, licence?: string,
 *   ignore?: string[] }} SourceConfig
 */

/**
 * Parses an OpenAPI document served as JSON or YAML. JSON goes through JSON.parse: the YAML
 * parser reads JSON too, but about fifty times slower, which matters for the full API document.
 * @param {string} text @param {string} name used in errors
 * @returns {Record<string, any>}
 */
export function parseOpenApiText(text, name) {
  let document;
  try {
    document = /^\s*\{/.test(text) ? JSON.parse(text) : parse(text);
  } catch (error) {
    throw new SourceError(`${name}: does not parse: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  if (document === null || typeof document !== 'object' || typeof document.openapi !== 'string') {
    throw new SourceError(`${name}: not an OpenAPI document (no top-level "openapi" key)`);
  }
  return document;
}

/**
 * The OpenAPI document a source's text holds, as upstream wrote it.
 * @param {SourceConfig} source @param {string} text
 * @returns {Record<string, any>}
 */
export function documentOf(source, text) {
  if (source.format === 'markdown') return extractOpenApiFromMarkdown(text, source.file).document;
  return parseOpenApiText(text, source.file);
}

/**
 * @param {SourceConfig} source @param {string} openapiDir
 * @returns {Promise<Record<string, any>>}
 */
export async function readSource(source, openapiDir) {
  return documentOf(source, await readFile(path.join(openapiDir, source.file), 'utf8'));
}

/**
 * What the merge takes from a source: its selected operations and their components, converted
 * to OpenAPI 3.1, with operationIds in the official camelCase.
 * @param {SourceConfig} source @param {Record<string, any>} document @param {readonly string[]} operationIds
 * @returns {Promise<import('./merge.js').PreparedSource>}
 */
export async function prepareSource(source, document, operationIds) {
  const selected = await toOpenApi31(await selectOperations(document, operationIds));
  for (const { path: p, method } of listOperations(selected)) {
    const operation = selected.paths[p][method];
    if (typeof operation.operationId === 'string') operation.operationId = camelCaseOperationId(operation.operationId);
  }
  return { id: source.id, document: selected, ignore: source.ignore ?? [] };
}

/** @param {Uint8Array} bytes */
export function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The content hash a vendored copy's header records, if it has one.
 * @param {string} text
 * @returns {string | undefined}
 */
export function recordedHash(text) {
  return /^# sha256 of the full download: ([0-9a-f]{64})$/m.exec(text)?.[1];
}

/**
 * The vendored copy of a downloaded OpenAPI document: provenance header, then the subset.
 * @param {SourceConfig} source
 * @param {{ subset: Record<string, any>, bytes: number, hash: string, retrievedAt: Date, operationIds: readonly string[] }} download
 */
export function vendoredCopy(source, { subset, bytes, hash, retrievedAt, operationIds }) {
  const header = [
    `# Subset of ${redact(source.url)}, selected by \`npm run spec:pull\` (scripts/spec-pull.js).`,
    `# Retrieved ${retrievedAt.toISOString()}; the full download was ${bytes} bytes.`,
    `# sha256 of the full download: ${hash}`,
    `# Kept: the operations ${operationIds.join(', ')} and every component they reference; otherwise as`,
    '# served, upstream mistakes included (openapi/corrections.overlay.yaml corrects them).',
    ...(source.licence ? [`# Licence: ${source.licence}`] : []),
  ];
  return `${header.join('\n')}\n${stringify(subset, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

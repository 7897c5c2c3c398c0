// @ts-check
/**
 * Finds the OpenAPI document embedded in a LaunchDarkly documentation page (markdown).
 *
 * Fences are recognised the CommonMark way (at most three spaces of indentation, a closing
 * fence of the same character and at least the same length) because the spec's own
 * descriptions contain indented ```json fences that must not end the YAML block.
 */
import { parse } from 'yaml';

export class SpecExtractionError extends Error {
  /** @param {string} file @param {string} message */
  constructor(file, message) {
    super(`${file}: ${message}`);
    this.name = 'SpecExtractionError';
    this.file = file;
  }
}

/**
 * @typedef {{ info: string, body: string, line: number, heading: string | undefined }} FencedBlock
 */

/**
 * Lists the fenced code blocks of a markdown text, with the nearest heading above each.
 * @param {string} text
 * @returns {FencedBlock[]}
 */
export function fencedBlocks(text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  /** @type {FencedBlock[]} */
  const blocks = [];
  /** @type {string | undefined} */
  let heading;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      heading = h[1];
      continue;
    }
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^`]*)$/.exec(line);
    if (!open) continue;
    const indent = open[1]?.length ?? 0;
    const fence = open[2] ?? '```';
    const info = (open[3] ?? '').trim().split(/\s+/)[0] ?? '';
    const closing = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const body = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const candidate = lines[j] ?? '';
      if (closing.test(candidate)) break;
      // CommonMark strips up to the opening fence's indentation from content lines.
      body.push(candidate.replace(new RegExp(`^ {0,${indent}}`), ''));
    }
    blocks.push({ info: info.toLowerCase(), body: body.join('\n') + '\n', line: i + 1, heading });
    i = j;
  }
  return blocks;
}

/**
 * Extracts and parses the OpenAPI YAML of a documentation page.
 *
 * The block under a heading named "OpenAPI Specification" wins; without such a heading the
 * one YAML block whose top level has an `openapi` key is taken.
 * @param {string} text the page, as read from disk
 * @param {string} file the page's name, used in errors
 * @returns {{ yaml: string, document: Record<string, unknown> }}
 */
export function extractOpenApiFromMarkdown(text, file) {
  const yamlBlocks = fencedBlocks(text).filter((b) => b.info === 'yaml' || b.info === 'yml');
  const underHeading = yamlBlocks.filter((b) => /openapi\s+spec/i.test(b.heading ?? ''));
  for (const block of underHeading) {
    try {
      parse(block.body);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new SpecExtractionError(file, `the OpenAPI yaml block at line ${block.line} does not parse: ${reason}`);
    }
  }
  const candidates = (underHeading.length > 0 ? underHeading : yamlBlocks)
    .map((block) => ({ block, document: tryParse(block.body) }))
    .filter((c) => c.document !== undefined && typeof c.document.openapi === 'string');
  if (candidates.length === 0) {
    throw new SpecExtractionError(
      file,
      `no OpenAPI specification found (looked for a fenced yaml block with a top-level "openapi" key among ${yamlBlocks.length} yaml block(s))`,
    );
  }
  if (candidates.length > 1) {
    const where = candidates.map((c) => `line ${c.block.line}`).join(', ');
    throw new SpecExtractionError(file, `more than one OpenAPI specification block (${where}); keep one`);
  }
  const [only] = candidates;
  if (!only || !only.document) throw new SpecExtractionError(file, 'unreachable');
  return { yaml: only.block.body, document: only.document };
}

/** @param {string} source @returns {Record<string, any> | undefined} */
function tryParse(source) {
  try {
    const value = parse(source);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

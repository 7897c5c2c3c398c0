#!/usr/bin/env node
// @ts-check
/**
 * npm run generate [-- --root DIR] [-- --out DIR]
 * Writes generated/expiring-targets.openapi.yaml, generated/schema.ts and
 * generated/instruction-rules.ts from the sources.
 * With --out, writes them below DIR instead (used by check:generated).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildSpec } from './lib/pipeline.js';
import { redact } from './lib/redact.js';

/**
 * @param {{ root: string, out?: string | undefined, raw?: import('./lib/pipeline.js').RawSource[] | undefined,
 *   checker?: import('./lib/outputs.js').OutputChecker | undefined }} options
 *   `raw`, `checker`: as for buildSpec
 * @returns {Promise<{ documentPath: string, typesPath: string, rulesPath: string, written: string[],
 *   built: import('./lib/pipeline.js').BuiltSpec }>}
 */
export async function generate({ root, out, raw, checker }) {
  const built = await buildSpec(root, { raw, checker });
  const { config, documentYaml, types, rules } = built;
  const base = out ?? root;
  const documentPath = path.join(base, 'openapi', config.output.document);
  const typesPath = path.join(base, 'openapi', config.output.types);
  const rulesPath = path.join(base, 'openapi', config.output.rules);
  for (const [file, text] of /** @type {const} */ ([
    [documentPath, documentYaml],
    [typesPath, types],
    [rulesPath, rules],
  ])) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return { documentPath, typesPath, rulesPath, written: [documentPath, typesPath, rulesPath], built };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({ options: { root: { type: 'string' }, out: { type: 'string' } } });
  const root = path.resolve(values.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  generate({ root, out: values.out && path.resolve(values.out) }).then(
    ({ written }) => {
      for (const file of written) console.log(`wrote ${path.relative(process.cwd(), file)}`);
    },
    (error) => {
      console.error(redact(`generate failed: ${error instanceof Error ? error.message : String(error)}`));
      process.exitCode = 1;
    },
  );
}

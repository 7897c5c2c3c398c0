#!/usr/bin/env node
// @ts-check
/**
 * npm run generate [-- --root DIR] [-- --out DIR]
 * Writes generated/expiring-targets.openapi.yaml, generated/schema.ts and
 * generated/instruction-rules.ts from the sources.
 * With --out, writes both below DIR instead (used by check:generated).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildSpec } from './lib/pipeline.js';

/**
 * @param {{ root: string, out?: string | undefined }} options
 * @returns {Promise<{ documentPath: string, typesPath: string, rulesPath: string, written: string[] }>}
 */
export async function generate({ root, out }) {
  const { config, documentYaml, types, rules } = await buildSpec(root);
  const base = out ?? root;
  const documentPath = path.join(base, 'openapi', config.output.document);
  const typesPath = path.join(base, 'openapi', config.output.types);
  const rulesPath = path.join(base, 'openapi', config.output.rules);
  for (const [file, text] of /** @type {const} */ ([[documentPath, documentYaml], [typesPath, types], [rulesPath, rules]])) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return { documentPath, typesPath, rulesPath, written: [documentPath, typesPath, rulesPath] };
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
      console.error(`generate failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}

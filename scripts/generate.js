#!/usr/bin/env node
// @ts-check
/**
 * npm run generate [-- --root DIR] [-- --out DIR]
 * Writes generated/expiring-targets.openapi.yaml and generated/schema.ts from the sources.
 * With --out, writes both below DIR instead (used by check:generated).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { buildSpec } from './lib/pipeline.js';

/**
 * @param {{ root: string, out?: string }} options
 * @returns {Promise<{ documentPath: string, typesPath: string }>}
 */
export async function generate({ root, out }) {
  const { config, documentYaml, types } = await buildSpec(root);
  const base = out ?? root;
  const documentPath = path.join(base, 'openapi', config.output.document);
  const typesPath = path.join(base, 'openapi', config.output.types);
  await mkdir(path.dirname(documentPath), { recursive: true });
  await mkdir(path.dirname(typesPath), { recursive: true });
  await writeFile(documentPath, documentYaml);
  await writeFile(typesPath, types);
  return { documentPath, typesPath };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({ options: { root: { type: 'string' }, out: { type: 'string' } } });
  const root = path.resolve(values.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  generate({ root, out: values.out && path.resolve(values.out) }).then(
    ({ documentPath, typesPath }) => {
      console.log(`wrote ${path.relative(process.cwd(), documentPath)}`);
      console.log(`wrote ${path.relative(process.cwd(), typesPath)}`);
    },
    (error) => {
      console.error(`generate failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}

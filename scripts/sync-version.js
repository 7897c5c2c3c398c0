#!/usr/bin/env node
// @ts-check
/**
 * Run by `npm run version-packages` after `changeset version`: writes package.json's new version
 * into src/core/version.ts, which the client sends in its agent header (a test keeps the two equal).
 */
import { readFile, writeFile } from 'node:fs/promises';

const root = new URL('..', import.meta.url);
const { version } = JSON.parse(await readFile(new URL('package.json', root), 'utf8'));
const file = new URL('src/core/version.ts', root);
const before = await readFile(file, 'utf8');
const after = before.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`);
if (after === before && !before.includes(`'${version}'`)) throw new Error('src/core/version.ts has no VERSION line to update');
await writeFile(file, after);
console.log(`src/core/version.ts: VERSION = '${version}'`);

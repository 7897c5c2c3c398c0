/**
 * `npm test` and `npm run test:browser` start vitest through this file, with the same arguments.
 * vitest colours some of its symbols as soon as it loads, before any config is read, and its colour
 * library does not check for a terminal: so whether output is plain has to be settled before it
 * loads. Plain output also reaches every process the tests start (workers, the CLI, Prism, npm).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { plainUnlessColourWanted } from './colour.js';

plainUnlessColourWanted();
const vitestRoot = path.dirname(createRequire(import.meta.url).resolve('vitest/package.json'));
// Its own bin, in this process: it reads the arguments after this file's name from process.argv.
await import(pathToFileURL(path.join(vitestRoot, 'vitest.mjs')).href);

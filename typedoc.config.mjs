// `npm run docs`: the API reference, from the doc comments, into docs/api/ (git-ignored).
import { existsSync, readFileSync } from 'node:fs';
import { OptionDefaults } from 'typedoc';

// One page per public entry point: every subpath in package.json's `exports` that tsup builds
// from src/<name>.ts (or src/<name>/index.ts) into dist/<name>.js, so a new subpath is documented (and checked) by default.
const { exports } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const entryPoints = Object.values(exports)
  .map((target) => /^\.\/dist\/([\w-]+)\.js$/.exec(target?.import?.default ?? '')?.[1])
  .filter((name) => name !== undefined)
  .map((name) => (existsSync(`src/${name}.ts`) ? `src/${name}.ts` : `src/${name}/index.ts`));

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  entryPoints,
  out: 'docs/api',
  readme: 'README.md',
  tsconfig: 'tsconfig.json',
  // Every export, and every member of it, needs a doc comment; any warning fails the run.
  validation: {
    notExported: true,
    invalidLink: true,
    invalidPath: true,
    rewrittenLink: true,
    notDocumented: true,
    unusedMergeModuleWith: true,
  },
  treatValidationWarningsAsErrors: true,
  treatWarningsAsErrors: true,
  // openapi-typescript writes `@description` in generated/schema.ts.
  blockTags: [...OptionDefaults.blockTags, '@description'],
  highlightLanguages: [...OptionDefaults.highlightLanguages, 'csv', 'sh'],
  // Source links would point at whatever remote a clone has (CI's is a local path): leave them out.
  disableSources: true,
  // Types the public ones are built from: the generated `paths` and rules, the local alias of the
  // generated schemas, and the helpers' input mapping. Their members appear, documented, where they are used.
  intentionallyNotExported: ['paths', 'Schemas', 'RESOURCE_RULES', 'InstructionHelpers'],
  excludePrivate: true,
  excludeInternal: true,
  sort: ['source-order'],
};

// @ts-check
/**
 * Worker side of outputs.js: loads Redocly's openapi-core and openapi-typescript as soon as it
 * starts, then for the bundle it receives, validates it and produces its TypeScript types.
 */
import { parentPort } from 'node:worker_threads';

const loading = Promise.all([import('@redocly/openapi-core'), import('openapi-typescript')]);

/**
 * Every structural error (unknown keys, wrong types, unresolved $refs), as lines; none is valid.
 * @param {typeof import('@redocly/openapi-core')} redocly @param {string} yamlText @param {string} name
 */
async function problemsOf(redocly, yamlText, name) {
  const config = await redocly.createConfig({
    rules: {
      struct: 'error',
      'no-unresolved-refs': 'error',
      'operation-operationId-unique': 'error',
      'no-invalid-schema-examples': 'error',
      'no-invalid-media-type-examples': 'error',
    },
  });
  const problems = await redocly.lintDocument({
    document: redocly.makeDocumentFromString(yamlText, name),
    config: config.styleguide,
    externalRefResolver: new redocly.BaseResolver(),
  });
  return problems.filter((p) => p.severity === 'error').map((p) => `  ${p.ruleId}: ${p.message} (at ${p.location[0]?.pointer ?? '?'})`);
}

parentPort?.on('message', async (/** @type {{ document: Record<string, any>, yaml: string, name: string }} */ bundle) => {
  try {
    const [redocly, { default: openapiTS, astToString }] = await loading;
    const problems = await problemsOf(redocly, bundle.yaml, bundle.name);
    if (problems.length > 0) {
      parentPort?.postMessage({ invalid: `${bundle.name} does not validate:\n${problems.join('\n')}` });
      return;
    }
    const ast = await openapiTS(/** @type {import('openapi-typescript').OpenAPI3} */ (bundle.document), { silent: true });
    parentPort?.postMessage({ types: astToString(ast) });
  } catch (error) {
    parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
});

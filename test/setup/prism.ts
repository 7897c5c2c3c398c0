import type { TestProject } from 'vitest/node';
import { startPrism } from '../../src/cli/prism.js';
import { BUNDLED_DOCUMENT } from '../support/project.js';

declare module 'vitest' {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

// One Prism for the tests that call it (the `prism` and `packed` projects of vitest.config.ts, and only they): starting it costs
// a few seconds, and it holds no state. Under load it can take far longer: the bound is generous.
export default async function setup(project: TestProject) {
  const prism = await startPrism({ document: BUNDLED_DOCUMENT, timeoutMs: 180_000 });
  project.provide('prismUrl', prism.url);
  return async () => {
    await prism.stop();
  };
}

import type { TestProject } from 'vitest/node';
import { startPrism } from '../../src/cli/prism.js';
import { BUNDLED_DOCUMENT } from '../support/project.js';

declare module 'vitest' {
  export interface ProvidedContext {
    prismUrl: string;
  }
}

// One Prism for the whole run: starting it costs a few seconds, and it holds no state.
export default async function setup(project: TestProject) {
  const prism = await startPrism({ document: BUNDLED_DOCUMENT });
  project.provide('prismUrl', prism.url);
  return async () => {
    await prism.stop();
  };
}

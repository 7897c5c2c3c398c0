import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { packCheckout } from '../support/packed.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The tarball the `packed` project's files install: packed once per run, not once per file. */
    packedTarball: string | undefined;
  }
}

// Packing builds the whole package (generate, tsc, tsup): once for the run, instead of once in
// each file that installs the tarball, which under load ran past the files' set-up timeouts.
// CI hands in the tarball it packed itself (PACKED_TARBALL), so nothing is packed then.
export default async function setup(project: TestProject) {
  if (process.env.PACKED_TARBALL) {
    project.provide('packedTarball', undefined);
    return;
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'ld-et-pack-'));
  project.provide('packedTarball', await packCheckout(root));
  return async () => {
    await rm(root, { recursive: true, force: true });
  };
}

import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BUNDLED_DOCUMENT = path.join(projectRoot, 'generated', 'expiring-targets.openapi.yaml');

/** A scratch copy of the spec inputs and outputs, for tests that change them. */
export async function copySpecTree(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'ld-et-spec-'));
  await cp(path.join(projectRoot, 'openapi'), path.join(root, 'openapi'), { recursive: true });
  await cp(path.join(projectRoot, 'generated'), path.join(root, 'generated'), { recursive: true });
  return root;
}

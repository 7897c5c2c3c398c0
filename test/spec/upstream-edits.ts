/**
 * Test upstreams for spec:pull: the vendored copies as LaunchDarkly would serve them, edited by
 * the Overlay documents in test/fixtures/spec-pull/<scenario>/ (one per kind of upstream change),
 * and a local server that serves them.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { extractOpenApiFromMarkdown } from '../../scripts/lib/markdown.js';
import { applyOverlay, type Overlay } from '../../scripts/lib/overlay.js';
import { copySpecTree, projectRoot } from '../support/project.js';

export const FIXTURES = path.join(projectRoot, 'test/fixtures/spec-pull');
export const PAGE_FILE = 'openapi/upstream/segment-patch-expiring-targets.md';
export const OFFICIAL_FILE = 'openapi/upstream/launchdarkly-openapi-expiring-targets.yaml';

async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/** The documentation page with its embedded OpenAPI YAML edited. */
export function editedPage(page: string, edit: Overlay): string {
  const { yaml, document } = extractOpenApiFromMarkdown(page, PAGE_FILE);
  if (!page.includes(yaml)) throw new Error('the page does not hold its OpenAPI block verbatim');
  return page.replace(yaml, stringify(applyOverlay(document, edit), { lineWidth: 0 }));
}

/**
 * What upstream serves in a scenario: the page as markdown, the official document as JSON (as
 * https://app.launchdarkly.com/api/v2/openapi.json does), each edited when the scenario has an
 * edit for it.
 */
export async function upstreamFor(scenario: string): Promise<{ page: Buffer; official: Buffer }> {
  const page = await readFile(path.join(projectRoot, PAGE_FILE), 'utf8');
  const official = parse(await readFile(path.join(projectRoot, OFFICIAL_FILE), 'utf8'));
  const pageEdit = await readOptional(path.join(FIXTURES, scenario, 'segment-patch-page.edit.yaml'));
  const officialEdit = await readOptional(path.join(FIXTURES, scenario, 'official-openapi.edit.yaml'));
  return {
    page: Buffer.from(pageEdit === undefined ? page : editedPage(page, parse(pageEdit))),
    official: Buffer.from(JSON.stringify(officialEdit === undefined ? official : applyOverlay(official, parse(officialEdit)))),
  };
}

/** A local upstream: `/<scenario>/<source id>` answers the registered bytes, anything else 404. */
export class LocalUpstream {
  private readonly routes = new Map<string, Buffer>();
  private server: Server | undefined;
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const body = this.routes.get(req.url ?? '');
      if (body === undefined) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      else res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  serve(scenario: string, sourceId: string, body: Buffer | undefined): void {
    if (body === undefined) this.routes.delete(`/${scenario}/${sourceId}`);
    else this.routes.set(`/${scenario}/${sourceId}`, body);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }
}

/**
 * A scratch copy of the project's spec tree whose sources.yaml points at `scenario` on the local
 * upstream, with the scenario's corrections.add.yaml (if any) appended to the overlay.
 */
export async function scratchProject(upstream: LocalUpstream, scenario: string): Promise<string> {
  const root = await copySpecTree();
  const sourcesFile = path.join(root, 'openapi/sources.yaml');
  const config = parse(await readFile(sourcesFile, 'utf8'));
  for (const source of config.sources) source.url = `${upstream.baseUrl}/${scenario}/${source.id}`;
  await writeFile(sourcesFile, stringify(config));
  const added = await readOptional(path.join(FIXTURES, scenario, 'corrections.add.yaml'));
  if (added !== undefined) {
    const overlayFile = path.join(root, 'openapi/corrections.overlay.yaml');
    const overlay = parse(await readFile(overlayFile, 'utf8'));
    overlay.actions.push(...parse(added));
    await writeFile(overlayFile, stringify(overlay));
  }
  return root;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractOpenApiFromMarkdown, SpecExtractionError } from '../../scripts/lib/markdown.js';

const page = readFileSync(new URL('../../openapi/upstream/segment-patch-expiring-targets.md', import.meta.url), 'utf8');

const spec = ['openapi: 3.1.0', 'info:', '  title: T', '  version: "1"', 'paths: {}', ''].join('\n');

describe('extractOpenApiFromMarkdown', () => {
  it('extracts the vendored segment page, whose YAML holds indented ```json fences inside descriptions', () => {
    const { document } = extractOpenApiFromMarkdown(page, 'segment.md');
    expect(document.openapi).toBe('3.1.0');
    const paths = document.paths as Record<string, Record<string, { operationId: string; description: string }>>;
    const op = paths['/api/v2/segments/{projectKey}/{segmentKey}/expiring-targets/{environmentKey}']?.patch;
    expect(op?.operationId).toBe('patch-expiring-targets-for-segment');
    // The description runs past the nested fences to the end of the instructions list.
    expect(op?.description).toContain('#### removeExpiringTarget');
    expect(op?.description).toContain('</details>');
  });

  it('gives the same document for CRLF and CR line endings', () => {
    const lf = extractOpenApiFromMarkdown(page, 'lf.md').document;
    expect(extractOpenApiFromMarkdown(page.replace(/\n/g, '\r\n'), 'crlf.md').document).toEqual(lf);
    expect(extractOpenApiFromMarkdown(page.replace(/\n/g, '\r'), 'cr.md').document).toEqual(lf);
  });

  it('takes only the block under the "OpenAPI Specification" heading when several yaml blocks exist', () => {
    const md = [
      '# Page',
      '```yaml',
      'openapi: 3.0.0',
      'info: { title: decoy, version: "0" }',
      'paths: {}',
      '```',
      '## OpenAPI Specification',
      '```yaml',
      spec,
      '```',
      '## SDK Code Examples',
      '```yaml',
      'not: a spec',
      '```',
    ].join('\n');
    const { document } = extractOpenApiFromMarkdown(md, 'several.md');
    expect((document.info as { title: string }).title).toBe('T');
  });

  it('without that heading, takes the one yaml block that is an OpenAPI document', () => {
    const md = ['```json', '{"openapi": "3.1.0"}', '```', '```yaml', 'a: 1', '```', '~~~yml', spec, '~~~'].join('\n');
    expect(extractOpenApiFromMarkdown(md, 'tilde.md').document.openapi).toBe('3.1.0');
  });

  it('does not end a block at a longer-indented or shorter fence', () => {
    const md = ['## OpenAPI Specification', '````yaml', spec + 'x-note: |', '  ```', '  inside', '  ```', 'x-after: 1', '````'].join('\n');
    const { document } = extractOpenApiFromMarkdown(md, 'fences.md');
    expect(document['x-after']).toBe(1);
  });

  it('names the file when a page has no spec', () => {
    const run = () => extractOpenApiFromMarkdown('# Just prose\n\n```json\n{}\n```\n', 'docs/empty-page.md');
    expect(run).toThrow(SpecExtractionError);
    expect(run).toThrow(/^docs\/empty-page\.md: no OpenAPI specification found/);
  });

  it('names the file and line when the spec block does not parse', () => {
    const md = ['intro', '## OpenAPI Specification', '```yaml', 'openapi: [unclosed', '```'].join('\n');
    expect(() => extractOpenApiFromMarkdown(md, 'broken.md')).toThrow(/^broken\.md: the OpenAPI yaml block at line 3 does not parse/);
  });

  it('refuses two spec blocks rather than guessing', () => {
    const md = ['```yaml', spec, '```', '```yaml', spec, '```'].join('\n');
    expect(() => extractOpenApiFromMarkdown(md, 'two.md')).toThrow(/more than one OpenAPI specification block \(line 1, line \d+\)/);
  });
});

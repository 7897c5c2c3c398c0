/**
 * What a page that sends one `segments.patch` through a proxy loads first: no openapi-fetch (it
 * comes with `client.raw`, on first use) and no bulk or read-back code (loaded by `patchAll` and
 * `reconcile`), within the budget below.
 */
import { describe, expect, it } from 'vitest';
import { bundlePage } from '../support/page-bundle.js';

/**
 * Bytes, gzip -9, of what the page loads first: the figure before the inventory and the rate
 * budget arrived (14,733), which the page must not outgrow.
 */
const PAGE_BUDGET_GZIP_BYTES = 14_733;

describe('the page of one segments.patch', () => {
  it('loads openapi-fetch, bulk runs and reading back only on demand', async () => {
    const { initial, lazy } = await bundlePage();
    const first = initial.flatMap((f) => Object.keys(f.inputs));
    expect(first.some((name) => name.includes('node_modules/openapi-fetch/'))).toBe(false);
    expect(first.some((name) => /src\/core\/(bulk|patch-all|read-back)\.ts$/.test(name))).toBe(false);
    const later = lazy.flatMap((f) => Object.keys(f.inputs));
    expect(later.some((name) => name.includes('node_modules/openapi-fetch/'))).toBe(true);
    expect(later.some((name) => name.endsWith('src/core/patch-all.ts'))).toBe(true);
  });

  it('stays within its budget', async () => {
    const { initial } = await bundlePage();
    const gzipBytes = initial.reduce((n, f) => n + f.gzipBytes, 0);
    expect(gzipBytes).toBeGreaterThan(5_000);
    expect(gzipBytes).toBeLessThanOrEqual(PAGE_BUDGET_GZIP_BYTES);
  });
});

/**
 * The inventory is a subpath of its own: a browser app that sends one `segments.patch` must not
 * carry the listings (their rules are generated beside the patch rules) or any inventory code.
 */
import { describe, expect, it } from 'vitest';
import { bundlePage } from '../support/page-bundle.js';

describe('the browser bundle of one segments.patch', () => {
  it('holds nothing of the inventory or of the listing rules', async () => {
    const { initial, lazy } = await bundlePage();
    const inputs = [...initial, ...lazy].flatMap((f) => Object.keys(f.inputs));
    expect(inputs.some((name) => name.includes('src/inventory/'))).toBe(false);
    expect(inputs.some((name) => name.includes('generated/instruction-rules'))).toBe(true);
    const text = [...initial, ...lazy].map((f) => f.text).join('\n');
    // The listings' paths and operations are in the generated rules module, beside what the patch needs.
    expect(text).toContain('expiring-targets');
    expect(text).not.toContain('getFeatureFlags');
    expect(text).not.toContain('getSegments');
  });
});

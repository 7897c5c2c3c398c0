/**
 * The page of one `segments.patch` through a proxy, bundled from src/ as an app's bundler would
 * (../../bench/page-bundle.js): what it loads first apart from what it loads only on demand.
 */
import { bundleForBrowser } from '../../bench/page-bundle.js';
import { projectRoot } from './project.js';

export const PAGE_ENTRY = `import { createExpiringTargetsClient, segmentInstructions } from './src/index.ts';
const ld = createExpiringTargetsClient({ baseUrl: location.origin + '/ld' });
ld.segments.patch({ projectKey: 'default', environmentKey: 'production', segmentKey: 'beta' },
  [segmentInstructions.add({ contextKind: 'user', contextKey: 'alice', targetType: 'included', expiresAt: '2031-01-01T00:00:00Z' })]);`;

export const bundlePage = () => bundleForBrowser({ contents: PAGE_ENTRY, resolveDir: projectRoot, loader: 'ts' });

import { defineConfig } from 'vitest/config';
import base from './vitest.stryker.config.js';

// `npm run test:mutation:proxy`: the proxy's own in-process tests only (stryker.proxy.config.mjs).
export default defineConfig({
  test: { ...base.test, include: ['test/proxy/**/*.test.ts'] },
});

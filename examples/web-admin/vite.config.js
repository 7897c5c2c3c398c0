import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// The page imports the package by name, as an app would; here the names point at the root's
// build (npm run build), so the example needs no copy of it. JSX goes through esbuild, which
// Vite already has: no Babel plugin to install.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^ld-expiring-targets\/query$/, replacement: path.join(root, 'dist', 'query.js') },
      { find: /^ld-expiring-targets$/, replacement: path.join(root, 'dist', 'index.js') },
    ],
  },
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    rollupOptions: {
      // react-query marks its hooks "use client" for React Server Components; a plain page ignores it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});

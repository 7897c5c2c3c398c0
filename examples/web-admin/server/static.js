/** Serves the built page (dist/) read-only: GET and HEAD, known file types, nothing outside dist/. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** The page runs no inline script and loads nothing from elsewhere. */
export const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** @param {string} root the dist folder */
export function createStatic(root) {
  const base = path.resolve(root);
  /** @param {string} pathname @returns {Promise<{ status: number, type: string, body: Buffer | string }>} */
  return async function serve(pathname) {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = path.resolve(base, relative);
    const type = TYPES[path.extname(file)];
    if (!file.startsWith(base + path.sep) || type === undefined)
      return { status: 404, type: 'text/plain; charset=utf-8', body: 'Not found' };
    try {
      return { status: 200, type, body: await readFile(file) };
    } catch {
      return { status: 404, type: 'text/plain; charset=utf-8', body: 'Not found' };
    }
  };
}

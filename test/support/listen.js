// @ts-check
/**
 * Puts a test server on 127.0.0.1 and a free port. Its `close` ends the connections still open
 * (keep-alive ones, a stalled answer) before closing, so stopping never waits on a client.
 */

/**
 * @param {import('node:http').Server} server not listening yet
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function listenOnFreePort(server) {
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

// @ts-check
/**
 * The proxy in a process of its own, so a test can read that process's peak RSS: started with
 * the path of a bundle of `ld-expiring-targets/proxy`, the upstream URL and options as JSON; it
 * answers the parent's IPC messages `rss` (peak RSS in bytes so far) and `gc`, and sends its port
 * once it listens on 127.0.0.1.
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const [bundle, upstream, optionsJson] = process.argv.slice(2);
const { createExpiringTargetsProxy, createNodeListener } = await import(pathToFileURL(String(bundle)).href);
const { deny, ...options } = JSON.parse(String(optionsJson));
const proxy = createExpiringTargetsProxy({
  apiKey: 'api-child-proxy-0000',
  baseUrl: upstream,
  basePath: '/ld-proxy',
  ...options,
  authorize: () => !deny,
});
const server = http.createServer(createNodeListener(proxy));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
process.on('message', (message) => {
  if (message === 'rss') process.send?.({ rss: process.resourceUsage().maxRSS * 1024 });
  if (message === 'stop') server.close(() => process.exit(0));
});

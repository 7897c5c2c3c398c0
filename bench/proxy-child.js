// @ts-check
// Started by bench/proxy.js: one proxy build (the bundle given as argv[2]) in a process of its own,
// behind node:http, with an authorize that refuses (an anonymous caller). Sends its port once it
// listens; answers the IPC message `rss` with its peak resident set size in bytes.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const [bundle, upstream] = process.argv.slice(2);
const { createExpiringTargetsProxy, createNodeListener } = await import(pathToFileURL(String(bundle)).href);
const proxy = createExpiringTargetsProxy({
  apiKey: 'api-bench-child-0000',
  baseUrl: upstream,
  basePath: '/ld-proxy',
  authorize: () => false,
});
const server = http.createServer(createNodeListener(proxy));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
process.on('message', (message) => {
  if (message === 'rss') process.send?.({ rss: process.resourceUsage().maxRSS * 1024 });
});

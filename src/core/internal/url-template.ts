/**
 * The API document's path template a URL's path matches, after any base path (a proxy's mount
 * point): what spans and metrics are named and grouped by. For raw calls and the proxy, which
 * know a URL but not the operation; loaded only with the telemetry that reports it.
 */
import { RESOURCE_RULES } from '../../../generated/instruction-rules.js';

const PATH_TEMPLATES = Object.values(RESOURCE_RULES).map((r) => ({
  template: r.path,
  pattern: new RegExp(`^(.*?)${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** `/base/api/v2/segments/p/s/expiring-targets/e` → `/base/api/v2/segments/{projectKey}/…`; `undefined` for other paths. */
export function templateOf(pathname: string): string | undefined {
  for (const { template, pattern } of PATH_TEMPLATES) {
    const match = pattern.exec(pathname);
    if (match) return `${match[1]}${template}`;
  }
  return undefined;
}

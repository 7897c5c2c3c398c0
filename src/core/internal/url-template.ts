/**
 * The API document's path template a URL's path matches, after any base path (a proxy's mount
 * point): what spans and metrics are named and grouped by, and the route a rate budget counts
 * by. The templates are handed in (a typed call knows its one, a raw call and the proxy all of
 * them), so the scopes' module, loaded on demand, imports nothing the page already holds.
 */
const patterns = new Map<string, RegExp>();

/** `/base/api/v2/segments/p/s/expiring-targets/e` → `/base/api/v2/segments/{projectKey}/…`; `undefined` for other paths. */
export function templateOf(pathname: string, templates: readonly string[]): string | undefined {
  for (const template of templates) {
    let pattern = patterns.get(template);
    if (pattern === undefined) {
      pattern = new RegExp(`^(.*?)${templatePattern(template).source}`);
      patterns.set(template, pattern);
    }
    const match = pattern.exec(pathname);
    if (match) return `${match[1]}${template}`;
  }
  return undefined;
}

/** A path template such as `/api/v2/flags/{projectKey}` as a pattern matching the end of a path: each `{name}` one segment. */
export function templatePattern(template: string): RegExp {
  return new RegExp(`${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`);
}

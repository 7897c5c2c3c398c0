/**
 * The API document's path template a URL's path matches, after any base path (a proxy's mount
 * point): what spans and metrics are named and grouped by, and the route a rate budget counts
 * by. The client matches each request once (./http.ts) and hands the result to both, so the
 * scopes' module, loaded on demand, imports nothing the page already holds.
 */
const patterns = new Map<string, RegExp>();

/** A path's base path and the document template it ends in. */
export interface TemplateMatch {
  /** What comes before the template, such as a proxy's `/ld`; empty at the root. */
  base: string;
  /** The document's template, such as `/api/v2/flags/{projectKey}/{featureFlagKey}/expiring-targets/{environmentKey}`. */
  template: string;
}

/** `/base/api/v2/segments/p/s/expiring-targets/e` → `{ base: '/base', template: '/api/v2/segments/{projectKey}/…' }`; `undefined` for other paths. */
export function matchTemplate(pathname: string, templates: readonly string[]): TemplateMatch | undefined {
  for (const template of templates) {
    let pattern = patterns.get(template);
    if (pattern === undefined) {
      pattern = new RegExp(`^(.*?)${templatePattern(template).source}`);
      patterns.set(template, pattern);
    }
    const match = pattern.exec(pathname);
    if (match) return { base: match[1] as string, template };
  }
  return undefined;
}

/** The path's template with its base path, as spans name it; `undefined` for other paths. */
export function templateOf(pathname: string, templates: readonly string[]): string | undefined {
  const match = matchTemplate(pathname, templates);
  return match && `${match.base}${match.template}`;
}

/** A path template such as `/api/v2/flags/{projectKey}` as a pattern matching the end of a path: each `{name}` one segment. */
export function templatePattern(template: string): RegExp {
  return new RegExp(`${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`);
}

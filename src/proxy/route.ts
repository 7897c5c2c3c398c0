/**
 * Which request paths the proxy forwards: exactly the expiring-target paths of the bundled
 * document, below the proxy's mount point, matched segment by segment after decoding each once.
 *
 * Anything another parser could read differently is refused instead of normalised: encoded
 * slashes and backslashes, dot segments, empty segments, a segment still percent-encoded after
 * decoding, and a second `/api/v2`. The upstream path is never copied from the request: it is
 * rebuilt from the document's template with every key encoded again.
 */
import { RESOURCE_RULES } from '../../generated/instruction-rules.js';
import type { ResourceKind } from '../core/resources.js';
import { keyIssues } from '../core/validation.js';

/** A request path the proxy forwards, with its keys decoded. */
export interface Route {
  resource: ResourceKind;
  /** Every path parameter of the template, by its name in the document. */
  params: Readonly<Record<string, string>>;
  projectKey: string;
  environmentKey: string;
  /** The segment's or flag's key: the template's other parameter. */
  key: string;
}

interface Template {
  resource: ResourceKind;
  segments: readonly string[];
  pathParams: readonly string[];
  keyParam: string;
}

// Stryker disable next-line Regex: the templates' literal segments hold no braces, so the anchors change nothing.
const PARAM = /^\{([^}]+)\}$/;

const TEMPLATES: readonly Template[] = (Object.keys(RESOURCE_RULES) as ResourceKind[]).map((resource) => {
  const pathParams: readonly string[] = RESOURCE_RULES[resource].pathParams;
  const keyParam = pathParams.find((name) => name !== 'projectKey' && name !== 'environmentKey');
  if (keyParam === undefined) throw new Error(`the ${resource} path names no key besides projectKey and environmentKey`);
  return { resource, segments: RESOURCE_RULES[resource].path.split('/').slice(1), pathParams, keyParam };
});

/** The literal segments every template starts with (`api`, `v2`): a path holding them twice is refused. */
const API_PREFIX: readonly string[] = (() => {
  const [first, ...others] = TEMPLATES;
  const prefix: string[] = [];
  // Stryker disable next-line OptionalChaining,ArrayDeclaration: the document always has templates.
  for (const [i, segment] of (first?.segments ?? []).entries()) {
    // Stryker disable next-line MethodExpression: with two templates `some` and `every` over the one other agree.
    if (PARAM.test(segment) || others.some((t) => t.segments[i] !== segment)) break;
    prefix.push(segment);
  }
  return prefix;
})();

const ENCODED_SEPARATOR = /%(2f|5c)/i;
const STILL_ENCODED = /%[0-9a-f]{2}/i;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Whether `segments` hold the API prefix anywhere but at the start. */
function repeatsApiPrefix(segments: readonly string[]): boolean {
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: every template starts with api/v2, so the prefix is never empty.
  if (API_PREFIX.length === 0) return false;
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: a path ending in the prefix matches no template (they end in `expiring-targets/{environmentKey}`), and looking past the end compares with undefined.
  for (let i = 1; i + API_PREFIX.length <= segments.length; i++) {
    if (API_PREFIX.every((literal, j) => segments[i + j] === literal)) return true;
  }
  return false;
}

/** Decodes one path segment once, or refuses it. */
function decodeSegment(segment: string): string | undefined {
  // Stryker disable next-line ConditionalExpression,StringLiteral: defence in depth, found equivalent: an empty key fails keyIssues and no literal segment is empty; an encoded separator decodes to `/` or `\`, refused below.
  if (segment === '' || ENCODED_SEPARATOR.test(segment)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(segment);
    // Stryker disable next-line BlockStatement: an emptied catch leaves `decoded` undefined, which every test below lets through to `return decoded`, i.e. undefined as well.
  } catch {
    return undefined;
  }
  // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: defence in depth, found equivalent: keyIssues refuses "." and ".." as keys, and no literal segment is a dot.
  if (decoded === '.' || decoded === '..') return undefined;
  if (/[/\\]/.test(decoded) || STILL_ENCODED.test(decoded) || CONTROL.test(decoded)) return undefined;
  return decoded;
}

/**
 * The route of a request path (as a URL's `pathname` gives it), or undefined when the proxy does
 * not forward it. `basePath` is where the proxy is mounted: `''` or a path such as `/ld-proxy`.
 */
export function matchRoute(pathname: string, basePath: string): Route | undefined {
  if (!pathname.startsWith(`${basePath}/`)) return undefined;
  const segments: string[] = [];
  for (const raw of pathname.slice(basePath.length + 1).split('/')) {
    const decoded = decodeSegment(raw);
    // Stryker disable next-line ConditionalExpression: an undefined segment equals no literal, and keyIssues refuses it as a key.
    if (decoded === undefined) return undefined;
    segments.push(decoded);
  }
  if (repeatsApiPrefix(segments)) return undefined;
  for (const template of TEMPLATES) {
    if (template.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = template.segments.every((literal, i) => {
      const name = PARAM.exec(literal)?.[1];
      if (name === undefined) return literal === segments[i];
      params[name] = segments[i] as string;
      return true;
    });
    // Stryker disable next-line LogicalOperator: `every` stops at the first literal that differs, always before the last segment (`{environmentKey}`), so a template that does not match always has a key missing.
    if (!matches || keyIssues(params, template.pathParams).length > 0) continue;
    return {
      resource: template.resource,
      params,
      projectKey: params.projectKey as string,
      environmentKey: params.environmentKey as string,
      key: params[template.keyParam] as string,
    };
  }
  return undefined;
}

/** The upstream path of a route: the document's template, each key encoded again. */
export function upstreamPath(route: Route): string {
  return RESOURCE_RULES[route.resource].path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(route.params[name] ?? ''));
}

const DOT_SEGMENT = /^(\.|%2e){1,2}$/i;

/**
 * Whether a request target, exactly as it arrived on the wire, holds something a URL parser
 * rewrites before the proxy sees it (a dot segment, a backslash), or is not a path at all. Only
 * a server adapter sees the raw target; a fetch handler gets the URL already parsed.
 */
export function rawTargetIsRewritten(target: string): boolean {
  if (!target.startsWith('/')) return true;
  const path = target.split('?', 1)[0] as string;
  return path.includes('\\') || path.split('/').some((segment) => DOT_SEGMENT.test(segment));
}

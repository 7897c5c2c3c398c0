/**
 * The proxy's own rules, checked before the body is read and before `authorize` is asked: each a
 * small function that returns a refusal or nothing, run in order until one refuses.
 */
import { RESOURCE_RULES } from '../../generated/instruction-rules.js';
import type { Refusal } from './answers.js';
import { originAllowed } from './cors.js';
import type { Route } from './route.js';
import type { Settings } from './settings.js';
import type { ProxyOperation } from './types.js';

/** Operations forwarded per method, as the document lists them. */
// Stryker disable MethodExpression: both resources have both operations, so the filter keeps both (`every` or `some`).
export const OPERATION_OF_METHOD: ReadonlyMap<string, ProxyOperation> = new Map(
  (['get', 'patch'] as const)
    .filter((op) => Object.values(RESOURCE_RULES).every((r) => r.operations[op] !== undefined))
    .map((op) => [op.toUpperCase(), op]),
);
// Stryker restore MethodExpression
/** The methods forwarded, as `Allow` lists them. */
export const ALLOWED_METHODS: readonly string[] = [...OPERATION_OF_METHOD.keys()];
const ALLOW = ALLOWED_METHODS.join(', ');

/** Headers that ask a server to treat a request as another method. */
const METHOD_OVERRIDE_HEADERS = ['x-http-method-override', 'x-http-method', 'x-method-override'];

/** A request whose path matched one of the forwarded operations' paths. */
export interface Incoming {
  request: Request;
  url: URL;
  /** Upper case. */
  method: string;
  route: Route;
  operation: ProxyOperation | undefined;
}

export type Check = (incoming: Incoming, settings: Settings) => Refusal | undefined;

const methodAllowed: Check = ({ operation }) =>
  operation === undefined
    ? { status: 405, refusal: 'method-not-allowed', message: `Only ${ALLOW} are forwarded`, headers: { allow: ALLOW } }
    : undefined;

const noMethodOverride: Check = ({ request }) =>
  METHOD_OVERRIDE_HEADERS.some((name) => request.headers.has(name))
    ? { status: 405, refusal: 'method-not-allowed', message: 'Method-override headers are not accepted', headers: { allow: ALLOW } }
    : undefined;

const fromAllowedOrigin: Check = ({ request, url }, settings) =>
  originAllowed(settings, request, url)
    ? undefined
    : { status: 403, refusal: 'origin-not-allowed', message: 'This origin may not call the proxy' };

const knownQuery: Check = ({ url, route, operation }) => {
  const allowed: readonly string[] = RESOURCE_RULES[route.resource].queryParams[operation as ProxyOperation];
  for (const name of url.searchParams.keys()) {
    // Stryker disable next-line ConditionalExpression: no operation of the document takes a query parameter, so nothing is ever allowed.
    if (allowed.includes(name)) continue;
    const message =
      allowed.length === 0
        ? 'This operation takes no query parameters'
        : // Stryker disable next-line StringLiteral: not reached while no operation takes a query parameter.
          `Query parameters other than ${allowed.join(', ')} are not accepted`;
    return { status: 400, refusal: 'query-not-allowed', message };
  }
  return undefined;
};

const semanticPatchBody: Check = ({ request, route, operation }) => {
  if (operation !== 'patch') return undefined;
  const expected = RESOURCE_RULES[route.resource].patchMediaType;
  // Stryker disable next-line StringLiteral,OptionalChaining: any other text is refused as a missing type is; split always yields a first element.
  const mediaType = (request.headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase();
  const encoding = request.headers.get('content-encoding')?.trim().toLowerCase();
  if (mediaType === expected.split(';', 1)[0] && (encoding === undefined || encoding === 'identity')) return undefined;
  return { status: 415, refusal: 'unsupported-media-type', message: `The body must be ${expected}, not encoded` };
};

/** A declared length over the cap is refused before a byte of the body is read. */
const declaredLengthWithinCap: Check = ({ request, operation }, settings) => {
  if (operation !== 'patch') return undefined;
  // Stryker disable next-line MethodExpression: Headers already strips the blanks around a value.
  const declared = request.headers.get('content-length')?.trim();
  if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) <= settings.maxBodyBytes) return undefined;
  return { status: 413, refusal: 'body-too-large', message: `The body is larger than ${settings.maxBodyBytes} bytes` };
};

/** In order: the first refusal wins. */
export const CHECKS: readonly Check[] = [
  methodAllowed,
  noMethodOverride,
  fromAllowedOrigin,
  knownQuery,
  semanticPatchBody,
  declaredLengthWithinCap,
];

export function firstRefusal(incoming: Incoming, settings: Settings): Refusal | undefined {
  for (const check of CHECKS) {
    const refusal = check(incoming, settings);
    if (refusal !== undefined) return refusal;
  }
  return undefined;
}

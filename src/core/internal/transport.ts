/**
 * Transport facts the client and the proxy share: the headers every request carries, what an
 * HTTP header name may be, and which statuses have no body. Internal: not exported by the package.
 */
import { PACKAGE_NAME, VERSION } from '../version.js';

/** The header that names the API version; every request carries it. */
export const API_VERSION_HEADER = 'LD-API-Version';
/** The agent header LaunchDarkly reads (browsers forbid setting User-Agent); every request carries it. */
export const AGENT_HEADER = 'X-LaunchDarkly-User-Agent';
/** What this package says it is, in the agent header. */
export const AGENT = `${PACKAGE_NAME}/${VERSION}`;
/** An HTTP token (RFC 9110): what fetch accepts as a header name. */
export const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Statuses whose Response must be built without a body. */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);

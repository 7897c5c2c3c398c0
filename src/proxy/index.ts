/**
 * `ld-expiring-targets/proxy`: the backend half of a browser app. Its own entry, so a page's
 * bundle never carries it, and the proxy never carries the client.
 */
export { createExpiringTargetsProxy } from './handler.js';
export type {
  AuditedInstruction,
  ExpiringTargetsProxy,
  ProxyAuditEvent,
  ProxyAuthorization,
  ProxyCall,
  ProxyCallBase,
  ProxyFlagPatchCall,
  ProxyGetCall,
  ProxySegmentPatchCall,
  ProxyDecision,
  ProxyOperation,
  ProxyOptions,
  ProxyOutcome,
  ProxyRefusal,
} from './types.js';
export { createNodeListener } from './node-listener.js';
export type { NodeIncomingMessage, NodeRequestListener, NodeServerResponse } from './node-listener.js';
// The same classes as the main entry's (both entries share their chunks, in ESM and CJS alike).
export { ConfigurationError, ExpiringTargetsError } from '../core/errors.js';
export { DEFAULT_API_VERSION, INSTANCES } from '../core/options.js';
export type { FetchLike, Instance } from '../core/options.js';
export type { FlagInstruction, ResourceKind, SegmentInstruction } from '../core/resources.js';
export type { ValidationIssue } from '../core/errors.js';

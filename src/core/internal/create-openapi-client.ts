/**
 * openapi-fetch's `createClient` alone, for raw-client.ts to import on demand: importing the
 * package itself on demand keeps every export of it (a bundler cannot tell which the caller
 * reads), and one of them, the path-based client, is a class with fields that a browser bundle
 * for an older target serves with a helper chunk every page then loads.
 */
export { default as createClient } from 'openapi-fetch';

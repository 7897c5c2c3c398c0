/**
 * Where a command's requests go: the connection options (CONNECTION_OPTIONS) read once, and the
 * client built from them: LaunchDarkly, any base URL, or the embedded mock.
 */
import { type ExpiringTargetsClient, createExpiringTargetsClient } from '../client.js';
import { INSTANCES, type Instance, type RetryEvent } from '../options.js';
import { UsageError } from './errors.js';
import { MOCK_TOKEN, type Mock, startMock } from './mock.js';
import { type Values, optionalString, seconds } from './parser.js';

export interface ConnectionArgs {
  token: string | undefined;
  baseUrl: string | undefined;
  instance: Instance | undefined;
  apiVersion: string | undefined;
  /** Per-attempt timeout (`--timeout`, given in seconds). */
  timeoutMs: number | undefined;
  mock: boolean;
}

export function connectionOf(values: Values, env: Readonly<Record<string, string | undefined>>): ConnectionArgs {
  const token = optionalString(values, 'token') ?? env.LD_API_KEY;
  const baseUrl = optionalString(values, 'base-url');
  const instance = optionalString(values, 'instance');
  const mock = values.mock === true;
  if (instance !== undefined && !Object.hasOwn(INSTANCES, instance)) {
    throw new UsageError(`--instance must be one of ${Object.keys(INSTANCES).join(', ')}, got ${JSON.stringify(instance)}`);
  }
  if (baseUrl !== undefined && instance !== undefined) throw new UsageError('give --base-url or --instance, not both');
  if (mock && (baseUrl !== undefined || instance !== undefined)) {
    throw new UsageError('--mock runs its own server: it cannot be combined with --base-url or --instance');
  }
  return {
    token: token === undefined || token === '' ? undefined : token,
    baseUrl,
    instance: instance as Instance | undefined,
    apiVersion: optionalString(values, 'api-version'),
    timeoutMs: seconds('timeout', optionalString(values, 'timeout')),
    mock,
  };
}

export interface Connection {
  client: ExpiringTargetsClient;
  /** Where requests go, for messages: a URL or the instance name. */
  target: string;
}

/** A URL as it may be printed: without `user:password@` (the client refuses such a base URL anyway). */
export function displayUrl(text: string): string {
  if (!URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.username === '' && url.password === '') return text;
  url.username = '';
  url.password = '';
  return url.href;
}

/** Runs `fn` with a client; with `--mock`, Prism runs for exactly as long as `fn` (also on error). */
export async function withConnection<T>(
  args: ConnectionArgs,
  onRetry: (event: RetryEvent) => void,
  fn: (connection: Connection) => Promise<T>,
): Promise<T> {
  let mock: Mock | undefined;
  try {
    let baseUrl = args.baseUrl;
    let apiKey = args.token;
    if (args.mock) {
      mock = await startMock();
      baseUrl = mock.url;
      // Never a real token to the mock, whatever LD_API_KEY or --token hold.
      apiKey = MOCK_TOKEN;
    } else if (apiKey === undefined && baseUrl === undefined) {
      throw new UsageError('no access token: set LD_API_KEY (or pass --token), or try the embedded mock with --mock');
    }
    const client = createExpiringTargetsClient({ apiKey, baseUrl, instance: args.instance, apiVersion: args.apiVersion, timeoutMs: args.timeoutMs, onRetry });
    const target = mock ? `the embedded mock (${mock.url})` : baseUrl !== undefined ? displayUrl(baseUrl) : `LaunchDarkly (${args.instance ?? 'commercial'})`;
    return await fn({ client, target });
  } finally {
    await mock?.stop();
  }
}
